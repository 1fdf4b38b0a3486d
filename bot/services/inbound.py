"""Which webhook events were already handled: platforms redeliver, we act once.

LINE redelivers an event it thinks was missed (same webhookEventId, isRedelivery), WhatsApp
repeats a message or status until it is acknowledged, and a Telegram update can arrive twice
around a webhook switch. Each event's platform id is written once, in the database (every
process sees it, and it outlives a restart); the second writer learns it was not first.

The log is written in groups (bot/grouped.py): a burst of webhooks costs a statement and a
commit per group, not per event.
"""

from __future__ import annotations

from datetime import timedelta

from tortoise import connections

from bot.grouped import Grouped
from bot.services.clock import Clock
from bot.sql import fetch_returning
from models import InboundEvent

# Platforms give up redelivering within hours (LINE, Meta: up to a day or so); a week is ample.
KEEP_FOR = timedelta(days=7)
KEY_CHARS = 160  # InboundEvent.key's length


class InboundLog:
    """Remembers processed events by their platform id."""

    def __init__(self, *, clock: Clock) -> None:
        self._clock = clock
        self._first_times = Grouped(self._first_in_group, name="inbound-log")

    async def first_time(self, key: str) -> bool:
        """True the first time this key is seen, False for every redelivery after it.

        Returns once the key is committed: an event is acted on only after its record holds.
        """
        return await self._first_times(key[:KEY_CHARS])

    async def _first_in_group(self, keys: list[str]) -> list[bool]:
        firsts = await self._insert(list(dict.fromkeys(keys)))
        answers = []
        for key in keys:
            # The same key twice in one group (a redelivery racing the original): the first
            # caller is first, the other is told it is a repeat.
            answers.append(key in firsts)
            firsts.discard(key)
        return answers

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
