"""The operator's review queue: campaigns held by screening or by their rates, and the
decisions on them.

A decision names a campaign id from a button; it is taken only while that campaign is still
held (only_from=REVIEW in one conditional UPDATE), so when another operator was faster, or
the member cancelled it, nothing changes and the caller learns it from TransitionError.
"""

from __future__ import annotations

from bot.services.campaigns import audience
from bot.services.campaigns.service import CampaignService
from bot.services.campaigns.states import TransitionError, Transitions
from bot.services.clock import Clock
from models import Campaign, CampaignStatus

S = CampaignStatus


class ReviewService:
    """Lists the held campaigns and approves or rejects them."""

    def __init__(
        self, *, clock: Clock, campaigns: CampaignService, transitions: Transitions
    ) -> None:
        self._clock = clock
        self._campaigns = campaigns
        self._transitions = transitions

    async def queue(self, *, limit: int = 10) -> tuple[list[Campaign], int]:
        """The held campaigns, the longest waiting first (`limit` of them), and how many in all."""
        held = Campaign.filter(status=S.REVIEW)
        return await held.order_by("updated_at", "id").limit(limit), await held.count()

    async def held(self, campaign_id: int) -> Campaign | None:
        """The campaign, if it exists; its status says whether it is still held."""
        return await Campaign.get_or_none(id=campaign_id)

    async def audience_size(self, campaign: Campaign) -> int:
        """Its recipients: those it has (once it started), else those a launch would write."""
        if campaign.started_at is not None:
            return (await self._campaigns.report(campaign)).total
        estimate = await audience.estimate(campaign, enabled=self._campaigns.enabled)
        return estimate.total

    async def approve(self, campaign: Campaign) -> Campaign:
        """It goes on: starts (or is scheduled for its time) if it never sent, else sends
        what it has left. Raises TransitionError when it is no longer held."""
        self._require_held(campaign)
        details = {"reviewed_at": self._clock(), "review_note": None}
        return await self._campaigns.proceed(campaign, source=S.REVIEW, details=details)

    async def reject(self, campaign: Campaign, note: str) -> Campaign:
        """Turned down for `note` (the member reads it): one that never sent goes back to
        the member's drafts; one that had sent is cancelled, its pending messages with it.
        Raises TransitionError when it is no longer held."""
        self._require_held(campaign)
        details = {"reviewed_at": self._clock(), "review_note": note}
        if campaign.started_at is None:
            return await self._transitions.change(
                campaign.id, S.DRAFT, only_from=S.REVIEW, details=details
            )
        return await self._campaigns.cancel(campaign, only_from=S.REVIEW, details=details)

    @staticmethod
    def _require_held(campaign: Campaign) -> None:
        if campaign.status is not S.REVIEW:
            raise TransitionError(campaign.id, campaign.status, S.REVIEW)
