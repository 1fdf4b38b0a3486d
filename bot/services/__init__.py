"""The rules of the service, platform-neutral; handlers call these, never the ORM."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.clock import Clock, utc_now
from bot.services.members import MemberService

__all__ = ["Clock", "MemberService", "Services", "utc_now"]


@dataclass(frozen=True, slots=True)
class Services:
    """Every service, built once per process by the composition root."""

    clock: Clock
    members: MemberService

    @classmethod
    def build(cls, *, clock: Clock = utc_now) -> Services:
        """Wire the services with one shared clock (tests pass a movable one)."""
        return cls(clock=clock, members=MemberService(clock=clock))
