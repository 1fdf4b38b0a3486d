"""The audit log: every time an operator opens a member's data or acts on their account.

Written here and nowhere else, and never changed: the table refuses UPDATE and DELETE in the
database itself (models/migrations/_operations.py AppendOnly). A member's /mydata export
carries their entries.
"""

from __future__ import annotations

from bot.services.clock import Clock
from models import AuditEntry, Platform


def operator_name(platform: Platform, user_id: str) -> str:
    """How the log names an operator: their chat account, platform and id."""
    return f"{platform.value}:{user_id}"


class AuditService:
    """Writes and reads the audit log."""

    def __init__(self, *, clock: Clock) -> None:
        self._clock = clock

    async def record(
        self,
        *,
        operator: str,
        member_id: int,
        action: str,
        reason: str,
        subject: str | None = None,
    ) -> AuditEntry:
        """Write one entry: `operator` (operator_name) did `action` on `subject` of the member,
        for `reason` (the operator's own words, or what the tool was for)."""
        return await AuditEntry.create(
            at=self._clock(),
            operator=operator,
            member_id=member_id,
            action=action,
            subject=subject,
            reason=reason,
        )

    async def about(self, member_id: int, *, limit: int = 50) -> list[AuditEntry]:
        """The newest entries about a member."""
        return await AuditEntry.filter(member_id=member_id).order_by("-at", "-id").limit(limit)
