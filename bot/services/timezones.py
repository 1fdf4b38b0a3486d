"""IANA timezone names as people type them.

Its own module, free of the database and the chat: reading an import file (its timezone
column) needs it, in a process that loads nothing else of the bot (bot/import_worker.py).
"""

from __future__ import annotations

from functools import cache
from zoneinfo import ZoneInfo, available_timezones


class UnknownTimezoneError(ValueError):
    """The member typed something that is not an IANA timezone name."""


@cache
def _zones_by_folded_name() -> dict[str, str]:
    # available_timezones() walks the tz database on disk: do it once per process.
    return {zone.casefold(): zone for zone in available_timezones()}


def resolve_timezone(name: str) -> str:
    """The canonical IANA name for what the member typed ("europe/madrid" -> "Europe/Madrid")."""
    wanted = name.strip().replace(" ", "_").casefold()
    if wanted in ("utc", "gmt", "z"):
        return "UTC"
    zone = _zones_by_folded_name().get(wanted)
    if zone is None:
        raise UnknownTimezoneError(name)
    ZoneInfo(zone)
    return zone
