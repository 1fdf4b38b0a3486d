"""Delivery statuses the platforms report after a send (WhatsApp: delivered, read, failed)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.dispatch.channels.whatsapp import UNREACHABLE_CODES
from bot.dispatch.store import DeliveryStore, StatusChange
from bot.grouped import Grouped
from bot.platforms.whatsapp import StatusUpdate
from models import Channel, DeliveryStatus

_WHATSAPP = {
    "delivered": DeliveryStatus.DELIVERED,
    "read": DeliveryStatus.READ,
    "failed": DeliveryStatus.FAILED,
}


class StatusUpdates:
    """Applies WhatsApp status webhooks to the matching delivery rows."""

    def __init__(self, store: DeliveryStore, *, clock: Callable[[], datetime]) -> None:
        self._store = store
        self._clock = clock
        # A campaign's statuses come back in bursts (every recipient's "delivered", then their
        # "read"s): written a group at a time, they do not queue one statement each on the
        # database, which the webhooks' own log and the sends need too.
        self._apply = Grouped(self._apply_group, name="whatsapp-statuses")

    async def whatsapp(self, update: StatusUpdate) -> None:
        """Record one status; "sent" is what the send itself recorded already.

        A failure after acceptance (131026: not a WhatsApp number) is final for this message
        and, where it is about the person, marks WhatsApp unreachable for the contact.
        """
        status = _WHATSAPP.get(update.status)
        if status is None:
            return
        code = str(update.error_code) if update.error_code is not None else None
        contact_id = await self._apply(StatusChange(update.message_id, status, code))
        if contact_id is not None and update.error_code in UNREACHABLE_CODES:
            await self._store.mark_unreachable([contact_id], Channel.WHATSAPP)

    async def _apply_group(self, changes: list[StatusChange]) -> list[int | None]:
        return await self._store.apply_statuses(changes, now=self._clock())
