"""Which webhook events were already handled: platforms redeliver, we act once.

LINE redelivers an event it thinks was missed (same webhookEventId, isRedelivery), WhatsApp
repeats a message or status until it is acknowledged, and a Telegram update can arrive twice
around a webhook switch. Each event's platform id is written once, in the database (every
process sees it, and it outlives a restart); the second writer learns it was not first.

The log is written in groups: the keys that arrive while one INSERT is on its way go together
in the next, so a burst of webhooks costs a statement and a commit per group, not per event
(on PostgreSQL each commit waits for its WAL to reach the disk). An event alone is written at
once: nothing waits for a group to fill.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from tortoise import connections

from bot.services.clock import Clock
from bot.sql import fetch_returning
from models import InboundEvent

# Platforms give up redelivering within hours (LINE, Meta: up to a day or so); a week is ample.
KEEP_FOR = timedelta(days=7)
KEY_CHARS = 160  # InboundEvent.key's length
# Keys per statement: two parameters each, far under every driver's limit (SQLite 32,766).
_GROUP = 1_000


class InboundLog:
    """Remembers processed events by their platform id."""

    def __init__(self, *, clock: Clock) -> None:
        self._clock = clock
        self._waiting: list[tuple[str, asyncio.Future[bool]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def first_time(self, key: str) -> bool:
        """True the first time this key is seen, False for every redelivery after it.

        Returns once the key is committed: an event is acted on only after its record holds.
        """
        answer = asyncio.get_running_loop().create_future()
        self._waiting.append((key[:KEY_CHARS], answer))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_groups(), name="inbound-log")
        return await answer

    async def _write_groups(self) -> None:
        """Write what waits, group after group, until nothing does."""
        while self._waiting:
            group, self._waiting = self._waiting[:_GROUP], self._waiting[_GROUP:]
            try:
                firsts = await self._insert(list(dict.fromkeys(key for key, _ in group)))
            except Exception as error:  # noqa: BLE001 - each caller gets it, as if alone
                for _, answer in group:
                    if not answer.done():
                        answer.set_exception(error)
                continue
            for key, answer in group:
                # The same key twice in one group (a redelivery racing the original): the
                # first caller is first, the other is told it is a repeat.
                first = key in firsts
                firsts.discard(key)
                if not answer.done():  # a caller that gave up (cancelled) is not told
                    answer.set_result(first)

    async def _insert(self, keys: list[str]) -> set[str]:
        """Insert the keys not logged yet; the ones that were new."""
        connection = connections.get("default")
        now = self._clock()
        sql = (
            "INSERT INTO inbound_event (key, received_at) "  # noqa: S608 - placeholders only
            f"VALUES {', '.join(['(?, ?)'] * len(keys))} "
            "ON CONFLICT DO NOTHING RETURNING key"
        )
        params = [value for key in keys for value in (key, now)]
        return {row[0] for row in await fetch_returning(connection, sql, params)}

    async def purge_expired(self) -> int:
        """Forget events older than KEEP_FOR; how many."""
        return await InboundEvent.filter(received_at__lt=self._clock() - KEEP_FOR).delete()
