"""The Redis client every process shares queues its commands for a connection: a burst that
needs more connections than the pool holds waits, where redis-py's default pool refuses."""

from __future__ import annotations

import asyncio

import pytest

from bot.app import REDIS_CONNECTIONS, connect_redis


async def test_more_commands_than_connections_wait_their_turn(redis_url: str | None) -> None:
    if redis_url is None:
        pytest.skip("postgres+redis configuration only (TEST_REDIS_URL)")
    redis = connect_redis(redis_url)
    try:
        # Each BLPOP holds its connection for its whole timeout: twice the pool at once.
        waits = [redis.blpop([f"burst:{n}"], timeout=0.2) for n in range(2 * REDIS_CONNECTIONS)]
        assert await asyncio.gather(*waits) == [None] * (2 * REDIS_CONNECTIONS)
    finally:
        await redis.aclose()
