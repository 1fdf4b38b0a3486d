"""The workers' loop: take a chunk, claim deliveries, check opt-outs, render, send, record.

Order per claim, and why:
1. Ask the campaign's status (signals, fresh within a second): pause and cancel stop here.
2. Claim up to `window` due deliveries (committed as `sending` before any send: see store).
3. Check the recipients against the suppression list just now, so a STOP that arrived a
   moment ago holds even for deliveries queued long before.
4. Hold recipients inside their quiet hours until those end.
5. Send per channel through the rate gate; record every outcome in one statement. A
   permanent failure falls back to the recipient's next channel; a transient one waits
   with exponential backoff and jitter (fates.py), a 429 pauses the whole channel.
The in-flight window (what a kill -9 can leave ambiguous) is `window` x `concurrency`.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.dispatch.backoff import Backoff
from bot.dispatch.channels.base import (
    ChannelSender,
    Image,
    Outcome,
    Outgoing,
    Result,
    Template,
)
from bot.dispatch.fates import Fates, pending, skipped, unsent
from bot.dispatch.queue import Chunk, Lease, WorkQueue
from bot.dispatch.quiet import QuietHours
from bot.dispatch.ratelimit import RateGate
from bot.dispatch.recipients import Recipient
from bot.dispatch.signals import CampaignSignals
from bot.dispatch.store import Claimed, DeliveryStore, Update, Usage
from bot.services.campaigns.placeholders import MessageTemplate, contact_values
from bot.services.usage import units_for
from models import (
    NO_CHANNEL,
    Campaign,
    CampaignStatus,
    Channel,
    DeliveryStatus,
)

log = logging.getLogger(__name__)

CHUNK_SIZE = 1000
# The platform answers that are usage records, as the status billed; a transient refusal
# (RETRY) is no send at all.
_BILLED_AS = {
    Result.SENT: DeliveryStatus.SENT,
    Result.AMBIGUOUS: DeliveryStatus.AMBIGUOUS,
    Result.FAILED: DeliveryStatus.FAILED,
}


def split(campaign_id: int, first_id: int, last_id: int) -> list[Chunk]:
    """A range of delivery ids as chunks of CHUNK_SIZE ids."""
    return [
        Chunk(campaign_id, start, min(start + CHUNK_SIZE - 1, last_id))
        for start in range(first_id, last_id + 1, CHUNK_SIZE)
    ]


@dataclass(slots=True)
class _Plan:
    """A campaign's fixed parts, parsed once per chunk."""

    campaign: Campaign
    message: MessageTemplate
    channels: list[Channel]
    quiet: QuietHours | None
    home_timezone: str
    # WhatsApp template body parameters, each one placeholder.
    parameters: list[MessageTemplate]
    image: Image | None

    @property
    def personal(self) -> bool:
        """Whether the text or a template parameter reads the recipient's details."""
        return self.message.is_personal or bool(self.parameters)


class Engine:
    """Runs `concurrency` chunk loops in this process until stopped."""

    def __init__(
        self,
        *,
        queue: WorkQueue,
        senders: Mapping[Channel, ChannelSender],
        gate: RateGate,
        signals: CampaignSignals,
        store: DeliveryStore,
        clock: Callable[[], datetime],
        images: Callable[[int], Awaitable[Image | None]],
        on_finished: Callable[[int], Awaitable[object]] | None = None,
        on_recorded: Callable[[int], Awaitable[object]] | None = None,
        window: int = 200,
        concurrency: int = 4,
        orphaned_after: timedelta = timedelta(seconds=30),
        rng: random.Random | None = None,
    ) -> None:
        self._queue = queue
        self._senders = senders
        self._gate = gate
        self._signals = signals
        self._store = store
        self._clock = clock
        self._images = images
        self._on_finished = on_finished
        # Told after each claim's outcomes are recorded: the campaign's rate check
        # (services/campaigns/autopause.py), which holds it when too many fail or opt out.
        self._on_recorded = on_recorded
        self._window = window
        self._concurrency = concurrency
        # A `sending` row older than this belongs to a dead worker (see _resolve_orphans).
        self._orphaned_after = orphaned_after
        # Jitter only spreads retries out; it needs no secrecy.
        self._fates = Fates(available=senders, rng=rng or random.Random())  # noqa: S311

    async def run(self, stop: asyncio.Event) -> None:
        """Take and work chunks until `stop` is set."""
        async with asyncio.TaskGroup() as group:
            for number in range(self._concurrency):
                group.create_task(self._loop(stop), name=f"dispatch-{number}")

    async def _loop(self, stop: asyncio.Event) -> None:
        # Any failure here (Redis or the database gone, a bug) must not end the loop: the
        # process would die with its TaskGroup and the campaign wait for an operator.
        backoff = Backoff()
        while not stop.is_set():
            try:
                lease = await self._queue.take(block=1.0)
            except Exception as error:  # noqa: BLE001 - a queue down: wait, then again
                log.warning("queue unavailable", extra={"error": type(error).__name__})
                await backoff.wait(stop)
                continue
            if lease is None:
                backoff.reset()
                continue
            try:
                await self.work(lease)
            except Exception:
                # The chunk stays unacknowledged: with Redis another worker takes it over;
                # in one process the sweep queues its campaign's due deliveries again.
                log.exception("chunk failed", extra={"campaign": lease.chunk.campaign_id})
                await self._queue.release(lease)
                await backoff.wait(stop)
                continue
            try:
                await self._queue.ack(lease)
            except Exception as error:  # noqa: BLE001
                # Left in the queue, the chunk is taken again later and finds nothing due
                # (claims are conditional): harmless.
                log.warning("chunk not acknowledged", extra={"error": type(error).__name__})
                await backoff.wait(stop)
                continue
            backoff.reset()

    async def work(self, lease: Lease) -> None:
        """Send every due delivery of the chunk, unless the campaign stops running."""
        chunk = lease.chunk
        plan = await self._plan(chunk.campaign_id)
        if plan is None:
            return
        await self._resolve_orphans(chunk)
        window = self._window_for(plan)
        while await self._signals.status(chunk.campaign_id) is CampaignStatus.RUNNING:
            claimed = await self._store.claim(chunk, limit=window, now=self._clock())
            if not claimed:
                break
            try:
                await self._queue.touch(lease)
            except Exception:
                await self._give_back(claimed)  # nothing of it was sent
                raise
            await self._send(plan, claimed)
        # Read afresh: the launch may have finished writing the audience meanwhile. (If both
        # it and this worker miss the moment, the sweep finishes the campaign.)
        if (
            self._on_finished is not None
            and await self._store.audience_ready(chunk.campaign_id)
            and not await self._store.has_open(chunk.campaign_id)
        ):
            await self._on_finished(chunk.campaign_id)

    def _window_for(self, plan: _Plan) -> int:
        """Deliveries per claim: the window, or more when every channel of the campaign carries
        one text to many recipients per request (LINE multicast), so that each claim fills its
        requests: with a window of 200, 100,000 LINE recipients went out at 6,389 a second,
        with 500 at 8,133. Only then: the in-flight window stays `window` x `concurrency` for
        channels without an idempotency key (Telegram), which a kill -9 leaves ambiguous."""
        senders = [self._senders.get(channel) for channel in plan.channels]
        if plan.message.is_personal or not senders or None in senders:
            return self._window
        per_request = min(sender.same_text_per_request for sender in senders if sender)
        return max(self._window, per_request)

    async def _plan(self, campaign_id: int) -> _Plan | None:
        campaign = await Campaign.get_or_none(id=campaign_id).prefetch_related("member")
        if campaign is None:
            return None
        image = await self._images(campaign.image_id) if campaign.image_id else None
        return _Plan(
            campaign=campaign,
            message=MessageTemplate.parse(campaign.text),
            channels=[Channel(name) for name in campaign.channels],
            quiet=QuietHours.of(campaign.quiet_start, campaign.quiet_end),
            home_timezone=campaign.member.timezone,
            parameters=[MessageTemplate.parse(f"{{{name}}}") for name in campaign.whatsapp_params],
            image=image,
        )

    async def _resolve_orphans(self, chunk: Chunk) -> None:
        now = self._clock()
        settled = await self._store.resolve_orphans(
            chunk, now=now, stale_before=now - self._orphaned_after
        )
        if settled:
            log.warning(
                "settled deliveries left mid-send",
                extra={"campaign": chunk.campaign_id, "count": settled},
            )

    async def _send(self, plan: _Plan, claimed: list[Claimed]) -> None:
        now = self._clock()
        contact_ids = [row.contact_id for row in claimed if row.contact_id is not None]
        recipients = await self._store.recipients(contact_ids)
        opted_out = await self._store.opted_out(
            plan.campaign.member_id,
            list(recipients.values()),
            inherited=plan.campaign.member.inherited_opt_outs,
        )
        updates: list[Update] = []
        usage: list[Usage] = []
        by_channel: dict[Channel, list[tuple[Claimed, Outgoing]]] = defaultdict(list)
        for row in claimed:
            recipient = recipients.get(row.contact_id) if row.contact_id is not None else None
            if recipient is None:
                updates.append(skipped(row, NO_CHANNEL))
                continue
            scope = opted_out.get(recipient.contact_id, frozenset())
            update = self._fates.after_opt_out(plan.channels, row, recipient, scope)
            if update is not None:
                updates.append(update)
                continue
            zone = recipient.timezone or plan.home_timezone
            held = plan.quiet.until(now, zone) if plan.quiet is not None else None
            if held is not None:
                # Not an attempt: the claim's increment is given back.
                updates.append(pending(row, not_before=held, attempts=row.attempts - 1))
                continue
            channel = row.channel
            address = recipient.address(channel) if channel is not None else None
            if channel is None or address is None or channel not in self._senders:
                updates.append(
                    self._fates.fall_back(plan.channels, row, recipient, error_code=NO_CHANNEL)
                )
                continue
            by_channel[channel].append((row, self._outgoing(plan, row, recipient, address)))
        # Deliveries handed to a platform: only those may have reached anyone.
        attempted: set[int] = set()
        try:
            # A TaskGroup, not gather: when one channel fails the others are cancelled before
            # anything is given back, so none of them sends a row given back meanwhile.
            async with asyncio.TaskGroup() as group:
                tasks = [
                    group.create_task(
                        self._send_channel(plan, channel, items, recipients, attempted)
                    )
                    for channel, items in by_channel.items()
                ]
            for task in tasks:
                channel_updates, channel_usage = task.result()
                updates.extend(channel_updates)
                usage.extend(channel_usage)
            await self._store.record(updates, usage=usage, now=self._clock())
        except Exception:
            await self._give_back([row for row in claimed if row.id not in attempted])
            raise
        if self._on_recorded is not None:
            await self._on_recorded(plan.campaign.id)

    async def _give_back(self, rows: Sequence[Claimed]) -> None:
        """A claim cut short (Redis gone while it waited for its rate limit, say): the rows
        never handed to a platform go back to pending, not an attempt, so they are sent later
        instead of being settled ambiguous with the rows that may have gone out. Best effort:
        with the database gone too they stay `sending`, and whoever takes the chunk next
        settles them ambiguous (never sent twice)."""
        if not rows:
            return
        try:
            await self._store.record(
                [pending(row, not_before=None, attempts=row.attempts - 1) for row in rows],
                usage=[],
                now=self._clock(),
            )
        except Exception as error:  # noqa: BLE001 - the caller raises the first failure
            log.warning(
                "claimed deliveries not given back",
                extra={"count": len(rows), "error": type(error).__name__},
            )

    def _outgoing(self, plan: _Plan, row: Claimed, recipient: Recipient, address: str) -> Outgoing:
        # Only a placeholder reads the names, the number and the attributes (sealed or JSON:
        # opening them costs more than the rest of this method).
        values = (
            contact_values(
                recipient.first_name, recipient.last_name, recipient.phone, recipient.attributes
            )
            if plan.personal
            else {}
        )
        template = None
        campaign = plan.campaign
        if row.channel is Channel.WHATSAPP and campaign.whatsapp_template:
            template = Template(
                name=campaign.whatsapp_template,
                language=campaign.whatsapp_language or "en",
                parameters=tuple(parameter.render(values) for parameter in plan.parameters),
            )
        return Outgoing(row.id, address, plan.message.render(values), template, plan.image)

    async def _send_channel(
        self,
        plan: _Plan,
        channel: Channel,
        items: Sequence[tuple[Claimed, Outgoing]],
        recipients: Mapping[int, Recipient],
        attempted: set[int],
    ) -> tuple[list[Update], list[Usage]]:
        """Send the claim's messages on one channel; their new states and what they cost.
        Each delivery's id goes into `attempted` as it is handed to the platform."""
        sender = self._senders[channel]
        rows = {row.id: row for row, _ in items}
        outcomes: list[Outcome] = []
        updates: list[Update] = []
        # One message per request: each goes as its slot comes (paced); a sender packing many
        # messages per request (LINE multicast) is paced by its requests instead.
        packed = sender.requests_for([outgoing for _, outgoing in items]) < len(items)
        burst = len(items) if packed else self._gate.burst(channel)
        paced = not packed and self._gate.limited(channel)
        for start in range(0, len(items), burst):
            # A slow (rate-limited) claim takes seconds: a pause or cancel must not wait for it.
            if start and (status := await self._signals.status(plan.campaign.id)) is not (
                CampaignStatus.RUNNING
            ):
                updates.extend(unsent(row, status) for row, _ in items[start:])
                break
            slice_items = items[start : start + burst]
            if paced:
                # A TaskGroup, as in _send: one failed send cancels its siblings before the
                # claim's unsent rows are given back, so none of them sends a row given back.
                async with asyncio.TaskGroup() as group:
                    sends = [
                        group.create_task(
                            self._send_paced(plan, sender, item, recipients, attempted)
                        )
                        for item in slice_items
                    ]
                for send in sends:
                    answers, dropped = send.result()
                    outcomes.extend(answers)
                    updates.extend(dropped)
                continue
            await self._gate.wait(
                channel, sender.account, sender.requests_for([i for _, i in slice_items])
            )
            attempted.update(row.id for row, _ in slice_items)
            answers = await sender.send([outgoing for _, outgoing in slice_items])
            outcomes.extend(answers)
            await self._pause_if_asked(sender, answers)
        dead = [
            rows[outcome.delivery_id].contact_id
            for outcome in outcomes
            if outcome.unreachable and rows[outcome.delivery_id].contact_id is not None
        ]
        await self._store.mark_unreachable([cid for cid in dead if cid is not None], channel)
        await self._note_opt_outs(plan, channel, outcomes, rows, recipients)
        now = self._clock()
        addresses = {outgoing.delivery_id: outgoing.address for _, outgoing in items}
        usage: list[Usage] = []
        for outcome in outcomes:
            row = rows[outcome.delivery_id]
            recipient = recipients[row.contact_id] if row.contact_id is not None else None
            updates.append(self._fates.after(plan.channels, row, recipient, outcome, now))
            if (status := _BILLED_AS.get(outcome.result)) is not None:
                usage.append(
                    Usage(
                        member_id=plan.campaign.member_id,
                        campaign_id=plan.campaign.id,
                        delivery_id=row.id,
                        channel=channel,
                        account=sender.account,
                        recipient=addresses[row.id],
                        units=units_for(status),
                        status=status,
                    )
                )
        return updates, usage

    async def _send_paced(
        self,
        plan: _Plan,
        sender: ChannelSender,
        item: tuple[Claimed, Outgoing],
        recipients: Mapping[int, Recipient],
        attempted: set[int],
    ) -> tuple[list[Outcome], list[Update]]:
        """One message in its own slot: its answers, and what became of it if not sent
        (its id goes into `attempted` as it is handed to the platform).

        Paced sends wait for their slots, seconds in all: a STOP that arrives meanwhile must
        hold within a second, so the recipient is checked again once the slot has come."""
        async with self._gate.slot(sender.channel, sender.account):
            kept, dropped = await self._still_wanted(plan, [item], recipients)
            if not kept:
                return [], dropped
            attempted.update(row.id for row, _ in kept)
            answers = await sender.send([outgoing for _, outgoing in kept])
        await self._pause_if_asked(sender, answers)
        return answers, dropped

    async def _pause_if_asked(self, sender: ChannelSender, answers: Sequence[Outcome]) -> None:
        """A 429 holds the channel at once, for the rest of this claim and every worker."""
        if pauses := [answer.retry_after for answer in answers if answer.retry_after]:
            await self._gate.pause(sender.channel, sender.account, max(pauses))

    async def _still_wanted(
        self,
        plan: _Plan,
        items: Sequence[tuple[Claimed, Outgoing]],
        recipients: Mapping[int, Recipient],
    ) -> tuple[list[tuple[Claimed, Outgoing]], list[Update]]:
        """The slice's messages whose recipients have not opted out since the claim was
        checked (kept), and what becomes of the others: skipped after a STOP, on to their
        next channel when they left this one (blocked the bot)."""
        people = [recipients[row.contact_id] for row, _ in items if row.contact_id is not None]
        scopes = await self._store.opted_out(
            plan.campaign.member_id, people, inherited=plan.campaign.member.inherited_opt_outs
        )
        if not scopes:
            return list(items), []
        kept: list[tuple[Claimed, Outgoing]] = []
        dropped: list[Update] = []
        for row, outgoing in items:
            scope = scopes.get(row.contact_id) if row.contact_id is not None else None
            update = None
            if scope and row.contact_id is not None:
                update = self._fates.after_opt_out(
                    plan.channels, row, recipients[row.contact_id], scope
                )
            if update is None:
                kept.append((row, outgoing))
            else:
                dropped.append(update)
        return kept, dropped

    async def _note_opt_outs(
        self,
        plan: _Plan,
        channel: Channel,
        outcomes: Sequence[Outcome],
        rows: Mapping[int, Claimed],
        recipients: Mapping[int, Recipient],
    ) -> None:
        """A person who blocked the bot (or stopped the business's marketing) left that
        channel by their own act: their address there goes on the member's suppression list,
        so no later campaign tries it, and re-following alone never lifts it (only START or a
        new opt-in). The delivery still falls back: the other channels are not what they left.
        """
        entries = [
            entry
            for outcome in outcomes
            if outcome.opted_out and (contact_id := rows[outcome.delivery_id].contact_id)
            for entry in recipients[contact_id].suppression_entries()
            if entry[1] == (channel.value if channel is not Channel.WHATSAPP else "phone")
        ]
        if entries:
            await self._store.suppress(
                plan.campaign.member_id, entries, detail=f"{channel.value} send", now=self._clock()
            )
