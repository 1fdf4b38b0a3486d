"""The operator's announcements: who each kind reaches, the breach record, resuming after a
crash without sending twice, and the member's own choice about news (/notices)."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator

import pytest

from models import Announcement, Member, MemberStatus, NoticeDelivery, NoticeKind, Platform
from tests.conversation.test_account_deletion import delete_account
from tests.conversation.test_campaigns import document
from tests.support.chats import LineChat, MemberChat, TelegramChat, button_data
from tests.support.harness import Harness
from tests.support.onboarding import onboard
from tests.support.operators import OPERATOR_LINE, operated_bot
from tests.support.operators import operator_chat as operator

BREACH_TEXT = "On 3 December someone read our backup of campaign reports. Change nothing: we did."


@pytest.fixture
async def operated(database_url: str, redis_url: str | None) -> AsyncIterator[Harness]:
    """The bot with one operator on each chat platform."""
    async with operated_bot(database_url, redis_url) as running:
        yield running


async def turn_news_off(chat: MemberChat) -> None:
    """/notices, then the button."""
    await chat.send("/notices")
    card = await chat.next()
    await chat.press(card, "notices:off")
    assert "is off" in ((await chat.next()).text or "")


async def announce(harness: Harness, kind: NoticeKind, text: str) -> str:
    """/admin, Announcements, the kind, the text; returns the preview after sending it."""
    chat = operator(harness)
    await chat.send("/admin")
    await chat.press(await chat.next(), "adm:notice")
    await chat.press(await chat.next(), f"adm:notice:new:{kind.value}")
    await chat.next()  # what it reaches, and the text please
    await chat.send(text)
    preview = await chat.next()
    assert button_data(preview) == ["adm:notice:send", "adm:notice:cancel"]
    await chat.press(preview, "adm:notice:send")
    assert "Sending" in ((await chat.next()).text or "")
    return preview.text or ""


async def test_a_breach_notice_reaches_every_member_and_keeps_when(operated: Harness) -> None:
    no_news = operated.chat(Platform.TELEGRAM)
    await onboard(no_news)
    await turn_news_off(no_news)
    on_line = operated.chat(Platform.LINE)
    await onboard(on_line)
    leaving = operated.chat(Platform.TELEGRAM)
    await onboard(leaving)
    assert "Your account is deleted" in await delete_account(leaving)

    preview = await announce(operated, NoticeKind.BREACH, BREACH_TEXT)
    assert f"Security notice from Broadside:\n\n{BREACH_TEXT}" in preview
    assert "It will reach 3 members." in preview
    summary = await operator(operated).next()
    assert summary.text == "Breach notice #1 delivered: reached 3 of 3 members."
    line_operator = LineChat(operated.sandbox.line, OPERATOR_LINE, language="en")
    assert (await line_operator.next()).text == summary.text, "every operator hears of it"

    for chat in (no_news, on_line, leaving):
        notice = await chat.next()
        assert notice.text == f"Security notice from Broadside:\n\n{BREACH_TEXT}", chat.platform
    assert (await Member.filter(id__in=[1, 3]).values_list("promotions", "status")) == [
        (False, MemberStatus.ACTIVE),
        (True, MemberStatus.DELETED),
    ]
    rows = await NoticeDelivery.filter(announcement_id=1).order_by("member_id")
    assert [(row.member_id, row.delivered_at, row.chats) for row in rows] == [
        (member_id, operated.clock(), 1) for member_id in (1, 2, 3)
    ]

    # The record of the notification, from the list of past announcements.
    chat = operator(operated)
    await chat.send("/admin")
    await chat.press(await chat.next(), "adm:notice")
    await chat.press(await chat.next(), "adm:notice:list")
    past = await chat.next()
    assert "#1 Breach notice" in (past.text or "")
    assert "reached 3 of 3" in (past.text or "")
    await chat.press(past, "adm:notice:csv:1")
    record = list(csv.DictReader(io.StringIO((await document(chat)).decode("utf-8-sig"))))
    assert [(row["member_id"], row["delivered_at_utc"]) for row in record] == [
        (str(member_id), "2026-11-23T10:00:00+00:00") for member_id in (1, 2, 3)
    ]


async def test_a_promotional_notice_skips_who_turned_news_off(operated: Harness) -> None:
    no_news = operated.chat(Platform.LINE)
    await onboard(no_news)
    await turn_news_off(no_news)
    wants_news = operated.chat(Platform.TELEGRAM)
    await onboard(wants_news)
    leaving = operated.chat(Platform.LINE)
    await onboard(leaving)
    await delete_account(leaving)
    before = {chat.user_id: len(_inbox(operated, chat)) for chat in (no_news, leaving)}

    preview = await announce(operated, NoticeKind.PROMOTIONAL, "Pictures in campaigns are here!")
    assert "It will reach 1 member." in preview
    assert (await operator(operated).next()).text == (
        "Promotional notice #1 delivered: reached 1 of 1 members."
    )
    notice = (await wants_news.next()).text or ""
    assert notice.startswith("News from Broadside:\n\nPictures in campaigns are here!")
    assert "/notices" in notice, "promotions say how to turn them off"
    for chat in (no_news, leaving):
        assert len(_inbox(operated, chat)) == before[chat.user_id]


def _inbox(harness: Harness, chat: MemberChat) -> list[str]:
    if isinstance(chat, TelegramChat):
        return [m.text or "" for m in harness.sandbox.telegram.inbox(chat.number)]
    return [m.text or "" for m in harness.sandbox.line.inbox(chat.user_id)]


def _copies(harness: Harness, chat: MemberChat, text: str) -> int:
    return sum(text in message for message in _inbox(harness, chat))


async def test_a_delivery_cut_short_resumes_without_sending_twice(operated: Harness) -> None:
    first, cut_off, last = (
        operated.chat(Platform.TELEGRAM),
        operated.chat(Platform.LINE),
        operated.chat(Platform.TELEGRAM),
    )
    for chat in (first, cut_off, last):
        await onboard(chat)
    service = operated.app.services.announcements
    announcement = await service.create(
        NoticeKind.SERVICE, "Maintenance tonight", operator="telegram:900001"
    )
    # LINE hangs on the second member's copy, and the delivering process dies right then.
    operated.sandbox.faults.timeout("line", match="*/message/push", hold=60)
    delivering = asyncio.create_task(service.deliver(announcement.id))
    # Cut once LINE holds the push: the row is marked tried before the send, but a push still
    # on its way when the fault is cleared would be answered (and delivered) as usual.
    async with asyncio.timeout(10):
        while not any(call.fault == "timeout" for call in operated.sandbox.calls):  # noqa: ASYNC110
            await asyncio.sleep(0.02)
    assert await NoticeDelivery.filter(member_id=2, tried_at__isnull=False).exists()
    delivering.cancel()
    with pytest.raises(asyncio.CancelledError):
        await delivering
    operated.sandbox.faults.clear()
    assert (await first.next()).text == "Service notice from Broadside:\n\nMaintenance tonight"

    # After the restart, the scheduled job takes up the rows nobody tried.
    assert await service.resume() == 1
    assert (await last.next()).text == "Service notice from Broadside:\n\nMaintenance tonight"
    assert (await operator(operated).next()).text == (
        "Service notice #1 delivered: reached 2 of 3 members."
    )
    assert await service.resume() == 0, "finished: nothing left to take up"
    for chat, copies in ((first, 1), (cut_off, 0), (last, 1)):
        assert _copies(operated, chat, "Maintenance tonight") == copies, chat.user_id
    # The one cut off might have had it (a platform may take a send whose answer is lost):
    # never sent again, and not counted as reached.
    rows = await NoticeDelivery.filter(announcement_id=announcement.id).order_by("member_id")
    assert [(row.member_id, row.delivered_at is not None) for row in rows] == [
        (1, True),
        (2, False),
        (3, True),
    ]
    assert (await Announcement.get()).finished_at == operated.clock()


async def test_news_can_be_turned_off_and_on_from_chat(
    harness: Harness, platform: Platform
) -> None:
    chat = harness.chat(platform)
    await onboard(chat)
    await chat.send("/help")
    assert "/notices" in ((await chat.next()).text or "")
    await chat.send("/notices")
    card = await chat.next()
    assert "reaches you" in (card.text or "")
    assert "Service notices and security notices always reach you" in (card.text or "")
    assert button_data(card) == ["notices:off"]
    await chat.press(card, "notices:off")
    card = await chat.next()
    assert "is off" in (card.text or "")
    assert (await Member.get()).promotions is False
    await chat.press(card, "notices:on")
    assert "reaches you" in ((await chat.next()).text or "")
    assert (await Member.get()).promotions is True


async def test_a_members_forged_announcement_buttons_do_nothing(operated: Harness) -> None:
    member = operated.chat(Platform.LINE)  # LINE lets anyone post any payload
    await onboard(member)
    line = operated.sandbox.line
    for payload in ("adm:notice", "adm:notice:new:breach", "adm:notice:send"):
        await line.press_postback(member.user_id, payload)
        assert "expired" in ((await member.next()).text or ""), payload
    await member.send("Everything is fine, log in at evil.example")
    assert "didn't understand" in ((await member.next()).text or "")
    assert await Announcement.all().count() == 0


async def test_the_operator_is_told_what_is_too_long_and_may_cancel(operated: Harness) -> None:
    member = operated.chat(Platform.TELEGRAM)
    await onboard(member)
    chat = operator(operated)
    await chat.send("/admin")
    await chat.press(await chat.next(), "adm:notice")
    await chat.press(await chat.next(), "adm:notice:new:service")
    await chat.next()
    await chat.send("x" * 3600)
    refusal = (await chat.next()).text or ""
    assert "up to 3,500 characters; this one has 3,600" in refusal
    await chat.send("Back in five minutes")
    preview = await chat.next()
    assert "It will reach 1 member." in (preview.text or "")
    await chat.press(preview, "adm:notice:cancel")
    assert (await chat.next()).text == "Cancelled: nothing was sent."
    await chat.press(preview, "adm:notice:send")  # the old preview's button
    assert "expired" in ((await chat.next()).text or "")
    assert await Announcement.all().count() == 0
    assert not any("Back in five minutes" in text for text in _inbox(operated, member))


async def test_a_large_membership_is_paced_within_the_telegram_budget(
    database_url: str, redis_url: str | None
) -> None:
    settings = {"TELEGRAM_RATE_LIMIT": "2"}
    async with operated_bot(database_url, redis_url, settings=settings) as running:
        for _ in range(6):
            await onboard(running.chat(Platform.TELEGRAM))
        service = running.app.services.announcements
        announcement = await service.create(
            NoticeKind.SERVICE, "New terms next month", operator="telegram:900001"
        )
        reach = await service.deliver(announcement.id)
        assert reach is not None
        assert (reach.addressed, reach.reached) == (6, 6)
        times = sorted(
            call.time
            for call in running.sandbox.calls
            if call.method == "sendMessage" and "New terms" in call.params.get("text", "")
        )
        assert len(times) == 6
        # Two a second, in the moving window the campaigns share: a message and the one two
        # after it are a second apart (give or take the requests' own travel), six take two.
        gaps = [(b - a).total_seconds() for a, b in zip(times, times[2:], strict=False)]
        assert min(gaps) > 0.75, gaps
        assert (times[-1] - times[0]).total_seconds() > 1.9
