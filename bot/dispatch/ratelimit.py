"""Rate limits per channel and sending account, shared by every worker.

The counting is the `limits` library's moving window (exact: never more than the limit in
any one-second span, where a fixed window lets twice the limit through across a boundary),
in Redis when REDIS_URL is set so that all workers on all machines share one budget, in
memory otherwise. A 429 pauses the whole channel for the time the platform asked: every
worker waits, instead of each one finding out with a 429 of its own.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Protocol

from limits import RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from redis.asyncio import Redis

from models import Channel

_PAUSE_KEY = "broadside:pause:{}:{}"
_MAX_BURST = 10


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
    """Waits until a channel may make `requests` more requests."""

    def __init__(self, rates: ChannelRates, *, storage: Storage, pauses: Pauses) -> None:
        self._rates = rates
        self._limiter = MovingWindowRateLimiter(storage)
        self._pauses = pauses
        self._items = {
            channel: RateLimitItemPerSecond(int(limit))
            for channel in Channel
            if (limit := rates.for_channel(channel)) is not None
        }

    @classmethod
    def build(cls, rates: ChannelRates, *, redis_url: str | None, redis: Redis | None) -> RateGate:
        """In Redis when there is one, in memory otherwise."""
        if redis_url and redis is not None:
            # The app's own connection pool: one set of connections, closed with the app.
            storage: Storage = RedisStorage(
                f"async+{redis_url}",
                implementation="redispy",
                key_prefix="broadside:rate",
                connection_pool=redis.connection_pool,
            )
            return cls(rates, storage=storage, pauses=RedisPauses(redis))
        return cls(rates, storage=MemoryStorage(), pauses=MemoryPauses())

    def limited(self, channel: Channel) -> bool:
        """Whether the channel has a rate limit (0 in the settings turns it off)."""
        return channel in self._items

    def burst(self, channel: Channel) -> int:
        """How many messages to send at once: a limited channel's are spread over the second
        (sent as their slots come, not all at its end); an unlimited one takes any number."""
        item = self._items.get(channel)
        return max(1, min(item.amount, _MAX_BURST)) if item is not None else 1_000_000

    async def pause(self, channel: Channel, account: str, seconds: float) -> None:
        """A 429: the whole channel waits."""
        await self._pauses.pause(channel, account, seconds)

    async def wait(self, channel: Channel, account: str, requests: int) -> None:
        """Return once `requests` requests fit in the channel's limit (and no pause holds)."""
        # The pause may live in Redis and grow while we wait: look again after each wait.
        while (left := await self._pauses.remaining(channel, account)) > 0:  # noqa: ASYNC110
            await asyncio.sleep(left)
        item = self._items.get(channel)
        if item is None:
            return
        remaining = requests
        while remaining > 0:
            # The moving window refuses a cost above its amount: take it in slices.
            cost = min(remaining, item.amount)
            while not await self._limiter.hit(item, channel.value, account, cost=cost):
                stats = await self._limiter.get_window_stats(item, channel.value, account)
                await asyncio.sleep(max(0.001, stats.reset_time - time.time()))
            remaining -= cost
