"""The operator: who it is (ADMIN_TELEGRAM_IDS / ADMIN_LINE_IDS) and the service's figures.

Who is an operator is decided here, from configuration, for every admin event: never from
anything a button payload says.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, time

from tortoise.functions import Count

from bot.services.clock import Clock
from bot.services.usage import ChannelUsage, by_channel
from models import Member, MemberStatus, Platform, UsageRecord


@dataclass(frozen=True, slots=True)
class Statistics:
    """The service at a glance."""

    members: Counter[str]  # by status
    today: list[ChannelUsage]  # since midnight UTC, busiest channel first


class OperatorService:
    """The operator's identity and view of the service."""

    def __init__(
        self,
        *,
        clock: Clock,
        telegram_ids: Collection[str],
        line_ids: Collection[str],
    ) -> None:
        self._clock = clock
        self._ids = {Platform.TELEGRAM: frozenset(telegram_ids), Platform.LINE: frozenset(line_ids)}

    def is_operator(self, platform: Platform, user_id: str) -> bool:
        """Whether this chat account is one of the configured operators."""
        return user_id in self._ids.get(platform, frozenset())

    async def statistics(self) -> Statistics:
        """Members by status, and today's messages per channel with their failure rate."""
        members: Counter[str] = Counter()
        for row in await Member.annotate(n=Count("id")).group_by("status").values("status", "n"):
            members[MemberStatus(row["status"]).value] = int(row["n"])
        now = self._clock()
        midnight = datetime.combine(now.date(), time(), tzinfo=now.tzinfo)
        today = await by_channel(UsageRecord.filter(sent_at__gte=midnight))
        return Statistics(members=members, today=today)
