"""Campaign statuses as every worker sees them, fresh within a second.

A worker asks before each claim whether its campaign still runs: a pause or a cancel stops
the sending everywhere at the next claim. With Redis every process reads the same key, set
by whichever process made the change; in one process a dictionary does.
"""

from __future__ import annotations

from typing import Protocol

from redis.asyncio import Redis

from models import Campaign, CampaignStatus

_KEY = "broadside:campaign:{}:status"
_TTL_SECONDS = 7 * 24 * 3600  # long after any campaign's end; the database stays the truth


class CampaignSignals(Protocol):
    """Where workers read a campaign's status on the hot path."""

    async def publish(self, campaign_id: int, status: CampaignStatus) -> None:
        """Tell every worker the campaign's new status."""
        ...

    async def status(self, campaign_id: int) -> CampaignStatus | None:
        """The campaign's status, or None if the campaign is gone."""
        ...


class MemorySignals:
    """One process: the statuses it changed itself, else the database's."""

    def __init__(self) -> None:
        self._known: dict[int, CampaignStatus] = {}

    async def publish(self, campaign_id: int, status: CampaignStatus) -> None:
        self._known[campaign_id] = status

    async def status(self, campaign_id: int) -> CampaignStatus | None:
        if (known := self._known.get(campaign_id)) is not None:
            return known
        return await _from_database(campaign_id)


class RedisSignals:
    """Many processes: one Redis key per campaign, read on every claim."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def publish(self, campaign_id: int, status: CampaignStatus) -> None:
        await self._redis.set(_KEY.format(campaign_id), status.value, ex=_TTL_SECONDS)

    async def status(self, campaign_id: int) -> CampaignStatus | None:
        value = await self._redis.get(_KEY.format(campaign_id))
        if value is not None:
            return CampaignStatus(value.decode() if isinstance(value, bytes) else value)
        status = await _from_database(campaign_id)
        if status is not None:
            await self.publish(campaign_id, status)
        return status


async def _from_database(campaign_id: int) -> CampaignStatus | None:
    rows = await Campaign.filter(id=campaign_id).values_list("status", flat=True)
    return CampaignStatus(rows[0]) if rows else None
