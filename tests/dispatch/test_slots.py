"""Send slots and the rate gate: a slot is held until a window after its request's answer,
so a platform counting on arrival never sees more than the limit in a second."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestServer
from redis.asyncio import Redis

from bot.dispatch.ratelimit import ChannelRates, MemoryPauses, RateGate, RedisPauses
from bot.dispatch.slots import HOLD_SECONDS, MemorySlots, RedisSlots
from bot.sandbox import Sandbox, TelegramLimits
from models import Channel
from tests.sandbox.helpers import MovableClock, Served, make_bot


class Seconds:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_takers_are_spaced_and_a_slot_is_held_until_a_window_after_its_answer() -> None:
    clock = Seconds()
    slots = MemorySlots(clock)
    assert await slots.take("tg:1", "a", limit=2, spacing=0.5) == 0
    clock.now += 0.2
    assert await slots.take("tg:1", "b", limit=2, spacing=0.5) == pytest.approx(0.3)
    clock.now += 0.35  # late: the next is still due on the schedule, at 101.0
    assert await slots.take("tg:1", "b", limit=2, spacing=0.5) == 0
    clock.now += 0.45
    # Both in flight: no one knows when they free; held at most HOLD_SECONDS.
    assert await slots.take("tg:1", "c", limit=2, spacing=0.5) == pytest.approx(HOLD_SECONDS - 1.0)
    clock.now += 0.25  # "a" answered late: its slot frees a window after the answer
    await slots.settle("tg:1", "a", window=1.0)
    clock.now += 0.5
    assert await slots.take("tg:1", "c", limit=2, spacing=0.5) == pytest.approx(0.5)
    assert await slots.take("tg:2", "d", limit=2, spacing=0.5) == 0  # another account
    clock.now += 0.5
    assert await slots.take("tg:1", "c", limit=2, spacing=0.5) == 0


async def test_redis_slots_count_alike(redis_url: str | None) -> None:
    if redis_url is None:
        pytest.skip("postgres+redis configuration only (TEST_REDIS_URL)")
    redis = Redis.from_url(redis_url)
    try:
        slots = RedisSlots(redis)
        assert await slots.take("tg:1", "a", limit=1, spacing=0.0) == 0
        assert await slots.take("tg:1", "b", limit=1, spacing=0.0) > HOLD_SECONDS - 1
        await slots.settle("tg:1", "a", window=0.2)
        assert 0 < await slots.take("tg:1", "b", limit=1, spacing=0.0) <= 0.2
        await asyncio.sleep(0.21)
        assert await slots.take("tg:1", "b", limit=1, spacing=0.0) == 0
    finally:
        await redis.aclose()


@pytest.fixture
async def strict() -> AsyncIterator[Served]:
    """A sandbox enforcing Telegram's limits on the real clock, with 90 people."""
    sandbox = Sandbox(telegram_limits=TelegramLimits())
    for chat_id in range(7000, 7090):
        sandbox.telegram.add_user(chat_id)
    server = TestServer(sandbox.app, host="127.0.0.1")
    await server.start_server()
    try:
        yield Served(sandbox, str(server.make_url("")).rstrip("/"), MovableClock())
    finally:
        await sandbox.close()
        await server.close()


async def test_sends_through_the_gate_never_trip_telegrams_flood_control(
    strict: Served, redis_url: str | None
) -> None:
    # Counted at send time, 30 a second went out exactly a second apart and arrived a little
    # less apart now and then: 429s. Ten senders at once, as a claim sends.
    redis = Redis.from_url(redis_url) if redis_url else None
    rates = ChannelRates(telegram=30, line=None, whatsapp=None)
    if redis is None:
        gate = RateGate(rates, slots=MemorySlots(), pauses=MemoryPauses())
    else:
        gate = RateGate(rates, slots=RedisSlots(redis), pauses=RedisPauses(redis))
    bot = make_bot(strict)
    queue = list(range(7000, 7090))

    async def sender() -> None:
        while queue:
            chat_id = queue.pop(0)
            async with gate.slot(Channel.TELEGRAM, "bot"):
                await bot.send_message(chat_id, "offer")

    try:
        started = asyncio.get_running_loop().time()
        await asyncio.gather(*(sender() for _ in range(10)))
        seconds = asyncio.get_running_loop().time() - started
    finally:
        await bot.session.close()
        if redis is not None:
            await redis.aclose()
    statuses = [call.status for call in strict.sandbox.calls if call.method == "sendMessage"]
    assert statuses == [200] * 90
    assert strict.sandbox.telegram_flood is not None
    assert strict.sandbox.telegram_flood.busiest == 30
    # 90 spaced at 30 a second: the last goes 89/30 s after the first, the window's rule adding
    # a round trip (milliseconds here) to each second.
    assert 89 / 30 < seconds < 89 / 30 * 1.05
