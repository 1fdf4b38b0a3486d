"""Which webhook events were already handled: platforms redeliver, we act once.

LINE redelivers an event it thinks was missed (same webhookEventId, isRedelivery), WhatsApp
repeats a message or status until it is acknowledged, and a Telegram update can arrive twice
around a webhook switch. Each event's platform id is written once, in the database (every
process sees it, and it outlives a restart); the second writer learns it was not first.
"""

from __future__ import annotations

from datetime import timedelta

from tortoise import connections

from bot.services.clock import Clock
from bot.sql import fetch_returning
from models import InboundEvent

# Platforms give up redelivering within hours (LINE, Meta: up to a day or so); a week is ample.
KEEP_FOR = timedelta(days=7)
_FIRST = (
    "INSERT INTO inbound_event (key, received_at) VALUES (?, ?) "
    "ON CONFLICT DO NOTHING RETURNING key"
)


class InboundLog:
    """Remembers processed events by their platform id."""

    def __init__(self, *, clock: Clock) -> None:
        self._clock = clock

    async def first_time(self, key: str) -> bool:
        """True the first time this key is seen, False for every redelivery after it."""
        connection = connections.get("default")
        return bool(await fetch_returning(connection, _FIRST, [key[:160], self._clock()]))

    async def purge_expired(self) -> int:
        """Forget events older than KEEP_FOR; how many."""
        return await InboundEvent.filter(received_at__lt=self._clock() - KEEP_FOR).delete()
