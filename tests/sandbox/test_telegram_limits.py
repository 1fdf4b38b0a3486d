"""Telegram's flood control in the sandbox, opt-in, as the real aiogram Bot sees it.

The window follows the sandbox's clock: a test moves it instead of sleeping, so every
arrival time here is exact.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramRetryAfter
from aiohttp.test_utils import TestServer

from bot.sandbox import FloodControl, Sandbox, TelegramLimits
from tests.sandbox.helpers import MovableClock, Served, make_bot

FIRST_CHAT = 5000


@pytest.fixture
async def limited() -> AsyncIterator[Served]:
    """A sandbox enforcing Telegram's limits (30/s per bot, 1/s per chat), with a movable
    clock, and 100 people who started the bot."""
    clock = MovableClock()
    sandbox = Sandbox(seed=7, clock=clock, telegram_limits=TelegramLimits())
    for chat_id in range(FIRST_CHAT, FIRST_CHAT + 100):
        sandbox.telegram.add_user(chat_id)
    server = TestServer(sandbox.app, host="127.0.0.1")
    await server.start_server()
    try:
        yield Served(sandbox, str(server.make_url("")).rstrip("/"), clock)
    finally:
        await sandbox.close()
        await server.close()
    assert not sandbox.violations, sandbox.violations


@pytest.fixture
async def limited_bot(limited: Served) -> AsyncIterator[Bot]:
    client = make_bot(limited)
    try:
        yield client
    finally:
        await client.session.close()


def _answers(sandbox: Sandbox) -> list[int]:
    return [call.status for call in sandbox.calls if call.method == "sendMessage"]


async def test_a_burst_past_30_a_second_is_answered_429_with_retry_after(
    limited: Served, limited_bot: Bot
) -> None:
    sandbox = limited.sandbox
    for offset in range(30):
        await limited_bot.send_message(FIRST_CHAT + offset, "offer")
    limited.clock.advance(seconds=0.4)
    with pytest.raises(TelegramRetryAfter) as refused:
        await limited_bot.send_message(FIRST_CHAT + 30, "offer")
    # 0.6 s until the first of the 30 leaves the window: Telegram says whole seconds.
    assert refused.value.retry_after == 1
    assert sandbox.telegram.inbox(FIRST_CHAT + 30) == []
    last = sandbox.calls[-1]
    assert (last.status, last.fault) == (429, "flood_control")
    assert last.response == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }
    # Waiting as told is enough.
    limited.clock.advance(seconds=refused.value.retry_after)
    await limited_bot.send_message(FIRST_CHAT + 30, "offer")
    assert _answers(sandbox) == [200] * 30 + [429, 200]
    assert sandbox.telegram_flood is not None
    assert (sandbox.telegram_flood.refused, sandbox.telegram_flood.busiest) == (1, 30)


async def test_a_stream_paced_under_30_a_second_is_never_refused(
    limited: Served, limited_bot: Bot
) -> None:
    sandbox = limited.sandbox
    for offset in range(100):
        await limited_bot.send_message(FIRST_CHAT + offset, "offer")
        limited.clock.advance(milliseconds=34)  # 29.4 a second
    assert _answers(sandbox) == [200] * 100
    assert sandbox.telegram_flood is not None
    assert sandbox.telegram_flood.busiest == 30


async def test_a_second_message_to_one_chat_within_a_second_is_refused(
    limited: Served, limited_bot: Bot
) -> None:
    await limited_bot.send_message(FIRST_CHAT, "offer")
    limited.clock.advance(seconds=0.5)
    with pytest.raises(TelegramRetryAfter) as refused:
        await limited_bot.send_message(FIRST_CHAT, "reminder")
    assert refused.value.retry_after == 1
    await limited_bot.send_message(FIRST_CHAT + 1, "offer")  # other chats are not held
    limited.clock.advance(seconds=0.5)
    await limited_bot.send_message(FIRST_CHAT, "reminder")
    assert [m.text for m in limited.sandbox.telegram.inbox(FIRST_CHAT)] == ["offer", "reminder"]


async def test_only_messages_count(limited: Served, limited_bot: Bot) -> None:
    for offset in range(30):
        await limited_bot.send_message(FIRST_CHAT + offset, "offer")
    me = await limited_bot.get_me()  # not a message: no 429
    assert me.is_bot
    with pytest.raises(TelegramRetryAfter):
        await limited_bot.send_photo(FIRST_CHAT + 30, "https://example.com/a.png")


async def test_without_limits_the_sandbox_never_throttles(bot: Bot, sandbox: Sandbox) -> None:
    for offset in range(40):
        sandbox.telegram.add_user(FIRST_CHAT + offset)
        await bot.send_message(FIRST_CHAT + offset, "offer")
    await bot.send_message(FIRST_CHAT, "again")
    assert sandbox.telegram_flood is None
    assert _answers(sandbox) == [200] * 41


def test_retry_after_rounds_the_wait_up_to_whole_seconds() -> None:
    flood = FloodControl(TelegramLimits(per_bot=2, per_chat=None, window=3.0))
    assert flood.admit("token", 1, 10.0) is None
    assert flood.admit("token", 2, 10.5) is None
    assert flood.admit("token", 3, 10.6) == 3  # 2.4 s until 10.0 leaves the window
    assert flood.admit("token", 3, 13.0) is None  # 10.0 left it exactly now
    assert flood.admit("other", 4, 13.0) is None  # each bot token has its own window
    assert (flood.refused, flood.busiest) == (1, 2)
