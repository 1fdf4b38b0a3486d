"""Recipients reply STOP, START and HELP on Telegram and LINE, through the sandbox."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from base64 import b64encode

import pytest

from bot.services.campaigns.service import Draft
from models import (
    OPTED_OUT,
    Campaign,
    CampaignStatus,
    Channel,
    ChatAccount,
    ConsentSource,
    Contact,
    ContactList,
    Delivery,
    InboundReply,
    ListMembership,
    Member,
    MemberStatus,
    Platform,
    Suppression,
    SuppressionSource,
)
from tests.support.chats import LineChat, MemberChat, TelegramChat
from tests.support.contacts import phone_key, sealed
from tests.support.harness import Harness
from tests.support.onboarding import onboard


async def _recipient(harness: Harness, platform: Platform, *, language: str) -> MemberChat:
    if platform is Platform.TELEGRAM:
        harness.sandbox.telegram.add_user(4001, language_code=language)
        return TelegramChat(harness.sandbox.telegram, 4001, language=language)
    user_id = harness.sandbox.line.add_user(harness.sandbox.line.new_user_id(), language=language)
    return LineChat(harness.sandbox.line, user_id, language=language)


async def _member_with(harness: Harness, chat: MemberChat, name: str) -> tuple[Member, int]:
    member = await Member.create(status=MemberStatus.ACTIVE, display_name=name)
    contact_list = await ContactList.create(member=member, name="VIP", opt_in_token=f"o{name}")
    address = (
        {"telegram_id": int(chat.user_id)}
        if chat.platform is Platform.TELEGRAM
        else {"line_id": chat.user_id}
    )
    contact = await Contact.create(
        member=member,
        consent_source=ConsentSource.OPT_IN_LINK,
        consent_at=harness.clock(),
        consent_by="self",
        **sealed(harness, {"phone": "+34600111222"}),
        **address,
    )
    await ListMembership.create(contact_list=contact_list, contact=contact)
    return member, contact_list.id


async def _send_campaign(harness: Harness, member: Member, list_id: int, text: str) -> Campaign:
    campaigns = harness.app.services.campaigns
    draft = Draft(
        name="News", list_ids=[list_id], text=text, channels=[Channel.TELEGRAM, Channel.LINE]
    )
    campaign = await campaigns.launch(await campaigns.save(member, draft))
    async with asyncio.timeout(10):
        while (await Campaign.get(id=campaign.id)).status is not CampaignStatus.FINISHED:  # noqa: ASYNC110
            await asyncio.sleep(0.02)
    return campaign


async def test_stop_opts_out_of_the_last_sender_on_every_address(
    harness: Harness, platform: Platform, worker: None
) -> None:
    chat = await _recipient(harness, platform, language="en")
    other, other_list = await _member_with(harness, chat, "Bakery")
    member, list_id = await _member_with(harness, chat, "Café Luna")
    await _send_campaign(harness, other, other_list, "Bread")
    await _send_campaign(harness, member, list_id, "Coffee")
    assert [(await chat.next()).text for _ in range(2)] == ["Bread", "Coffee"]

    await chat.send("  Stop! 🙏")
    confirmation = await chat.next()
    assert "Café Luna" in str(confirmation.text)
    assert "START" in str(confirmation.text)
    keys = set(await Suppression.filter(member=member).values_list("key", flat=True))
    own = f"{platform.value}:{chat.user_id}"
    assert keys == {own, phone_key(harness, "+34600111222")}, (
        "every address the member holds for them"
    )
    assert await Suppression.filter(member=other).count() == 0
    source = await Suppression.get(member=member, key=own)
    assert (source.source, source.detail) == (SuppressionSource.KEYWORD, "STOP")

    # The next campaign of that member skips them; the other member still reaches them.
    skipped = await _send_campaign(harness, member, list_id, "Coffee again")
    [delivery] = await Delivery.filter(campaign_id=skipped.id)
    assert delivery.error_code == OPTED_OUT
    await _send_campaign(harness, other, other_list, "More bread")
    assert (await chat.next()).text == "More bread"


@pytest.mark.parametrize(
    ("word", "language", "expected"),
    [
        ("Arrêt", "en", "Vous ne recevrez plus de messages de Café Luna"),
        ("STOPP", "en", "Sie erhalten keine Nachrichten mehr von Café Luna"),
        ("descadastrar", "en", "Você não receberá mais mensagens de Café Luna"),
        ("Disiscrivimi!", "en", "Non riceverai più messaggi da Café Luna"),
        # Spanish and Portuguese both say PARAR: the app's language decides.
        ("PARAR", "pt", "Você não receberá mais mensagens de Café Luna"),
        ("STOP", "fr", "Vous ne recevrez plus de messages de Café Luna"),  # their app's language
    ],
)
async def test_a_keyword_is_confirmed_in_the_recipients_language(
    harness: Harness, worker: None, word: str, language: str, expected: str
) -> None:
    chat = await _recipient(harness, Platform.TELEGRAM, language=language)
    member, list_id = await _member_with(harness, chat, "Café Luna")
    await _send_campaign(harness, member, list_id, "Coffee")
    assert (await chat.next()).text == "Coffee"
    await chat.send(word)
    assert expected in str((await chat.next()).text)


async def test_start_lifts_the_opt_out_and_help_says_who_writes(
    harness: Harness, platform: Platform, worker: None
) -> None:
    chat = await _recipient(harness, platform, language="es")
    member, list_id = await _member_with(harness, chat, "Café Luna")
    await _send_campaign(harness, member, list_id, "Hola")
    await chat.next()

    await chat.send("BAJA")
    stopped = await chat.next()
    assert "Café Luna" in str(stopped.text)
    assert await Suppression.filter(member=member).count() == 2
    await chat.send("alta")
    started = await chat.next()
    assert "Café Luna" in str(started.text)
    assert await Suppression.filter(member=member).count() == 0
    await chat.send("AYUDA")
    helped = await chat.next()
    assert "Café Luna" in str(helped.text)
    assert "STOP" in str(helped.text)


async def test_stopall_opts_out_of_everyone_who_messaged_them(
    harness: Harness, platform: Platform, worker: None
) -> None:
    chat = await _recipient(harness, platform, language="en")
    first, first_list = await _member_with(harness, chat, "Bakery")
    second, second_list = await _member_with(harness, chat, "Gym")
    await _send_campaign(harness, first, first_list, "Bread")
    await _send_campaign(harness, second, second_list, "Squats")
    await chat.next()
    await chat.next()
    await chat.send("STOPALL")
    await chat.next()
    for member in (first, second):
        assert await Suppression.filter(member=member).count() == 2


async def test_a_sentence_with_stop_in_it_is_not_an_opt_out_and_gets_no_menu(
    harness: Harness, platform: Platform, worker: None
) -> None:
    chat = await _recipient(harness, platform, language="en")
    member, list_id = await _member_with(harness, chat, "Café Luna")
    await _send_campaign(harness, member, list_id, "Hi")
    await chat.next()
    await chat.send("please don't stop sending these")
    await chat.send("HELP")  # answered: so the sentence before it got no answer at all
    assert "STOP" in str((await chat.next()).text)
    assert await Suppression.filter(member=member).count() == 0


async def test_a_stranger_saying_stop_is_greeted_as_a_stranger(
    harness: Harness, platform: Platform
) -> None:
    chat = await _recipient(harness, platform, language="en")
    await chat.send("STOP")
    assert "/start" in str((await chat.next()).text)
    assert await Suppression.all().count() == 0


async def _until_listed(member: Member, key: str) -> Suppression:
    async with asyncio.timeout(10):
        while (found := await Suppression.get_or_none(member=member, key=key)) is None:  # noqa: ASYNC110
            await asyncio.sleep(0.02)
    return found


async def test_blocking_the_bot_or_unfollowing_counts_and_unblocking_does_not_undo_it(
    harness: Harness, platform: Platform, worker: None
) -> None:
    chat = await _recipient(harness, platform, language="en")
    member, list_id = await _member_with(harness, chat, "Café Luna")
    await _send_campaign(harness, member, list_id, "Hi")
    key = f"{platform.value}:{chat.user_id}"
    if platform is Platform.TELEGRAM:
        await harness.sandbox.telegram.block(int(chat.user_id))
    else:
        await harness.sandbox.line.unfollow(chat.user_id)
    signal = await _until_listed(member, key)
    assert signal.source is SuppressionSource.PLATFORM_SIGNAL
    if platform is Platform.TELEGRAM:
        await harness.sandbox.telegram.unblock(int(chat.user_id))
    else:
        await harness.sandbox.line.follow(chat.user_id)
    await asyncio.sleep(0.3)  # whatever the (un)block webhook does, it has done by now
    assert await Suppression.filter(member=member, key=key).exists()
    # Only that channel: their number is not on the list.
    assert not await Suppression.filter(
        member=member, key=phone_key(harness, "+34600111222")
    ).exists()


async def _whatsapp_member(harness: Harness, phone: str) -> tuple[Member, ContactList]:
    """A member with one WhatsApp-only contact on a list."""
    member = await Member.create(status=MemberStatus.ACTIVE, display_name="Café Luna")
    contact_list = await ContactList.create(member=member, name="VIP", opt_in_token=phone[-6:])
    contact = await Contact.create(
        member=member,
        consent_source=ConsentSource.FILE_IMPORT,
        consent_at=harness.clock(),
        consent_by=f"member:{member.id}",
        **sealed(harness, {"phone": phone}),
    )
    await ListMembership.create(contact_list=contact_list, contact=contact)
    return member, contact_list


async def _send_whatsapp(harness: Harness, member: Member, contact_list: ContactList) -> Campaign:
    """A WhatsApp template campaign to the list, sent to the end."""
    campaigns = harness.app.services.campaigns
    draft = Draft(
        name="News",
        list_ids=[contact_list.id],
        text="Hola",
        channels=[Channel.WHATSAPP],
        whatsapp_template="news",
        whatsapp_language="es",
    )
    campaign = await campaigns.launch(await campaigns.save(member, draft))
    async with asyncio.timeout(10):
        while (await Campaign.get(id=campaign.id)).status is not CampaignStatus.FINISHED:  # noqa: ASYNC110
            await asyncio.sleep(0.02)
    return campaign


async def test_stop_on_whatsapp_is_confirmed_on_whatsapp(harness: Harness, worker: None) -> None:
    member, contact_list = await _whatsapp_member(harness, "+34600111333")
    await _send_whatsapp(harness, member, contact_list)

    whatsapp = harness.sandbox.whatsapp
    await whatsapp.send_text("34600111333", "Baja")
    await _until_listed(member, phone_key(harness, "+34600111333"))
    async with asyncio.timeout(10):
        while len(whatsapp.inbox("34600111333")) < 2:  # noqa: ASYNC110 - the sandbox's inbox
            await asyncio.sleep(0.02)
    confirmation = whatsapp.inbox("34600111333")[-1]
    assert "Café Luna" in str(confirmation.text)
    assert "recibirás" in str(confirmation.text)  # in Spanish: BAJA is a Spanish keyword


async def test_a_whatsapp_marketing_stop_holds_and_a_resume_does_not_lift_it(
    harness: Harness, worker: None
) -> None:
    member, contact_list = await _whatsapp_member(harness, "+34600111444")
    await _send_whatsapp(harness, member, contact_list)
    whatsapp = harness.sandbox.whatsapp
    await whatsapp.send_marketing_preference("34600111444", "stop")
    signal = await _until_listed(member, phone_key(harness, "+34600111444"))
    assert (signal.source, signal.detail) == (SuppressionSource.PLATFORM_SIGNAL, "marketing stop")

    await whatsapp.send_marketing_preference("34600111444", "resume")
    await asyncio.sleep(0.3)  # whatever the resume webhook does, it has done by now
    assert await Suppression.filter(member=member, key=phone_key(harness, "+34600111444")).exists()
    later = await _send_whatsapp(harness, member, contact_list)
    delivery = await Delivery.get(campaign_id=later.id)
    assert delivery.error_code == OPTED_OUT
    assert len(whatsapp.inbox("34600111444")) == 1  # the first campaign's message only


def _signed_headers(harness: Harness, platform: str, body: bytes) -> dict[str, str]:
    """The headers the platform would sign a redelivery of `body` with."""
    creds = harness.sandbox.credentials
    if platform == "telegram":
        return {
            "Content-Type": "application/json",
            "X-Telegram-Bot-Api-Secret-Token": creds.telegram_webhook_secret,
        }
    if platform == "line":
        digest = hmac.new(creds.line_channel_secret.encode(), body, hashlib.sha256).digest()
        return {"Content-Type": "application/json", "X-Line-Signature": b64encode(digest).decode()}
    digest = hmac.new(creds.whatsapp_app_secret.encode(), body, hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "X-Hub-Signature-256": f"sha256={digest}"}


async def test_a_redelivered_stop_is_handled_once(
    harness: Harness, platform: Platform, worker: None
) -> None:
    chat = await _recipient(harness, platform, language="en")
    member, list_id = await _member_with(harness, chat, "Café Luna")
    await _send_campaign(harness, member, list_id, "Hi")
    await chat.next()
    await chat.send("STOP")
    await chat.next()
    [stop] = [d for d in harness.sandbox.deliveries if b'"STOP"' in d.body]
    await chat.send("START")
    await chat.next()
    assert not await Suppression.filter(member=member).exists()

    again = await harness.sandbox.deliver_raw(
        platform, stop.body, _signed_headers(harness, platform.value, stop.body)
    )
    assert again.status == 200
    await chat.send("HELP")  # answered after the redelivery would have been
    assert "STOP" in str((await chat.next()).text)
    assert not await Suppression.filter(member=member).exists(), "the STOP was not redone"


async def test_a_recipients_reply_reaches_the_member_and_replies_lists_it(
    harness: Harness, platform: Platform, worker: None
) -> None:
    owner = harness.chat(platform)
    await onboard(owner)
    account = await ChatAccount.get(external_id=owner.user_id).prefetch_related("member")
    member = account.member
    chat = await _recipient(harness, platform, language="en")
    contact_list = await ContactList.create(member=member, name="VIP", opt_in_token="replies")
    address = (
        {"telegram_id": int(chat.user_id)}
        if platform is Platform.TELEGRAM
        else {"line_id": chat.user_id}
    )
    contact = await Contact.create(
        member=member,
        consent_source=ConsentSource.OPT_IN_LINK,
        consent_at=harness.clock(),
        consent_by="self",
        **sealed(harness, {"first_name": "Ana"}),
        **address,
    )
    await ListMembership.create(contact_list=contact_list, contact=contact)
    await _send_campaign(harness, member, contact_list.id, "Open on Sunday?")
    await chat.next()

    await chat.send("Yes, at what time?")
    notice = await owner.next()
    assert "Ana" in str(notice.text)
    assert "Yes, at what time?" in str(notice.text)
    await owner.send("/replies")
    listed = await owner.next()
    assert "Yes, at what time?" in str(listed.text)
    reply = await InboundReply.get(member=member)
    assert (reply.contact_id, reply.channel) == (contact.id, platform.value)  # type: ignore[attr-defined]
