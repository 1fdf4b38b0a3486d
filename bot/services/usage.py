"""Usage records: written by the dispatcher with every platform answer, read for statements.

A record holds the time, the originating channel and account, the recipient, the units the
platform bills and the outcome; never the message. Every platform here bills one unit per
recipient and message, whatever it carries (LINE counts a multicast's recipients, not its
requests, and an image with its text as one), so a sent message is one unit, a refused one
none, and an ambiguous one (the answer was lost) one: the platform may well have billed it.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from tortoise.functions import Count, Sum
from tortoise.queryset import QuerySet

from bot.crypto import Sealer
from bot.services.clock import Clock
from bot.services.lists.export import spreadsheet_safe
from models import DeliveryStatus, Member, UsageRecord

# Telegram bots may send documents up to 50 MB; a bigger statement goes zipped (CSV shrinks
# several times).
ZIP_ABOVE = 20 * 2**20
STATEMENT_PAGE = 10_000  # records read at a time: a month of a big sender has millions
BILLABLE = (DeliveryStatus.SENT.value, DeliveryStatus.AMBIGUOUS.value)


def units_for(status: DeliveryStatus) -> int:
    """The units one send costs, by how it ended (see the module's docstring)."""
    return 0 if status is DeliveryStatus.FAILED else 1


@dataclass(frozen=True, slots=True)
class Month:
    """A calendar month in the member's timezone, as UTC bounds."""

    year: int
    month: int
    zone: ZoneInfo

    @property
    def key(self) -> str:
        """ "2026-11": how statements and buttons name the month."""
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def start(self) -> datetime:
        """The first instant of the month."""
        return datetime(self.year, self.month, 1, tzinfo=self.zone)

    @property
    def end(self) -> datetime:
        """The first instant of the next month."""
        year, month = (self.year + 1, 1) if self.month == 12 else (self.year, self.month + 1)
        return datetime(year, month, 1, tzinfo=self.zone)

    def previous(self) -> Month:
        """The month before."""
        if self.month == 1:
            return Month(self.year - 1, 12, self.zone)
        return Month(self.year, self.month - 1, self.zone)

    @classmethod
    def of(cls, moment: datetime, zone: ZoneInfo) -> Month:
        """The month `moment` falls in, on the member's calendar."""
        local = moment.astimezone(zone)
        return cls(local.year, local.month, zone)


@dataclass(frozen=True, slots=True)
class ChannelUsage:
    """One channel's usage over a period: billed units, and messages the platform refused
    (not billed)."""

    channel: str
    units: int
    failed: int

    @property
    def failure_rate(self) -> float:
        """The share of the period's sends the platform refused."""
        total = self.units + self.failed
        return self.failed / total if total else 0.0


async def by_channel(records: QuerySet[UsageRecord]) -> list[ChannelUsage]:
    """The records' units and refusals per channel, busiest first (one grouped query)."""
    rows = (
        await records.annotate(total=Sum("units"), messages=Count("id"))
        .group_by("channel", "status")
        .values("channel", "status", "total", "messages")
    )
    units: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    for row in rows:
        units[row["channel"]] += int(row["total"] or 0)
        if row["status"] == DeliveryStatus.FAILED.value:
            failed[row["channel"]] += int(row["messages"])
    channels = sorted(set(units) | set(failed), key=lambda name: (-units[name], name))
    return [ChannelUsage(name, units[name], failed[name]) for name in channels]


class UsageService:
    """Read a member's usage; purge records past their retention."""

    def __init__(self, *, clock: Clock, retention: timedelta, sealer: Sealer) -> None:
        """`sealer` opens the records' recipients (sealed at rest) for the statement."""
        self._clock = clock
        self._retention = retention
        self._sealer = sealer

    async def by_channel(self, member: Member, month: Month) -> list[ChannelUsage]:
        """The month's units and refusals per channel, busiest first."""
        return await by_channel(
            UsageRecord.filter(member_id=member.id, sent_at__gte=month.start, sent_at__lt=month.end)
        )

    async def by_day(self, member: Member, month: Month) -> dict[date, int]:
        """Billed units per day of the month, on the member's calendar (every day listed)."""
        days = {
            (month.start + timedelta(days=offset)).date(): 0
            for offset in range((month.end.date() - month.start.date()).days)
        }
        async for page in self._pages(member, month, billable_only=True):
            for record in page:
                days[record.sent_at.astimezone(month.zone).date()] += record.units
        return days

    async def statement(
        self, member: Member, month: Month, columns: Sequence[str]
    ) -> tuple[str, bytes]:
        """The month's statement as a file name and its content: the CSV, zipped when it is
        larger than ZIP_ABOVE."""
        name = f"usage-{month.key}.csv"
        content = await self.statement_csv(member, month, columns)
        if len(content) <= ZIP_ABOVE:
            return name, content
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(name, content)
        return name + ".zip", buffer.getvalue()

    async def statement_csv(self, member: Member, month: Month, columns: Sequence[str]) -> bytes:
        """Every record of the month, oldest first, times in the member's zone, under the
        translated `columns` (time, channel, account, recipient, units, campaign, status).
        UTF-8 with a BOM, so spreadsheet programs read it right."""
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(columns)
        async for page in self._pages(member, month, billable_only=False):
            writer.writerows(
                [
                    record.sent_at.astimezone(month.zone).isoformat(timespec="seconds"),
                    record.channel,
                    spreadsheet_safe(record.account),
                    spreadsheet_safe(self._sealer.open(record.recipient) or ""),
                    record.units,
                    record.campaign_id if record.campaign_id is not None else "",
                    record.status,
                ]
                for record in page
            )
        return buffer.getvalue().encode("utf-8-sig")

    async def _pages(
        self, member: Member, month: Month, *, billable_only: bool
    ) -> AsyncIterator[list[UsageRecord]]:
        """The month's records in id order (the order they were written), a page at a time."""
        query = UsageRecord.filter(
            member_id=member.id, sent_at__gte=month.start, sent_at__lt=month.end
        )
        if billable_only:
            query = query.filter(status__in=BILLABLE)
        after = 0
        while page := await query.filter(id__gt=after).order_by("id").limit(STATEMENT_PAGE):
            yield page
            after = page[-1].id

    async def purge_expired(self) -> int:
        """Delete records older than the retention period; returns how many went."""
        return await UsageRecord.filter(sent_at__lt=self._clock() - self._retention).delete()
