"""A campaign's life cycle: the one table of allowed changes and the one function making them.

Every status change in the code goes through `transition`: a conditional UPDATE, so two
processes racing to change the same campaign (a member's pause and a worker's finish) never
both win, and the loser learns it from the return value.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime

from models import Campaign, CampaignStatus, MemberStatus

S = CampaignStatus

ALLOWED: dict[CampaignStatus, frozenset[CampaignStatus]] = {
    # A launch that screening flags goes to the operator's review instead.
    S.DRAFT: frozenset({S.SCHEDULED, S.RUNNING, S.REVIEW, S.CANCELLED}),
    S.SCHEDULED: frozenset({S.RUNNING, S.DRAFT, S.CANCELLED}),
    # REVIEW: paused by the dispatcher for its opt-out or failure rate.
    S.RUNNING: frozenset({S.PAUSED, S.FINISHED, S.CANCELLED, S.FAILED, S.REVIEW}),
    # The operator approves (it starts, or goes on) or rejects (a campaign that never sent
    # returns to draft for the member to change; one that had started is cancelled).
    S.REVIEW: frozenset({S.SCHEDULED, S.RUNNING, S.DRAFT, S.CANCELLED}),
    S.PAUSED: frozenset({S.RUNNING, S.CANCELLED}),
    # A finished campaign runs again only for "retry failed".
    S.FINISHED: frozenset({S.RUNNING}),
    S.CANCELLED: frozenset(),
    S.FAILED: frozenset({S.RUNNING}),
}

# Changes that start or resume sending: made only while the campaign's member is ACTIVE, in
# the same conditional UPDATE, so a launch, a resume, a scheduled start or a review's approval
# racing the operator's suspension cannot slip through (bot/services/suspensions.py).
SENDING = frozenset({S.SCHEDULED, S.RUNNING})

# Called after each change, with the campaign id and its new status: the dispatcher's
# signals, so every worker sees a pause or a cancel within a second.
OnChange = Callable[[int, CampaignStatus], Awaitable[None]]


class TransitionError(Exception):
    """The campaign is not in a status this change can start from."""

    def __init__(self, campaign_id: int, current: CampaignStatus | None, wanted: CampaignStatus):
        super().__init__(f"campaign {campaign_id}: {current} -> {wanted} not allowed")
        self.current = current
        self.wanted = wanted


def can_change(current: CampaignStatus, wanted: CampaignStatus) -> bool:
    """Whether the table allows `current` -> `wanted`."""
    return wanted in ALLOWED[current]


class Transitions:
    """Changes campaign statuses; built once with the clock and whoever must hear of it."""

    def __init__(self, *, clock: Callable[[], datetime], on_change: OnChange) -> None:
        self._clock = clock
        self._on_change = on_change

    async def change(
        self,
        campaign_id: int,
        wanted: CampaignStatus,
        *,
        error: str | None = None,
        only_from: CampaignStatus | None = None,
        details: Mapping[str, object] | None = None,
    ) -> Campaign:
        """Move the campaign to `wanted`, or raise TransitionError (nothing changed): also
        when it would start sending for a member who is not active.

        `only_from`: only from that status (an operator's decision on a held campaign must not
        move one that another operator, or its member, moved meanwhile); `details`: other
        columns written in the same statement (why it is held), never seen half-written.
        """
        sources = [status for status, targets in ALLOWED.items() if wanted in targets]
        if only_from is not None:
            sources = [status for status in sources if status is only_from]
            if not sources:
                current = await Campaign.get_or_none(id=campaign_id)
                raise TransitionError(campaign_id, current.status if current else None, wanted)
        now = self._clock()
        fields: dict[str, object] = {"status": wanted, "updated_at": now, **(details or {})}
        if wanted is S.RUNNING:
            fields["finished_at"] = None
            fields["reported_at"] = None  # a retry of the failed gets a report of its own
        if wanted in (S.FINISHED, S.CANCELLED, S.FAILED):
            fields["finished_at"] = now
        if error is not None:
            fields["error"] = error
        query = Campaign.filter(id=campaign_id, status__in=sources)
        if wanted in SENDING:
            query = query.filter(member__status=MemberStatus.ACTIVE)
        changed = await query.update(**fields)
        campaign = await Campaign.get_or_none(id=campaign_id)
        if not changed or campaign is None:
            raise TransitionError(campaign_id, campaign.status if campaign else None, wanted)
        if wanted is S.RUNNING and campaign.started_at is None:
            campaign.started_at = now
            await campaign.save(update_fields=["started_at"])
        await self._on_change(campaign_id, wanted)
        return campaign
