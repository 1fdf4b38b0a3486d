"""Retention periods, enforced by scheduled purges (the periods themselves are settings).

Per-recipient delivery details and recipients' replies go after RETENTION_DETAILS_DAYS
(13 months by default). A campaign's counts outlive its details: they are kept on the
campaign when its deliveries go, so its report still adds up years later. Usage records
have their own, longer period (UsageService.purge_expired). Service logs are not kept by
the application at all: they go to stderr, and the log store keeps them for its own period.
"""

from __future__ import annotations

from datetime import timedelta

from tortoise.transactions import in_transaction

from bot.dispatch.store import DeliveryStore
from bot.services.campaigns.progress import ENDED
from bot.services.clock import Clock
from models import Campaign, Delivery, InboundReply

CAMPAIGNS_PER_RUN = 50  # each may have a million rows: a run is bounded, the next goes on


class RetentionService:
    """Purge what has outlived its retention period."""

    def __init__(self, *, clock: Clock, store: DeliveryStore, details: timedelta) -> None:
        self._clock = clock
        self._store = store
        self._details = details

    async def purge_delivery_details(self) -> int:
        """Delete the deliveries of campaigns that ended longer ago than the period, keeping
        their counts on the campaign; returns how many campaigns were purged."""
        cutoff = self._clock() - self._details
        ended = (
            await Campaign.filter(
                status__in=list(ENDED), finished_at__lt=cutoff, archived_counts__isnull=True
            )
            .order_by("id")
            .limit(CAMPAIGNS_PER_RUN)
            .values_list("id", flat=True)
        )
        for campaign_id in ended:
            counts = await self._store.counts(campaign_id)
            async with in_transaction():
                await Campaign.filter(id=campaign_id).update(
                    archived_counts=[count.to_json() for count in counts]
                )
                await Delivery.filter(campaign_id=campaign_id).delete()
        return len(ended)

    async def purge_replies(self) -> int:
        """Delete recipients' replies older than the period; returns how many went."""
        return await InboundReply.filter(received_at__lt=self._clock() - self._details).delete()
