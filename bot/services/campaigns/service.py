"""Campaigns for one member at a time: save, launch, pause, resume, cancel, duplicate, report.

Every id a handler passes comes from a button the member could forge, so every method
resolves the campaign together with its member and answers None for anyone else's.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.crypto import Sealer
from bot.dispatch.engine import split
from bot.dispatch.queue import Chunk, WorkQueue
from bot.dispatch.store import DeliveryCount, DeliveryStore
from bot.services.campaigns import audience, progress, results
from bot.services.campaigns.placeholders import MessageTemplate, contact_values
from bot.services.campaigns.states import TransitionError, Transitions
from bot.services.clock import Clock
from bot.services.lists.sealed import opened
from bot.services.screening import ScreeningService
from bot.tasks import BackgroundTasks
from models import (
    Campaign,
    CampaignStatus,
    Channel,
    Contact,
    Delivery,
    DeliveryStatus,
    HoldReason,
    Member,
    MemberStatus,
)

# Sends an ended campaign's report to its member's chats.
UnwatchedReport = Callable[[Member, Campaign, progress.Tally], Awaitable[object]]

log = logging.getLogger(__name__)

# A preview looks this far into the audience for a contact with the campaign's tag.
PREVIEW_CANDIDATES = 200


@dataclass(slots=True)
class Draft:
    """What the member composed, before it is saved."""

    name: str
    list_ids: list[int]
    text: str
    channels: list[Channel]
    tag: str | None = None
    whatsapp_template: str | None = None
    whatsapp_language: str | None = None
    whatsapp_params: list[str] = field(default_factory=list)
    scheduled_at: datetime | None = None
    quiet_start: int | None = None
    quiet_end: int | None = None
    image_id: int | None = None  # the member's picture, from ImageService.accept


@dataclass(slots=True)
class Report:
    """A campaign's counts, as the member's report shows them."""

    total: int
    by_status: Counter[str]
    by_channel: Counter[str]  # sent (or delivered, read) per channel
    failed_by_reason: Counter[str]
    fell_back: int

    @property
    def remaining(self) -> int:
        """Deliveries still waiting or being sent."""
        return self.by_status[DeliveryStatus.PENDING] + self.by_status[DeliveryStatus.SENDING]

    @property
    def sent(self) -> int:
        """Accepted by a platform (delivered and read included)."""
        return sum(
            self.by_status[status]
            for status in (DeliveryStatus.SENT, DeliveryStatus.DELIVERED, DeliveryStatus.READ)
        )


class CampaignService:
    """The campaign rules; the dispatcher does the sending."""

    def __init__(
        self,
        *,
        clock: Clock,
        transitions: Transitions,
        queue: WorkQueue,
        store: DeliveryStore,
        tasks: BackgroundTasks,
        enabled: Collection[Channel],
        sealer: Sealer,
        unwatched: UnwatchedReport | None = None,
        screening: ScreeningService | None = None,
    ) -> None:
        """`unwatched` sends the report of a campaign whose chat watcher is gone (see
        report_ended); `screening` checks a text before its launch (None: nothing is);
        `sealer` opens recipients' numbers and names for the member (the preview, the results
        file)."""
        self._clock = clock
        self._screening = screening
        self._sealer = sealer
        self._unwatched = unwatched
        self._transitions = transitions
        self._queue = queue
        self._store = store
        self._tasks = tasks
        self.enabled = frozenset(enabled)

    # --- reading -------------------------------------------------------------------------

    async def results_csv(self, campaign: Campaign) -> bytes:
        """Every recipient's result as CSV, readable for the member (see results.py)."""
        return await results.results_csv(campaign, self._sealer)

    async def get(self, member: Member, campaign_id: int) -> Campaign | None:
        """The member's campaign, or None (someone else's, or gone)."""
        return await Campaign.get_or_none(id=campaign_id, member_id=member.id)

    async def recent(self, member: Member, *, limit: int = 10, offset: int = 0) -> list[Campaign]:
        """The member's campaigns, newest first: `limit` of them after the `offset` newest."""
        latest = Campaign.filter(member_id=member.id).order_by("-created_at", "-id")
        return await latest.offset(offset).limit(limit)

    async def estimate(self, member: Member, draft: Draft) -> audience.Estimate:
        """Recipients per channel and who would be skipped, were it launched now."""
        return await audience.estimate(self._unsaved(member, draft), enabled=self.enabled)

    async def report(self, campaign: Campaign) -> Report:
        """Counts by status, channel and failure reason (one grouped query)."""
        return _report(await self._counts(campaign))

    async def _counts(self, campaign: Campaign) -> list[DeliveryCount]:
        """The deliveries' counts; kept on the campaign once retention purged the rows."""
        if campaign.archived_counts is not None:
            return [DeliveryCount.from_json(row) for row in campaign.archived_counts]
        return await self._store.counts(campaign.id)

    # --- changing ------------------------------------------------------------------------

    async def save(self, member: Member, draft: Draft) -> Campaign:
        """Store the draft as a campaign (status draft)."""
        now = self._clock()
        campaign = self._unsaved(member, draft)
        campaign.created_at = campaign.updated_at = now
        await campaign.save()
        return campaign

    async def launch(self, campaign: Campaign) -> Campaign:
        """Start the draft now, or schedule it for its time; or, when screening flags its
        text, hold it for the operator's review (status REVIEW, the findings kept on it).
        Raises TransitionError if it cannot."""
        if self._screening is not None:
            findings = await self._screening.screen(campaign.text)
            if findings:
                found = [finding.to_json() for finding in findings]
                return await self.hold(
                    campaign.id, HoldReason.SCREENING, found, source=CampaignStatus.DRAFT
                )
        return await self.proceed(campaign, source=CampaignStatus.DRAFT)

    async def proceed(
        self,
        campaign: Campaign,
        *,
        source: CampaignStatus,
        details: Mapping[str, object] | None = None,
    ) -> Campaign:
        """Send the campaign on from `source` (its draft, or the operator's review): one that
        never started is scheduled for its time or starts now; one held mid-way goes on
        with what it has left. Raises TransitionError when it is no longer in `source`."""
        now = self._clock()
        if campaign.started_at is None and campaign.scheduled_at and campaign.scheduled_at > now:
            return await self._transitions.change(
                campaign.id, CampaignStatus.SCHEDULED, only_from=source, details=details
            )
        campaign = await self._transitions.change(
            campaign.id, CampaignStatus.RUNNING, only_from=source, details=details
        )
        # Workers that saw it held dropped their chunks: what is written is queued again,
        # and the rest of the audience is written (unless its launch is still writing it).
        await self._requeue(campaign.id)
        name = f"snapshot-{campaign.id}"
        if not campaign.audience_ready and not self._tasks.running(name):
            self._tasks.spawn(self.snapshot(campaign.id), name=name)
        return campaign

    async def hold(
        self,
        campaign_id: int,
        reason: HoldReason,
        findings: list[dict[str, object]],
        *,
        source: CampaignStatus,
    ) -> Campaign:
        """Hold the campaign for the operator's review, with why (`findings`: what screening
        found, or the rates that paused it). Workers stop at their next claim; pending
        deliveries wait. Raises TransitionError when it is no longer in `source`."""
        details = {"hold_reason": reason.value, "findings": findings, "review_note": None}
        return await self._transitions.change(
            campaign_id, CampaignStatus.REVIEW, only_from=source, details=details
        )

    async def snapshot(self, campaign_id: int) -> None:
        """Write the delivery rows (resuming a cut-short launch), queueing them as they come."""
        campaign = await Campaign.get(id=campaign_id)

        async def queue_batch(first_id: int, last_id: int) -> bool:
            # Cancelled while the audience is being written: stop writing, and cancel what
            # cancel() could not see yet.
            if await self._status(campaign_id) is CampaignStatus.CANCELLED:
                await self._cancel_pending(campaign_id)
                return False
            await Campaign.filter(id=campaign_id).update(updated_at=self._clock())
            await self._queue.put(split(campaign_id, first_id, last_id))
            return True

        await audience.snapshot(
            campaign, enabled=self.enabled, now=self._clock(), on_batch=queue_batch
        )
        await Campaign.filter(id=campaign_id).update(audience_ready=True)
        # An audience of nobody (or all opted out) has nothing for a worker to finish.
        if not await self._store.has_open(campaign_id):
            await self.finish(campaign_id)

    async def pause(self, campaign: Campaign) -> Campaign:
        """Stop sending; workers see it at their next claim (within a second)."""
        return await self._transitions.change(campaign.id, CampaignStatus.PAUSED)

    async def resume(self, campaign: Campaign) -> Campaign:
        """Send the rest."""
        campaign = await self._transitions.change(campaign.id, CampaignStatus.RUNNING)
        await self._requeue(campaign.id)
        return campaign

    async def cancel(
        self,
        campaign: Campaign,
        *,
        only_from: CampaignStatus | None = None,
        details: Mapping[str, object] | None = None,
    ) -> Campaign:
        """Stop for good; what was not sent is marked cancelled. `only_from` and `details`
        as in Transitions.change (an operator's rejection)."""
        campaign = await self._transitions.change(
            campaign.id, CampaignStatus.CANCELLED, only_from=only_from, details=details
        )
        await self._cancel_pending(campaign.id)
        return campaign

    async def _cancel_pending(self, campaign_id: int) -> None:
        await Delivery.filter(campaign_id=campaign_id, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.CANCELLED, updated_at=self._clock()
        )

    @staticmethod
    async def _status(campaign_id: int) -> CampaignStatus | None:
        rows = await Campaign.filter(id=campaign_id).values_list("status", flat=True)
        return CampaignStatus(rows[0]) if rows else None

    async def retry_failed(self, campaign: Campaign) -> int:
        """Send the failed deliveries again (the report's button); how many. Only once the
        campaign has ended: TransitionError otherwise, with nothing changed."""
        if campaign.status not in _RETRYABLE:
            raise TransitionError(campaign.id, campaign.status, CampaignStatus.RUNNING)
        count = await Delivery.filter(campaign_id=campaign.id, status=DeliveryStatus.FAILED).update(
            status=DeliveryStatus.PENDING, attempts=0, not_before=None, updated_at=self._clock()
        )
        if count:
            await self._transitions.change(campaign.id, CampaignStatus.RUNNING)
            await self._requeue(campaign.id)
        return count

    async def duplicate(self, campaign: Campaign) -> Campaign:
        """A new draft with the same audience, message and channels."""
        now = self._clock()
        copy = Campaign(
            member_id=campaign.member_id,
            name=campaign.name,
            list_ids=list(campaign.list_ids),
            tag=campaign.tag,
            text=campaign.text,
            image_id=campaign.image_id,
            channels=list(campaign.channels),
            whatsapp_template=campaign.whatsapp_template,
            whatsapp_language=campaign.whatsapp_language,
            whatsapp_params=list(campaign.whatsapp_params),
            quiet_start=campaign.quiet_start,
            quiet_end=campaign.quiet_end,
            created_at=now,
            updated_at=now,
        )
        await copy.save()
        return copy

    async def finish(self, campaign_id: int) -> None:
        """The last delivery is done: the campaign is finished (if nobody beat us to it)."""
        try:
            await self._transitions.change(campaign_id, CampaignStatus.FINISHED)
        except TransitionError:
            return  # already finished by another worker, or paused/cancelled meanwhile

    async def claim_report(self, campaign_id: int) -> bool:
        """Whether this caller is the one to send the ended campaign's report (once only)."""
        claimed = await Campaign.filter(
            id=campaign_id, status__in=list(progress.ENDED), reported_at=None
        ).update(reported_at=self._clock())
        return claimed == 1

    # --- the scheduler's ---------------------------------------------------------------

    async def report_ended(self) -> int:
        """Report the campaigns that ended with nobody to tell: the chat process that watched
        them restarted, or none ever did (started by the scheduler after a restart). A live
        watcher reports within seconds of the end (progress.EVERY_SECONDS); these waited
        REPORT_GRACE. How many were reported."""
        if self._unwatched is None:
            return 0
        ended = await Campaign.filter(
            status__in=list(progress.ENDED),
            reported_at=None,
            finished_at__lt=self._clock() - REPORT_GRACE,
        )
        reported = 0
        for campaign in ended:
            tally = await self.tally(campaign)
            if tally is None or not await self.claim_report(campaign.id):
                continue
            member = await Member.get(id=campaign.member_id)  # type: ignore[attr-defined]
            await self._unwatched(member, campaign, tally)
            reported += 1
        return reported

    async def start_due(self) -> int:
        """Start scheduled campaigns whose time has come; how many."""
        # A suspended member's wait (the transition would refuse them anyway).
        due = await Campaign.filter(
            status=CampaignStatus.SCHEDULED,
            scheduled_at__lte=self._clock(),
            member__status=MemberStatus.ACTIVE,
        ).values_list("id", flat=True)
        started = 0
        for campaign_id in due:
            try:
                await self._transitions.change(campaign_id, CampaignStatus.RUNNING)
            except TransitionError:
                continue  # another worker started it
            await self.snapshot(campaign_id)
            started += 1
        return started

    async def sweep(self) -> int:
        """Queue again what must be: held deliveries now due, unfinished launches, and all
        due pending work when the queue lost it (restart). How many chunks were queued."""
        chunks = await self._store.release_due(self._clock())
        # A launch whose snapshot stopped moving (its process died): resumed here. One still
        # writing touches its campaign at every batch, in whatever process it runs.
        stalled = self._clock() - SNAPSHOT_STALLED
        for campaign_id in await Campaign.filter(
            status=CampaignStatus.RUNNING, audience_ready=False, updated_at__lt=stalled
        ).values_list("id", flat=True):
            if not self._tasks.running(f"snapshot-{campaign_id}"):
                self._tasks.spawn(self.snapshot(campaign_id), name=f"snapshot-{campaign_id}")
        if await self._queue.idle():
            chunks += await self._store.pending_ranges(self._clock())
        for campaign_id in await Campaign.filter(
            status=CampaignStatus.RUNNING, audience_ready=True
        ).values_list("id", flat=True):
            if not await self._store.has_open(campaign_id):
                await self.finish(campaign_id)
        # The same range found both ways is queued once (twice would be harmless, not free).
        queued = list(dict.fromkeys(piece for chunk in chunks for piece in _pieces(chunk)))
        await self._queue.put(queued)
        return len(queued)

    async def _requeue(self, campaign_id: int) -> None:
        for chunk in await self._store.pending_ranges(self._clock(), campaign_id):
            await self._queue.put(_pieces(chunk))

    def _unsaved(self, member: Member, draft: Draft) -> Campaign:
        return Campaign(
            member_id=member.id,
            name=draft.name,
            list_ids=list(draft.list_ids),
            tag=draft.tag,
            text=draft.text,
            image_id=draft.image_id,
            channels=[channel.value for channel in draft.channels],
            whatsapp_template=draft.whatsapp_template,
            whatsapp_language=draft.whatsapp_language,
            whatsapp_params=list(draft.whatsapp_params),
            scheduled_at=draft.scheduled_at,
            quiet_start=draft.quiet_start,
            quiet_end=draft.quiet_end,
        )

    # --- the member's chat: composing, previewing, watching ----------------------------

    async def update_draft(self, campaign: Campaign, draft: Draft) -> Campaign:
        """Replace a draft's contents (a duplicate edited before its launch).

        Raises TransitionError when the campaign is no longer a draft.
        """
        changed = await Campaign.filter(id=campaign.id, status=CampaignStatus.DRAFT).update(
            name=draft.name,
            list_ids=list(draft.list_ids),
            tag=draft.tag,
            text=draft.text,
            image_id=draft.image_id,
            channels=[channel.value for channel in draft.channels],
            whatsapp_template=draft.whatsapp_template,
            whatsapp_language=draft.whatsapp_language,
            whatsapp_params=list(draft.whatsapp_params),
            scheduled_at=draft.scheduled_at,
            quiet_start=draft.quiet_start,
            quiet_end=draft.quiet_end,
            updated_at=self._clock(),
        )
        if not changed:
            raise TransitionError(campaign.id, campaign.status, CampaignStatus.DRAFT)
        return await Campaign.get(id=campaign.id)

    async def preview(self, member: Member, draft: Draft) -> str:
        """The draft's text rendered for its first recipient, or with the fallbacks alone when
        the audience is empty. Raises PlaceholderError when the text is malformed."""
        template = MessageTemplate.parse(draft.text)
        contacts = (
            await Contact.filter(
                member_id=member.id,
                deleted_at=None,
                memberships__contact_list_id__in=list(draft.list_ids),
                memberships__contact_list__deleted_at=None,
            )
            .order_by("id")
            .limit(PREVIEW_CANDIDATES)
        )
        sample = next((c for c in contacts if draft.tag is None or draft.tag in c.tags), None)
        if sample is None:
            return template.render({})
        sample = opened(sample, self._sealer)
        return template.render(
            contact_values(sample.first_name, sample.last_name, sample.phone, sample.attributes)
        )

    async def tally(self, campaign: Campaign) -> progress.Tally | None:
        """Where the campaign stands now (status and counts); None once it is gone."""
        fresh = await Campaign.get_or_none(id=campaign.id)
        if fresh is None:
            return None
        return progress.tally(fresh.status, await self._counts(fresh))

    def watch(
        self,
        campaign: Campaign,
        *,
        on_progress: progress.Callback,
        on_finish: progress.Callback,
        every: float = progress.EVERY_SECONDS,
        first: float = progress.FIRST_SECONDS,
    ) -> bool:
        """Report on the campaign in the background until it ends (see progress.watch).

        One watcher per campaign in this process: False when one is already watching.
        """
        name = f"watch-{campaign.id}"
        if self._tasks.running(name):
            return False
        watcher = progress.watch(
            lambda: self.tally(campaign),
            on_progress=on_progress,
            on_finish=on_finish,
            every=every,
            first=first,
        )
        # Only reports: shutdown need not wait for it (a restart's sweep leaves it off).
        self._tasks.spawn(watcher, name=name, wait_on_close=False)
        return True


# A launch that wrote no batch for this long is taken as cut short (see sweep).
SNAPSHOT_STALLED = timedelta(minutes=1)
# An ended campaign's report waits this long for its chat's watcher before a worker sends it.
REPORT_GRACE = timedelta(minutes=1)
# "Retry failed" re-runs an ended campaign; a running or paused one still has its own course.
_RETRYABLE = frozenset({CampaignStatus.FINISHED, CampaignStatus.FAILED})


def _pieces(chunk: Chunk) -> list[Chunk]:
    return split(chunk.campaign_id, chunk.first_id, chunk.last_id)


_SENT = frozenset({DeliveryStatus.SENT, DeliveryStatus.DELIVERED, DeliveryStatus.READ})
_NOT_SENT = frozenset({DeliveryStatus.FAILED, DeliveryStatus.SKIPPED})


def _report(counts: list[DeliveryCount]) -> Report:
    report = Report(0, Counter(), Counter(), Counter(), 0)
    for row in counts:
        report.total += row.count
        report.by_status[row.status] += row.count
        if row.status in _SENT and row.channel is not None:
            report.by_channel[row.channel] += row.count
        if row.status in _NOT_SENT:
            report.failed_by_reason[row.error_code or "unknown"] += row.count
        if row.fell_back:
            report.fell_back += row.count
    return report
