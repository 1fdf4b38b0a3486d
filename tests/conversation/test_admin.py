"""The operator's /admin: only the configured operators get in, whatever a payload says."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from models import Member, Platform, UsageRecord
from tests.support.chats import LineChat, TelegramChat, button_data
from tests.support.harness import Harness
from tests.support.onboarding import onboard
from tests.support.operators import OPERATOR_LINE, OPERATOR_TELEGRAM, operated_bot


@pytest.fixture
async def operated(database_url: str, redis_url: str | None) -> AsyncIterator[Harness]:
    """The bot with one operator on each chat platform."""
    async with operated_bot(database_url, redis_url) as running:
        yield running


async def test_the_operator_sees_the_service_statistics(operated: Harness) -> None:
    member_chat = operated.chat(Platform.LINE)
    await onboard(member_chat)
    member = await Member.get()
    now = operated.clock()
    for channel, status, units in [("telegram", "sent", 1)] * 3 + [("telegram", "failed", 0)]:
        await UsageRecord.create(
            member_id=member.id,
            sent_at=now,
            channel=channel,
            account="1",
            recipient="1",
            units=units,
            status=status,
        )

    for operator in (
        TelegramChat(operated.sandbox.telegram, OPERATOR_TELEGRAM, language="en"),
        LineChat(operated.sandbox.line, OPERATOR_LINE, language="en"),
    ):
        await operator.send("/admin")
        menu = await operator.next()
        assert button_data(menu) == [
            "adm:stats",
            "adm:members",
            "adm:appeals",
            "adm:review",
            "adm:rules",
            "adm:notice",
            "adm:dnc",
        ], operator.platform
        await operator.press(menu, "adm:stats")
        text = (await operator.next()).text or ""
        assert "Members: 1 (1 active, 0 suspended, 0 signing up, 0 deleted)" in text
        assert "• Telegram: 3 sent, 1 refused (25% failed)" in text


async def test_anyone_else_is_answered_as_if_there_were_no_admin(operated: Harness) -> None:
    member = operated.chat(Platform.TELEGRAM)
    await onboard(member)
    await member.send("/admin")
    assert "I don't know the command /admin" in ((await member.next()).text or "")

    intruder = operated.chat(Platform.LINE)  # LINE lets anyone post any payload
    await onboard(intruder)
    await operated.sandbox.line.press_postback(intruder.user_id, "adm:stats")
    answer = (await intruder.next()).text or ""
    assert "expired" in answer
    assert "Members:" not in answer

    stranger = operated.chat(Platform.LINE)  # never started the bot
    operated.sandbox.line.add_user(stranger.user_id)
    await operated.sandbox.line.press_postback(stranger.user_id, "adm:stats")
    assert "Members:" not in ((await stranger.next()).text or "")
