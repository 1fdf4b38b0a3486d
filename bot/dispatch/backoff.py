"""How long a worker loop waits after a failure before it tries again.

A worker outlives its services: when Redis or the database goes away (a restart, a failover),
every call fails at once. Without a pause the loop would take and fail every queued chunk in a
second (each then waits out DISPATCH_RECLAIM_SECONDS before anyone takes it again) and fill the
log; with it, the worker tries again every few seconds and carries on as soon as the service is
back. The clients reconnect by themselves on the next call: redis-py opens a new connection
from its pool, and asyncpg's pool replaces a connection the server closed when it is acquired.
"""

from __future__ import annotations

import asyncio
import random

# Short, because the service is usually back within seconds; capped, so a worker notices
# the return within this long.
_FIRST_SECONDS = 0.25
_MAX_SECONDS = 4.0


class Backoff:
    """Exponential waits with jitter after consecutive failures; reset by a success."""

    def __init__(self, *, rng: random.Random | None = None) -> None:
        self._failures = 0
        # Jitter only keeps workers from retrying in step; it needs no secrecy.
        self._rng = rng or random.Random()  # noqa: S311

    def reset(self) -> None:
        """A call went through: the next failure waits the shortest time again."""
        self._failures = 0

    async def wait(self, stop: asyncio.Event) -> None:
        """Wait after one more failure; returns at once when `stop` is set."""
        self._failures += 1
        ceiling = min(_MAX_SECONDS, _FIRST_SECONDS * 2 ** (self._failures - 1))
        try:
            await asyncio.wait_for(stop.wait(), timeout=self._rng.uniform(0.5, 1.0) * ceiling)
        except TimeoutError:
            return
