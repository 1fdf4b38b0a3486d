"""Where a campaign stands, and a watcher that tells the member as it goes.

`tally` turns the delivery counts (one grouped query) into what the progress message and
the report show. `watch` polls a tally until the campaign ends: it calls `on_progress` when
something changed, at most every `every` seconds (platforms rate-limit edits, and people
don't need more), and `on_finish` once the campaign is finished, cancelled or failed.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace

from bot.dispatch.store import DeliveryCount
from models import NO_CHANNEL, OPTED_OUT, CampaignStatus, DeliveryStatus

# How often a watcher polls at most, and how soon it polls first (then backing off); a
# campaign scheduled for later is polled less often, as the scheduler starts it.
EVERY_SECONDS = 3.0
FIRST_SECONDS = 0.25
SCHEDULED_EVERY_SECONDS = 30.0
ENDED = frozenset({CampaignStatus.FINISHED, CampaignStatus.CANCELLED, CampaignStatus.FAILED})
_SENT = frozenset({DeliveryStatus.SENT, DeliveryStatus.DELIVERED, DeliveryStatus.READ})
_OPEN = frozenset({DeliveryStatus.PENDING, DeliveryStatus.SENDING})
# Waiting for a time or for an operator's decision (hours, maybe days): polled less often.
_WAITING = frozenset({CampaignStatus.SCHEDULED, CampaignStatus.REVIEW})
# A tally counts every delivery of the campaign: at a million, most of a second of the
# database, whose one SQLite connection the dispatcher shares. Polls are kept far enough
# apart that watching takes at most this share of that time.
LOAD_SHARE = 0.05


def spacing_for(cost: float) -> float:
    """The least time between two counts of a campaign that each take `cost` seconds."""
    return cost / LOAD_SHARE


@dataclass(slots=True)
class ChannelTally:
    """One channel's share: accepted by the platform, failed there, still to send."""

    sent: int = 0
    failed: int = 0
    remaining: int = 0


@dataclass(slots=True)
class Tally:
    """A campaign's deliveries counted the ways the member sees them.

    `failed_by_reason` holds failures only; skips (opted out, no channel) have their own
    counts. `rate` (deliveries settled per second) and `eta` (seconds) are set by the watcher,
    which has seen the counts move.
    """

    status: CampaignStatus
    total: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    per_channel: dict[str, ChannelTally] = field(default_factory=dict)
    failed_by_reason: Counter[str] = field(default_factory=Counter)
    fell_back: int = 0
    opted_out: int = 0
    no_channel: int = 0
    rate: float | None = None
    eta: float | None = None

    @property
    def sent(self) -> int:
        """Accepted by a platform (delivered and read included)."""
        return sum(self.by_status[status] for status in _SENT)

    @property
    def failed(self) -> int:
        """Deliveries that failed for good (retry failed sends them again)."""
        return self.by_status[DeliveryStatus.FAILED]

    @property
    def remaining(self) -> int:
        """Deliveries still waiting or being sent."""
        return sum(self.by_status[status] for status in _OPEN)

    @property
    def settled(self) -> int:
        """Deliveries whose outcome is known (or never will be: ambiguous, cancelled)."""
        return self.total - self.remaining

    @property
    def ended(self) -> bool:
        """Whether the campaign will send nothing more (until "retry failed")."""
        return self.status in ENDED

    def key(self) -> tuple[object, ...]:
        """What the member would see change; rate and ETA alone are no news."""
        return (self.status, self.total, tuple(sorted(self.by_status.items())))


def tally(status: CampaignStatus, counts: Sequence[DeliveryCount]) -> Tally:
    """The counts of `DeliveryStore.counts` summed per status, channel and reason."""
    result = Tally(status)
    for row in counts:
        result.total += row.count
        result.by_status[row.status] += row.count
        if row.fell_back and row.status in _SENT:
            result.fell_back += row.count
        if row.status is DeliveryStatus.SKIPPED:
            if row.error_code == OPTED_OUT:
                result.opted_out += row.count
            else:
                result.no_channel += row.count
            continue
        if row.status is DeliveryStatus.FAILED:
            result.failed_by_reason[row.error_code or NO_CHANNEL] += row.count
        if row.channel is None:
            continue
        channel = result.per_channel.setdefault(row.channel, ChannelTally())
        if row.status in _SENT:
            channel.sent += row.count
        elif row.status is DeliveryStatus.FAILED:
            channel.failed += row.count
        elif row.status in _OPEN:
            channel.remaining += row.count
    return result


Loader = Callable[[], Awaitable[Tally | None]]
Callback = Callable[[Tally], Awaitable[None]]


async def watch(
    load: Loader,
    *,
    on_progress: Callback,
    on_finish: Callback,
    every: float,
    first: float,
    scheduled_every: float = SCHEDULED_EVERY_SECONDS,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> None:
    """Poll `load` until the campaign ends (or is gone: None, or back to a draft), reporting
    as described above.

    Polls start `first` seconds apart and back off to `every` (`scheduled_every` while the
    campaign waits for its time) while nothing changes, so a small campaign is reported at
    once and a long one costs one query every few seconds. After a report the next poll
    waits `every`, when the next report may come; and never sooner than `LOAD_SHARE` allows
    for what the last poll took. (Polling from `first` again after each report, the watcher of
    a 1,000,000-recipient campaign counted it about once a second and held the database
    for 80% of the time.)
    """
    shown: tuple[object, ...] | None = None
    shown_at = clock()
    start: tuple[float, int] | None = None  # when sending was first seen, and how far it was
    pause = first
    while True:
        asked = clock()
        current = await load()
        if current is None or current.status is CampaignStatus.DRAFT:
            return
        now = clock()
        spacing = spacing_for(now - asked)
        if current.status is CampaignStatus.RUNNING:
            if start is None:
                start = (now, current.settled)
            current = _with_speed(current, start, now)
        else:
            start = None  # a pause is not slowness: measure afresh after it
        if current.ended:
            await on_finish(current)
            return
        # Nothing to show before sending starts (scheduled): the launch said when it will.
        visible = current.status in (CampaignStatus.RUNNING, CampaignStatus.PAUSED)
        if visible and current.key() != shown and now - shown_at >= every:
            shown, shown_at = current.key(), now
            await on_progress(current)
            pause = every
        else:
            ceiling = scheduled_every if current.status in _WAITING else every
            pause = min(pause * 2, ceiling) if ceiling > 0 else 0
        # The poll interval of a periodic job, not a wait for some event we could be told of.
        await sleep(max(pause, spacing))


def _with_speed(current: Tally, start: tuple[float, int], now: float) -> Tally:
    started_at, settled_then = start
    elapsed = now - started_at
    done = current.settled - settled_then
    if elapsed <= 0 or done <= 0:
        return current
    rate = done / elapsed
    return replace(current, rate=rate, eta=current.remaining / rate)
