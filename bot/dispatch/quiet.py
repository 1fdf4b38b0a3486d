"""Quiet hours: local times at which a recipient is not messaged (default 21:00-08:00)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_START = 21 * 60
DEFAULT_END = 8 * 60
_DAY = 24 * 60


@lru_cache(maxsize=1024)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@dataclass(frozen=True, slots=True)
class QuietHours:
    """From `start` to `end`, minutes after local midnight; may span midnight."""

    start: int
    end: int

    @classmethod
    def of(cls, start: int | None, end: int | None) -> QuietHours | None:
        """The campaign's quiet hours, or None when it has none."""
        if start is None or end is None or start == end:
            return None
        return cls(start % _DAY, end % _DAY)

    def until(self, now: datetime, timezone: str) -> datetime | None:
        """When the quiet hours holding `now` in `timezone` end (UTC); None if not quiet."""
        local = now.astimezone(_zone(timezone))
        minute = local.hour * 60 + local.minute
        if self.start < self.end:
            quiet = self.start <= minute < self.end
        else:
            quiet = minute >= self.start or minute < self.end
        if not quiet:
            return None
        end_day = local.date() if minute < self.end else local.date() + timedelta(days=1)
        wall = datetime.combine(end_day, time(self.end // 60, self.end % 60), local.tzinfo)
        # Through UTC, so a daylight-saving change in the night lands on the real hour.
        return wall.astimezone(UTC)
