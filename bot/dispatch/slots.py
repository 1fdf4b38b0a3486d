"""Send slots: the count behind the rate limits, in memory or in Redis.

A platform counts a request when it arrives, which is somewhere between our sending it and
its answer coming back; we know neither the moment nor the network's jitter. So a slot is
taken just before the request goes and is held until a whole window after its answer: no
window at the platform can then hold more requests than the limit, whatever the jitter
(request k + limit leaves after k's answer + window, so it arrives a window after k did).
The price is one round trip per window: on loopback a few milliseconds a second (under 1%
of the limit), to a platform tens. Counting at send time instead (the `limits` library's
moving window did) left no room for jitter at all: against a sandbox counting on arrival,
a 30/s campaign got 378 429s a minute and used 77% of the limit.

Takers are also spaced by 1/limit seconds, so the requests go one by one, not in bursts
that queue at the platform and lengthen everyone's round trip. The spacing follows a
schedule, not the last take: a taker that wakes a millisecond late (asyncio's timers, a
busy core) does not push every later one back, which at 30 a second would lose 3% of the
limit; one later than the spacing lets the next go at once. A slot never answered (its
worker died mid-request) frees itself after HOLD_SECONDS.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from redis.asyncio import Redis

HOLD_SECONDS = 60.0
_KEY = "broadside:slots:{}"
_NEXT_KEY = "broadside:slots:{}:next"

# KEYS: the slots (a sorted set: member -> microsecond it frees at), the next take's time.
# ARGV: limit, spacing us, hold us, member. Returns 0 (taken) or the microseconds to wait.
# Redis's own clock: workers on several machines share one time line.
_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local limit, spacing, hold = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local wait = 0
local next = tonumber(redis.call('GET', KEYS[2]) or now)
if next > now then wait = next - now end
if redis.call('ZCARD', KEYS[1]) >= limit then
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  wait = math.max(wait, tonumber(first[2]) - now)
end
if wait > 0 then return wait end
redis.call('ZADD', KEYS[1], now + hold, ARGV[4])
redis.call('PEXPIRE', KEYS[1], math.ceil(hold / 1000))
next = math.max(next, now - spacing) + spacing
redis.call('SET', KEYS[2], next, 'PX', math.ceil((next - now) / 1000) + 1000)
return 0
"""
# KEYS: the slots. ARGV: member, window us. Held a window from now (if it did not expire).
_SETTLE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
return 0
"""


class Slots(Protocol):
    """Slots per key (a channel and sending account), shared by whoever shares the store."""

    async def take(self, key: str, member: str, *, limit: int, spacing: float) -> float:
        """Take a slot for `member` if one is free and the last take is `spacing` seconds
        old: 0.0; else the seconds to wait before asking again (nothing taken)."""
        ...

    async def settle(self, key: str, member: str, *, window: float) -> None:
        """The request answered: its slot frees `window` seconds from now."""
        ...


class MemorySlots:
    """Slots of one process."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._frees: dict[str, dict[str, float]] = {}
        self._next: dict[str, float] = {}

    async def take(self, key: str, member: str, *, limit: int, spacing: float) -> float:
        now = self._clock()
        held = self._frees.setdefault(key, {})
        for name in [name for name, frees in held.items() if frees <= now]:
            del held[name]
        following = self._next.get(key, now)
        wait = following - now
        if len(held) >= limit:
            wait = max(wait, min(held.values()) - now)
        if wait > 0:
            return wait
        held[member] = now + HOLD_SECONDS
        self._next[key] = max(following, now - spacing) + spacing
        return 0.0

    async def settle(self, key: str, member: str, *, window: float) -> None:
        held = self._frees.get(key)
        if held is not None and member in held:
            held[member] = self._clock() + window


class RedisSlots:
    """Slots shared by every worker through Redis (two small Lua scripts, atomic)."""

    def __init__(self, redis: Redis) -> None:
        self._take = redis.register_script(_TAKE)
        self._settle = redis.register_script(_SETTLE)

    async def take(self, key: str, member: str, *, limit: int, spacing: float) -> float:
        keys = [_KEY.format(key), _NEXT_KEY.format(key)]
        micros = round(spacing * 1e6), round(HOLD_SECONDS * 1e6)
        wait = await self._take(keys=keys, args=[limit, *micros, member])
        return int(wait) / 1e6

    async def settle(self, key: str, member: str, *, window: float) -> None:
        await self._settle(keys=[_KEY.format(key)], args=[member, round(window * 1e6)])
