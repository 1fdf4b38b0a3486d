"""Suspension: the operator stops a member's sending until they lift it.

Suspending marks the member first and then pauses their running campaigns, so a resume or a
launch racing it is refused by the transition table's member check (campaigns/states.py
SENDING) or paused right after; the workers see the pause within a second. Scheduled
campaigns stay scheduled but do not start while the member is suspended. Lifting makes the
member active again; paused campaigns stay paused for the member to resume. Both are audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from tortoise.transactions import in_transaction

from bot.services.audit import AuditService
from bot.services.campaigns.service import CampaignService
from bot.services.campaigns.states import TransitionError
from bot.services.clock import Clock
from models import Campaign, CampaignStatus, Member, MemberStatus

# A suspension's reason is shown to the member; keep it to what a chat message carries.
MAX_REASON = 500


class Refusal(StrEnum):
    """Why a suspension or a lift changed nothing."""

    NOT_FOUND = "not_found"  # no such member (purged meanwhile)
    DELETED = "deleted"  # the member deleted the account: nothing sends anyway
    ALREADY = "already"  # suspending a suspended member
    NOT_SUSPENDED = "not_suspended"  # lifting a member who is not suspended


class SuspensionRefused(Exception):
    """Nothing changed; `reason` says why, for a translated answer."""

    def __init__(self, reason: Refusal) -> None:
        super().__init__(reason.value)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Suspended:
    """A suspension that took effect."""

    member: Member
    paused: int  # running campaigns paused by it


class SuspensionService:
    """Suspend and lift members, on the operator's word."""

    def __init__(self, *, clock: Clock, campaigns: CampaignService, audit: AuditService) -> None:
        self._clock = clock
        self._campaigns = campaigns
        self._audit = audit

    async def suspend(self, member_id: int, *, reason: str, operator: str) -> Suspended:
        """Stop the member's sending now, for `reason` (shown to them); SuspensionRefused when
        the member is gone, deleted or suspended already."""
        reason = reason.strip()[:MAX_REASON]
        async with in_transaction():
            member = await self._member(member_id)
            if member.status is MemberStatus.DELETED:
                raise SuspensionRefused(Refusal.DELETED)
            # Conditional, so two operators suspending at once record one suspension.
            changed = (
                await Member.filter(id=member_id)
                .exclude(status__in=(MemberStatus.SUSPENDED, MemberStatus.DELETED))
                .update(
                    status=MemberStatus.SUSPENDED,
                    suspended_at=self._clock(),
                    suspended_reason=reason,
                )
            )
            if not changed:
                raise SuspensionRefused(Refusal.ALREADY)
            await self._audit.record(
                operator=operator, member_id=member_id, action="suspend", reason=reason
            )
        paused = 0
        for campaign in await Campaign.filter(member_id=member_id, status=CampaignStatus.RUNNING):
            try:
                await self._campaigns.pause(campaign)
            except TransitionError:
                continue  # it ended meanwhile
            paused += 1
        return Suspended(member=await self._member(member_id), paused=paused)

    async def lift(self, member_id: int, *, operator: str, reason: str) -> Member:
        """Let the member send again; SuspensionRefused when they are not suspended."""
        async with in_transaction():
            member = await self._member(member_id)
            # A member suspended before accepting the terms goes back to accepting them.
            status = MemberStatus.ACTIVE if member.terms_accepted_at else MemberStatus.ONBOARDING
            changed = await Member.filter(id=member_id, status=MemberStatus.SUSPENDED).update(
                status=status, suspended_at=None, suspended_reason=None
            )
            if not changed:
                raise SuspensionRefused(Refusal.NOT_SUSPENDED)
            await self._audit.record(
                operator=operator, member_id=member_id, action="lift", reason=reason
            )
        return await self._member(member_id)

    @staticmethod
    async def _member(member_id: int) -> Member:
        member = await Member.get_or_none(id=member_id)
        if member is None:
            raise SuspensionRefused(Refusal.NOT_FOUND)
        return member
