"""Appeals: a suspended member asks the operator for a personal review; the operator answers.

A member has at most one open appeal: what they write while it is open is added to it, so
the operator reads one request with everything in it, oldest first in the queue.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.transactions import in_transaction

from bot.services.audit import AuditService
from bot.services.clock import Clock
from models import Appeal, Member, MemberStatus

MAX_APPEAL = 2000  # characters of a member's appeal kept, all additions together
MAX_ANSWER = 2000
SHOWN_APPEALS = 10


class AppealRefused(Exception):
    """The member is not suspended: there is nothing to appeal."""


@dataclass(frozen=True, slots=True)
class Filed:
    """An appeal as it stands after the member wrote."""

    appeal: Appeal
    added: bool  # True: added to an appeal that was open already


class AppealService:
    """File, list and answer appeals."""

    def __init__(self, *, clock: Clock, audit: AuditService) -> None:
        self._clock = clock
        self._audit = audit

    async def file(self, member: Member, text: str) -> Filed:
        """Record the member's appeal (or add to their open one); AppealRefused unless the
        member is suspended."""
        text = text.strip()
        if member.status is not MemberStatus.SUSPENDED or not text:
            raise AppealRefused
        async with in_transaction():
            appeal = await self.open_of(member.id)
            if appeal is None:
                created = await Appeal.create(
                    member=member, text=text[:MAX_APPEAL], created_at=self._clock()
                )
                return Filed(appeal=created, added=False)
            appeal.text = (appeal.text + "\n\n" + text)[:MAX_APPEAL]
            await appeal.save(update_fields=["text"])
            return Filed(appeal=appeal, added=True)

    async def open_of(self, member_id: int) -> Appeal | None:
        """The member's unanswered appeal, if any."""
        return await Appeal.filter(member_id=member_id, answered_at=None).order_by("id").first()

    async def waiting(self) -> list[Appeal]:
        """Unanswered appeals, oldest first, with their members."""
        queue = Appeal.filter(answered_at=None).order_by("created_at", "id")
        return await queue.limit(SHOWN_APPEALS).select_related("member")

    async def get(self, appeal_id: int) -> Appeal | None:
        """One appeal with its member."""
        return await Appeal.filter(id=appeal_id).select_related("member").first()

    async def answer(self, appeal_id: int, text: str, *, operator: str) -> Appeal | None:
        """Record the operator's answer (audited); None when the appeal is gone or was
        answered meanwhile (by another operator)."""
        text = text.strip()[:MAX_ANSWER]
        async with in_transaction():
            changed = await Appeal.filter(id=appeal_id, answered_at=None).update(
                answered_at=self._clock(), answered_by=operator, answer=text
            )
            if not changed:
                return None
            appeal = await Appeal.get(id=appeal_id).select_related("member")
            await self._audit.record(
                operator=operator,
                member_id=appeal.member.id,
                action="answer_appeal",
                subject=f"appeal:{appeal_id}",
                reason=text,
            )
        return appeal
