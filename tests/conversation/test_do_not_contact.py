"""The operator's do-not-contact list from /admin: add (validated), remove, export, and held
at once by imports and campaigns; nobody else can touch it."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator

import pytest

from bot.sandbox import SentMessage
from bot.services.campaigns.service import Draft
from models import (
    Campaign,
    CampaignStatus,
    Channel,
    Delivery,
    InboundReply,
    Member,
    Platform,
    Suppression,
    SuppressionSource,
)
from tests.conversation.test_campaigns import audience, document
from tests.conversation.test_lists import _import
from tests.support.chats import LineChat, MemberChat
from tests.support.harness import Harness
from tests.support.onboarding import onboard
from tests.support.operators import (
    OPERATOR_LINE,
    OPERATOR_TELEGRAM,
    engine_running,
    operated_bot,
    operator_chat,
)


@pytest.fixture
async def operated(database_url: str, redis_url: str | None) -> AsyncIterator[Harness]:
    """The bot with one operator on each chat platform."""
    async with operated_bot(database_url, redis_url) as running:
        yield running


@pytest.fixture
async def sending(operated: Harness) -> AsyncIterator[None]:
    """The dispatcher's engine of the operated bot (the suite's `worker` runs another's)."""
    async with engine_running(operated):
        yield


async def open_list(chat: MemberChat) -> SentMessage:
    """/admin, then the do-not-contact list."""
    await chat.send("/admin")
    await chat.press(await chat.next(), "adm:dnc")
    return await chat.next()


async def add(chat: MemberChat, text: str) -> str:
    """Add the addresses in `text`; the answer."""
    await chat.press(await open_list(chat), "adm:dnc:add")
    await chat.next()  # send the numbers
    await chat.send(text)
    return (await chat.next()).text or ""


async def remove(chat: MemberChat, typed: str) -> str:
    """Remove one address; the answer."""
    await chat.press(await open_list(chat), "adm:dnc:del")
    await chat.next()  # which one
    await chat.send(typed)
    return (await chat.next()).text or ""


async def test_the_operator_adds_removes_and_exports_the_list(operated: Harness) -> None:
    chat = operator_chat(operated)
    assert "holds 0 addresses" in ((await open_list(chat)).text or "")

    answer = await add(
        chat,
        "+34 612 34 56 78\n0044 20 7946 0958, 612345678; +34 6123\n"
        "call me maybe\nTelegram:4242\n+34612345678",
    )
    assert answer.startswith("Added 3 addresses to the do-not-contact list.")
    assert "3 entries are not addresses, and were not added:" in answer
    assert "• 612345678: no country code: write it with + and the country code" in answer
    assert "• +34 6123: too short" in answer
    assert "• call me maybe: not a phone number" in answer
    entries = await Suppression.filter(member=None).order_by("id")
    service = operated.app.services.do_not_contact
    assert [(service.readable(e), e.channel, e.source, e.detail) for e in entries] == [
        ("+34612345678", "phone", SuppressionSource.OPERATOR, "telegram:900001"),
        ("+442079460958", "phone", SuppressionSource.OPERATOR, "telegram:900001"),
        ("telegram:4242", "telegram", SuppressionSource.OPERATOR, "telegram:900001"),
    ]
    # Filed as every opt-out is: a number under its keyed hash, never in the clear.
    sealer = operated.app.services.sealer
    assert [e.key for e in entries[:2]] == [
        sealer.lookup("+34612345678"),
        sealer.lookup("+442079460958"),
    ]
    assert entries[0].address not in (None, "+34612345678"), "the copy is sealed"
    again = await add(chat, "(+34) 612-345-678")
    assert again == "Added 0 addresses to the do-not-contact list.\n1 was on it already."

    overview = (await open_list(chat)).text or ""
    assert "holds 3 addresses" in overview
    assert "• telegram:4242" in overview
    await chat.press(await open_list(chat), "adm:dnc:csv")
    exported = list(csv.DictReader(io.StringIO((await document(chat)).decode("utf-8-sig"))))
    assert [(row["address"], row["added_by"]) for row in exported] == [
        ("'+34612345678", "telegram:900001"),  # a leading "+" would be a formula in a sheet
        ("'+442079460958", "telegram:900001"),
        ("telegram:4242", "telegram:900001"),
    ]

    line = LineChat(operated.sandbox.line, OPERATOR_LINE, language="en")
    assert "+442079460958 is off the do-not-contact list" in await remove(line, "00442079460958")
    assert "+442079460958 is not on the do-not-contact list" in await remove(line, "+442079460958")
    assert await remove(line, "nobody") == "Nothing removed: • nobody: not a phone number"
    assert await Suppression.filter(member=None).count() == 2


async def test_a_number_the_operator_adds_is_skipped_at_once(
    operated: Harness, sending: None
) -> None:
    member_chat = operated.chat(Platform.TELEGRAM)
    await onboard(member_chat, timezone="Europe/Madrid")
    member = await Member.get()
    operated.sandbox.telegram.add_user(4101)
    operated.sandbox.telegram.add_user(4102)
    customers = await audience(
        operated,
        member,
        [{"telegram_id": 4101, "phone": "+34612345678"}, {"telegram_id": 4102}],
    )
    # The operator is also on a member's list (came through an opt-in link, say): what they
    # type in /admin is still theirs, not a reply to that member.
    await audience(operated, member, [{"telegram_id": OPERATOR_TELEGRAM}], name="Friends")

    chat = operator_chat(operated)
    assert (await add(chat, "+34 612 345 678")).startswith("Added 1 address")
    assert not await InboundReply.exists()

    campaigns = operated.app.services.campaigns
    draft = Draft(name="News", list_ids=[customers.id], text="Hi", channels=[Channel.TELEGRAM])
    campaign = await campaigns.launch(await campaigns.save(member, draft))
    async with asyncio.timeout(10):
        while (await Campaign.get(id=campaign.id)).status is not CampaignStatus.FINISHED:  # noqa: ASYNC110
            await asyncio.sleep(0.02)
    assert [m.text for m in operated.sandbox.telegram.inbox(4102)] == ["Hi"]
    assert operated.sandbox.telegram.inbox(4101) == []
    skipped = await Delivery.get(campaign_id=campaign.id, contact__telegram_id=4101)
    assert skipped.error_code == "opted_out"

    report = await _import(
        member_chat, "more.csv", b"phone\n612 345 678\n612 345 679\n", list_name="More"
    )
    assert "Skipped, opted out: 1" in report, "a national number of the member's own region"


async def test_a_members_forged_list_buttons_do_nothing(operated: Harness) -> None:
    member = operated.chat(Platform.LINE)  # LINE lets anyone post any payload
    await onboard(member)
    line = operated.sandbox.line
    for payload in ("adm:dnc", "adm:dnc:add", "adm:dnc:csv", "adm:dnc:del"):
        await line.press_postback(member.user_id, payload)
        answer = (await member.next()).text or ""
        assert "expired" in answer, payload
        assert "do-not-contact" not in answer
    await member.send("+34 612 345 678")
    assert "didn't understand" in ((await member.next()).text or "")
    assert await Suppression.all().count() == 0
