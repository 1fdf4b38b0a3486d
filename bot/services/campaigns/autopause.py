"""Pausing a running campaign whose recipients opt out, or whose messages fail, too often.

After at least `min_sends` sends, a campaign whose opted-out share of the recipients it
reached, or failed share of its sends, passes its limit is held for the operator's review
(RUNNING -> REVIEW, hold reason opt_outs or failures), and its member and the operators are
told. The dispatcher asks after recording each claim, at most once a second per campaign in
a process, which bounds the overshoot to a second of sending; a scheduler job asks for every
running campaign too, for opt-outs that come in while nothing is being sent (quiet hours).
A check counts the whole campaign, so the checks of a big one are spaced further
(progress.spacing_for) to take at most progress.LOAD_SHARE of the database: at 1,000,000
deliveries one took about 0.3 s, and a check a second held SQLite's one connection, which the
sends share, for a third of the time.

Opt-outs counted: recipients this campaign reached who then went on the member's suppression
list by their own act (a STOP, or blocking the bot: sources keyword and platform_signal),
since the campaign started. Deliveries skipped because the person had already opted out are
not: they never saw this campaign, their opt-out answers an earlier one.

After an operator approves a campaign paused this way it is judged afresh on what it sends
after the approval (reviewed_at): the counts the operator cleared do not pause it again, and
the next pause needs `min_sends` new sends over the limit.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from tortoise import connections

from bot.services.campaigns.progress import spacing_for
from bot.services.campaigns.service import CampaignService
from bot.services.campaigns.states import TransitionError
from bot.sql import dialect_sql
from models import Campaign, CampaignStatus, DeliveryStatus, HoldReason

log = logging.getLogger(__name__)

OnHold = Callable[[Campaign], Awaitable[object]]
_REACHED = (DeliveryStatus.SENT, DeliveryStatus.DELIVERED, DeliveryStatus.READ)
_SENDS = "('sent', 'delivered', 'read', 'failed', 'ambiguous')"
# A failure has no sent_at: its moment is when it was recorded.
_COUNTS = (
    "SELECT status, COUNT(*) FROM delivery WHERE campaign_id = ? "  # noqa: S608
    f"AND status IN {_SENDS} {{}} GROUP BY status"
)
_SINCE = "AND COALESCE(sent_at, updated_at) > ?"
# Recipients of the campaign on the suppression list since `started`, found through the
# contact columns the keys are filed under: a number's keyed hash (filed as "phone", the
# contact's phone or its own WhatsApp number), "telegram:<id>", "line:<id>".
_OPTED_OUT = (
    "SELECT COUNT(DISTINCT d.contact_id) FROM delivery d WHERE d.campaign_id = ? "
    "AND d.sent_at IS NOT NULL {} AND d.contact_id IN ("
    "SELECT c.id FROM suppression s JOIN contact c ON c.member_id = s.member_id "
    "AND c.phone_hash = s.key WHERE s.member_id = ? AND s.created_at >= ? AND s.source IN "
    "('keyword', 'platform_signal') AND s.channel = 'phone' "
    "UNION SELECT c.id FROM suppression s JOIN contact c ON c.member_id = s.member_id "
    "AND c.whatsapp_hash = s.key WHERE s.member_id = ? AND s.created_at >= ? AND s.source IN "
    "('keyword', 'platform_signal') AND s.channel = 'phone' "
    "UNION SELECT c.id FROM suppression s JOIN contact c ON c.member_id = s.member_id "
    # CASE first: PostgreSQL may cast before filtering, and "line:U..." is no number.
    "AND c.telegram_id = CAST(CASE WHEN s.key LIKE 'telegram:%' THEN SUBSTR(s.key, 10) END "
    "AS BIGINT) WHERE s.member_id = ? "
    "AND s.created_at >= ? AND s.source IN ('keyword', 'platform_signal') "
    "AND s.key LIKE 'telegram:%' "
    "UNION SELECT c.id FROM suppression s JOIN contact c ON c.member_id = s.member_id "
    "AND c.line_id = SUBSTR(s.key, 6) WHERE s.member_id = ? AND s.created_at >= ? "
    "AND s.source IN ('keyword', 'platform_signal') AND s.key LIKE 'line:%')"
)


@dataclass(frozen=True, slots=True)
class PauseLimits:
    """The thresholds (config: PAUSE_OPT_OUT_RATE, PAUSE_FAILURE_RATE, PAUSE_MIN_SENDS)."""

    opt_out_rate: float = 0.02
    failure_rate: float = 0.20
    min_sends: int = 200


@dataclass(frozen=True, slots=True)
class Health:
    """A campaign's sends (reached, failed or ambiguous), how many reached a recipient, how
    many failed for good, and how many of those reached opted out."""

    sends: int
    reached: int
    failed: int
    opted_out: int


class AutoPause:
    """Watches running campaigns' rates and holds the ones past their limits."""

    def __init__(
        self,
        *,
        campaigns: CampaignService,
        limits: PauseLimits,
        on_hold: OnHold | None = None,
        every: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """`on_hold` tells the member and the operators; `every` is the least time between
        two checks of one campaign after its batches."""
        self._campaigns = campaigns
        self.limits = limits
        self._on_hold = on_hold
        self._every = every
        self._monotonic = monotonic
        self._next_check: dict[int, float] = {}  # per campaign, when after_batch checks again

    async def after_batch(self, campaign_id: int) -> None:
        """The dispatcher recorded a claim of the campaign: check it, unless its next check
        is not due in this process (`every` after the last, or later for a costly one)."""
        now = self._monotonic()
        if now < self._next_check.get(campaign_id, now):
            return
        # Forget campaigns not sent for a while, so the map stays as small as what runs.
        self._next_check = {key: due for key, due in self._next_check.items() if now - due < 60}
        # Set before the check: the other claims recorded meanwhile must not check too.
        self._next_check[campaign_id] = now + self._every
        await self.check(campaign_id)
        spacing = spacing_for(self._monotonic() - now)
        self._next_check[campaign_id] = now + max(self._every, spacing)

    async def check_running(self) -> int:
        """Check every running campaign (the scheduler's job); how many were held."""
        held = 0
        ids = await Campaign.filter(status=CampaignStatus.RUNNING).values_list("id", flat=True)
        for campaign_id in ids:
            held += await self.check(campaign_id) is not None
        return held

    async def check(self, campaign_id: int) -> HoldReason | None:
        """Hold the campaign if its rates are past the limits; why, or None."""
        campaign = await Campaign.get_or_none(id=campaign_id)
        if campaign is None or campaign.status is not CampaignStatus.RUNNING:
            return None
        health = await self.health(campaign)
        reason = self.verdict(health)
        if reason is None:
            return None
        rate, limit, count = (
            (health.opted_out / health.reached, self.limits.opt_out_rate, health.opted_out)
            if reason is HoldReason.OPT_OUTS
            else (health.failed / health.sends, self.limits.failure_rate, health.failed)
        )
        measured: dict[str, object] = {
            "kind": reason.value,
            "count": count,
            "sends": health.sends if reason is HoldReason.FAILURES else health.reached,
            "rate": round(rate, 4),
            "limit": limit,
        }
        try:
            held = await self._campaigns.hold(
                campaign_id, reason, [measured], source=CampaignStatus.RUNNING
            )
        except TransitionError:
            return None  # paused, cancelled or finished meanwhile
        log.warning("campaign held for its rates", extra={"campaign": campaign_id, "why": reason})
        if self._on_hold is not None:
            await self._on_hold(held)
        return reason

    def verdict(self, health: Health) -> HoldReason | None:
        """Which limit the counts pass, opt-outs first (the recipients' own complaint)."""
        limits = self.limits
        if health.sends < limits.min_sends:
            return None
        if health.reached and health.opted_out / health.reached > limits.opt_out_rate:
            return HoldReason.OPT_OUTS
        if health.failed / health.sends > limits.failure_rate:
            return HoldReason.FAILURES
        return None

    async def health(self, campaign: Campaign) -> Health:
        """The campaign's counts since it started, or since an operator cleared its rates."""
        since = _cleared_at(campaign)
        connection = connections.get("default")
        window = _SINCE if since is not None else ""
        params: list[object] = [campaign.id, *([since] if since is not None else [])]
        _, rows = await connection.execute_query(
            dialect_sql(connection, _COUNTS.format(window)), params
        )
        counts = {DeliveryStatus(row[0]): int(row[1]) for row in rows}
        started = campaign.started_at or campaign.created_at
        sent_since = "AND d.sent_at > ?" if since is not None else ""
        member = campaign.member_id  # type: ignore[attr-defined]
        _, rows = await connection.execute_query(
            dialect_sql(connection, _OPTED_OUT.format(sent_since)),
            [campaign.id, *([since] if since is not None else []), *[member, started] * 4],
        )
        return Health(
            sends=sum(counts.values()),
            reached=sum(counts.get(status, 0) for status in _REACHED),
            failed=counts.get(DeliveryStatus.FAILED, 0),
            opted_out=int(rows[0][0]) if rows else 0,
        )


def _cleared_at(campaign: Campaign) -> datetime | None:
    """When an operator approved the campaign after its rates held it, if one did."""
    rated = campaign.hold_reason in (HoldReason.OPT_OUTS.value, HoldReason.FAILURES.value)
    return campaign.reviewed_at if rated else None
