"""A campaign text is a template for safe substitution, never code: str.format's attribute
access, conversions and format specs are refused with their reason, and anything else that
looks like a template language, in the text or in a contact's values, reaches recipients as
written.

tests/campaigns/test_placeholders.py covers the parser (every error code, {0.__class__} and
{a!r} among them, values holding braces; hypothesis over any text), and
tests/conversation/test_campaigns.py a malformed placeholder in chat ({first name}, an
unclosed brace, }}} and {{VIP}}). Here the injections travel the whole way: typed in the
dialog, previewed, and sent."""

from __future__ import annotations

from models import Campaign, Member, Platform
from tests.conversation.test_campaigns import audience, picture, to_schedule
from tests.support.harness import Harness
from tests.support.onboarding import onboard

# Each is refused, with the reason the member reads.
REFUSED = {
    "{0.__class__}": '"." or "["',
    "{first_name.__class__.__mro__}": '"." or "["',
    "{first_name[0]}": '"." or "["',
    "{first_name!r}": '"!"',
    "{first_name!s:>10}": '"!"',
    "{first_name:>99999999}": '":"',
    "{first_name:%Y}": '":"',
    "{__import__('os').system('id')}": '"." or "["',
    "{first name}": "letters, digits and _",
}
# Written literally: escaped braces and other template languages' syntax.
LITERAL_TEXT = "{{0.__class__}} {{first_name!r}} ${{HOME}} %s %(x)s {{7*7}} <%= 1 %>"
LITERAL_SENT = "{0.__class__} {first_name!r} ${HOME} %s %(x)s {7*7} <%= 1 %>"
# Screening holds a text of mostly symbols for review: words around the injections let it go.
WORDS = "Our spring season starts this week with new bread and cakes in every shop of the town"
# A contact's own values, which a naive renderer would expand a second time.
HOSTILE_NAME = "{0.__class__}{last_name:>9999}%s"


async def test_injections_are_refused_or_sent_as_written(
    harness: Harness, platform: Platform, worker: None
) -> None:
    chat = harness.chat(platform)
    await onboard(chat)
    harness.sandbox.telegram.add_user(4501)
    customers = await audience(
        harness, await Member.get(), [{"telegram_id": 4501, "first_name": HOSTILE_NAME}]
    )
    await chat.send("/new")
    await chat.next()
    await chat.send("Injection")
    await chat.press(await chat.next(), f"new:list:{customers.id}")
    await chat.press(await chat.next(), "new:lists_done")
    await chat.press(await chat.next(), "new:tag:none")
    await chat.next()  # the message, please
    for text, reason in REFUSED.items():
        await chat.send(f"Hi {text}")
        answer = (await chat.next()).text or ""
        assert reason in answer, (text, answer)
        assert "<class" not in answer
    assert not await Campaign.exists(), "nothing is saved from a refused text"

    # The dialog is still at the message step; a fresh composition takes the accepted text.
    await chat.send("/cancel")
    await chat.next()
    text = f"Hi {{first_name}}! {WORDS}. {LITERAL_TEXT}"
    schedule = await to_schedule(chat, customers.id, text, "telegram")
    await chat.press(schedule, "new:now")
    await chat.press(await chat.next(), "new:quiet:default")
    summary = await chat.next()
    sent = f"Hi {HOSTILE_NAME}! {WORDS}. {LITERAL_SENT}"
    assert sent in (summary.text or "")
    await chat.press(summary, "new:go")
    _, report = await picture(chat)
    assert "Sent: 1" in (report.text or "")
    [received] = harness.sandbox.telegram.inbox(4501)
    assert received.text == sent
