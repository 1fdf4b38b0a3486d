"""Rate limits per channel and sending account, shared by every worker.

The counting is send slots (slots.py): a request takes one just before it goes and holds it
until a second after its answer, so no second at the platform, which counts on arrival, ever
holds more than the limit, whatever the network's jitter; in Redis when REDIS_URL is set so
that all workers on all machines share one budget, in memory otherwise. A 429 pauses the
whole channel for the time the platform asked: every worker waits, instead of each one
finding out with a 429 of its own.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Protocol

from redis.asyncio import Redis

from bot.dispatch.slots import MemorySlots, RedisSlots, Slots
from models import Channel

_PAUSE_KEY = "broadside:pause:{}:{}"
_MAX_BURST = 10
# The limits are per second.
_WINDOW_SECONDS = 1.0
# The longest a waiter sleeps before asking again: a slot held by a request in flight frees
# at its answer, which no one can foresee.
_MAX_NAP_SECONDS = 0.05


@dataclass(frozen=True, slots=True)
class ChannelRates:
    """Requests per second per sending account, by channel; None: unlimited. The defaults
    and their reasons live with the settings (TELEGRAM_RATE_LIMIT...)."""

    telegram: float | None
    line: float | None
    whatsapp: float | None

    def for_channel(self, channel: Channel) -> float | None:
        """The limit of one channel."""
        return getattr(self, channel.value)


class Pauses(Protocol):
    """Channel-wide pauses after a 429, seen by every worker."""

    async def pause(self, channel: Channel, account: str, seconds: float) -> None:
        """Hold every send on this channel and account for `seconds`."""
        ...

    async def remaining(self, channel: Channel, account: str) -> float:
        """Seconds left of the current pause (0 when none)."""
        ...


class MemoryPauses:
    """Pauses of one process."""

    def __init__(self) -> None:
        self._until: dict[tuple[Channel, str], float] = {}

    async def pause(self, channel: Channel, account: str, seconds: float) -> None:
        until = time.monotonic() + seconds
        self._until[channel, account] = max(until, self._until.get((channel, account), 0))

    async def remaining(self, channel: Channel, account: str) -> float:
        return max(0.0, self._until.get((channel, account), 0) - time.monotonic())


class RedisPauses:
    """Pauses shared through a Redis key that expires with the pause."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def pause(self, channel: Channel, account: str, seconds: float) -> None:
        milliseconds = max(1, int(seconds * 1000))
        key = _PAUSE_KEY.format(channel.value, account)
        # GT: a shorter pause reported by another worker never shortens a longer one.
        if not await self._redis.set(key, 1, px=milliseconds, nx=True):
            await self._redis.pexpire(key, milliseconds, gt=True)

    async def remaining(self, channel: Channel, account: str) -> float:
        milliseconds = await self._redis.pttl(_PAUSE_KEY.format(channel.value, account))
        return max(0, milliseconds) / 1000


class RateGate:
    """Hands out send slots within each channel's limit (see slots.py)."""

    def __init__(self, rates: ChannelRates, *, slots: Slots, pauses: Pauses) -> None:
        self._slots = slots
        self._pauses = pauses
        self._limits = {
            channel: limit for channel in Channel if (limit := rates.for_channel(channel))
        }
        self._locks: dict[str, asyncio.Lock] = {}

    @classmethod
    def build(cls, rates: ChannelRates, *, redis_url: str | None, redis: Redis | None) -> RateGate:
        """In Redis when there is one, in memory otherwise."""
        if redis_url and redis is not None:
            # The app's own connection pool: one set of connections, closed with the app.
            return cls(rates, slots=RedisSlots(redis), pauses=RedisPauses(redis))
        return cls(rates, slots=MemorySlots(), pauses=MemoryPauses())

    def limited(self, channel: Channel) -> bool:
        """Whether the channel has a rate limit (0 in the settings turns it off)."""
        return channel in self._limits

    def burst(self, channel: Channel) -> int:
        """How many messages one claim has in flight at once: a limited channel's each take
        their slot as it comes (enough at once to cover a round trip of a few hundred
        milliseconds at the limit); an unlimited one takes any number."""
        limit = self._limits.get(channel)
        return max(1, min(int(limit), _MAX_BURST)) if limit is not None else 1_000_000

    async def pause(self, channel: Channel, account: str, seconds: float) -> None:
        """A 429: the whole channel waits."""
        await self._pauses.pause(channel, account, seconds)

    @asynccontextmanager
    async def slot(self, channel: Channel, account: str) -> AsyncIterator[None]:
        """One request's slot: make the request inside; the slot is held until a second
        after it ends (its answer, or its failure)."""
        taken = await self._take(channel, account)
        try:
            yield
        finally:
            if taken is not None:
                await self._slots.settle(taken[0], taken[1], window=_WINDOW_SECONDS)

    async def wait(self, channel: Channel, account: str, requests: int) -> None:
        """Return once `requests` requests may go (and no pause holds), their slots counted
        from now: for requests whose answers come back elsewhere (notices, LINE multicasts
        packing hundreds of recipients, whose limit is far from binding)."""
        for _ in range(requests):
            taken = await self._take(channel, account)
            if taken is None:
                return
            await self._slots.settle(taken[0], taken[1], window=_WINDOW_SECONDS)

    async def _take(self, channel: Channel, account: str) -> tuple[str, str] | None:
        """Wait for a slot and take it: (key, member), or None when the channel is unlimited."""
        await self._paused(channel, account)
        limit = self._limits.get(channel)
        if limit is None:
            return None
        key, member = f"{channel.value}:{account}", secrets.token_hex(8)
        most, spacing = max(1, int(limit)), 1 / limit
        # One waiter of this process asks at a time: the others would wake together and ask
        # in vain (a Redis round trip each). FIFO: claims take their turns.
        async with self._locks.setdefault(key, asyncio.Lock()):
            while wait := await self._slots.take(key, member, limit=most, spacing=spacing):
                await asyncio.sleep(min(wait, _MAX_NAP_SECONDS))
                await self._paused(channel, account)
        return key, member

    async def _paused(self, channel: Channel, account: str) -> None:
        # The pause may live in Redis and grow while we wait: look again after each wait.
        while (left := await self._pauses.remaining(channel, account)) > 0:  # noqa: ASYNC110
            await asyncio.sleep(left)
