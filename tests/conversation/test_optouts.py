"""A member's own reply keywords (/keywords) and the export of their opt-outs (/optouts)."""

from __future__ import annotations

import asyncio
import csv
import io

from bot.services.campaigns.service import Draft
from bot.services.optout.keywords import MAX_OWN_KEYWORDS, Intent
from models import (
    Campaign,
    CampaignStatus,
    Channel,
    ConsentSource,
    Contact,
    ContactList,
    ListMembership,
    Member,
    Platform,
    Suppression,
    SuppressionSource,
)
from tests.conversation.test_lists import _document
from tests.support.chats import MemberChat, TelegramChat, button_data
from tests.support.harness import Harness
from tests.support.onboarding import onboard

RECIPIENT = 4100


async def _add(chat: MemberChat, kind: str, word: str) -> str:
    """Add an own keyword through /keywords; the answer."""
    await chat.send("/keywords")
    card = await chat.next()
    await chat.press(card, f"kw:add:{kind}")
    await chat.next()  # the question
    await chat.send(word)
    return (await chat.next()).text or ""


async def _recipient_of(harness: Harness, member: Member) -> TelegramChat:
    """A Telegram recipient who got one of the member's campaigns."""
    harness.sandbox.telegram.add_user(RECIPIENT, language_code="en")
    contact_list = await ContactList.create(member=member, name="VIP", opt_in_token="kw")
    contact = await Contact.create(
        member=member,
        telegram_id=RECIPIENT,
        consent_source=ConsentSource.OPT_IN_LINK,
        consent_at=harness.clock(),
        consent_by="self",
    )
    await ListMembership.create(contact_list=contact_list, contact=contact)
    campaigns = harness.app.services.campaigns
    draft = Draft(name="News", list_ids=[contact_list.id], text="Hi", channels=[Channel.TELEGRAM])
    campaign = await campaigns.launch(await campaigns.save(member, draft))
    async with asyncio.timeout(10):
        while (await Campaign.get(id=campaign.id)).status is not CampaignStatus.FINISHED:  # noqa: ASYNC110
            await asyncio.sleep(0.02)
    recipient = TelegramChat(harness.sandbox.telegram, RECIPIENT, language="en")
    assert (await recipient.next()).text == "Hi"
    return recipient


async def test_an_own_stop_word_opts_out_and_shows_in_the_export(
    harness: Harness, platform: Platform, worker: None
) -> None:
    chat = harness.chat(platform)
    await onboard(chat, locale="en", timezone="Europe/Madrid")
    member = await Member.get()
    answer = await _add(chat, "stop", "  Ciao! ")
    assert 'a reply "Ciao!" opts the recipient out' in answer
    card = await chat.next()
    assert "Yours: Ciao!" in (card.text or "")
    assert "kw:del:stop:0" in button_data(card)

    recipient = await _recipient_of(harness, member)
    await recipient.send("ciao")  # case and punctuation don't matter, as for the standard words
    async with asyncio.timeout(10):
        while not await Suppression.filter(member=member).exists():  # noqa: ASYNC110
            await asyncio.sleep(0.02)
    entry = await Suppression.get(member=member)
    assert (entry.key, entry.source, entry.detail) == (
        f"telegram:{RECIPIENT}",
        SuppressionSource.KEYWORD,
        "Ciao!",
    )

    await chat.send("/optouts")
    export = await chat.next()
    rows = list(csv.reader(io.StringIO((await _document(harness, export)).decode("utf-8-sig"))))
    assert rows[0] == ["address", "channel", "source", "detail", "since_utc"]
    assert rows[1][:4] == [f"telegram:{RECIPIENT}", "telegram", "keyword", "Ciao!"]
    assert len(rows) == 2


async def test_an_own_word_means_nothing_for_another_members_recipients(
    harness: Harness, worker: None
) -> None:
    chat = harness.chat(Platform.TELEGRAM)
    await onboard(chat, locale="en", timezone="Europe/Madrid")
    await _add(chat, "stop", "ciao")
    other = await Member.create(status="active", display_name="Other shop")
    recipient = await _recipient_of(harness, other)
    await recipient.send("ciao")
    await asyncio.sleep(0.3)  # whatever the reply does, it has done by now
    assert not await Suppression.exists()


async def test_refused_words_say_why_and_change_nothing(harness: Harness) -> None:
    chat = harness.chat(Platform.TELEGRAM)
    await onboard(chat, locale="en", timezone="Europe/Madrid")
    assert '"STOP" is a standard keyword' in await _add(chat, "start", "stop")
    assert "letters or digits" in await _add(chat, "stop", " 👋 !! ")
    assert "32 characters at most" in await _add(chat, "help", "x" * 33)
    assert (await Member.get()).keywords is None


async def test_removing_an_own_word_and_stale_buttons(harness: Harness) -> None:
    chat = harness.chat(Platform.TELEGRAM)
    await onboard(chat, locale="en", timezone="Europe/Madrid")
    await _add(chat, "help", "quien")
    card = await chat.next()
    await chat.press(card, "kw:del:help:0")
    assert 'Removed "quien"' in ((await chat.next()).text or "")
    assert "Yours: -" in ((await chat.next()).text or "")
    assert (await Member.get()).keywords == {}
    await chat.press(card, "kw:del:help:0")  # the old card's button: nothing left to remove
    assert "expired" in ((await chat.next()).text or "")


async def test_forged_keyword_buttons_are_refused(harness: Harness) -> None:
    chat = harness.chat(Platform.LINE)  # LINE postbacks carry whatever data a client sends
    await onboard(chat, locale="en", timezone="Europe/Madrid")
    for forged in ("kw:del:help:0", "kw:del:stop_all:0", "kw:del:stop:x", "kw:add:stop_all"):
        await harness.sandbox.line.press_postback(chat.user_id, forged)
        assert "expired" in ((await chat.next()).text or ""), forged
    assert (await Member.get()).keywords is None


async def test_nobody_opted_out_yet(harness: Harness, platform: Platform) -> None:
    chat = harness.chat(platform)
    await onboard(chat, locale="en", timezone="Europe/Madrid")
    await chat.send("/optouts")
    assert (await chat.next()).text == "Nobody has opted out of your messages."


async def test_own_words_are_capped_so_every_button_fits(harness: Harness) -> None:
    chat = harness.chat(Platform.LINE)
    await onboard(chat, locale="en", timezone="Europe/Madrid")
    member = await Member.get()
    for number in range(MAX_OWN_KEYWORDS):
        await harness.app.services.keywords.add(member, Intent.STOP, f"basta{number}")
    assert "You can have 10 keywords of your own" in await _add(chat, "help", "ayuda ya")
    await chat.send("/keywords")
    card = await chat.next()
    assert len(button_data(card)) == 3 + MAX_OWN_KEYWORDS  # LINE shows 13 quick replies
