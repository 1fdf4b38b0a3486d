"""The progress watcher and the counts behind the progress message and the report.

(Plain unit tests of bot/services/campaigns/progress.py, kept beside the chat tests that show
their output.)
"""

from __future__ import annotations

from bot.dispatch.store import DeliveryCount
from bot.services.campaigns.progress import Tally, tally, watch
from models import NO_CHANNEL, OPTED_OUT, CampaignStatus, DeliveryStatus

S = DeliveryStatus


def _sending(sent: int, total: int) -> Tally:
    return tally(
        CampaignStatus.RUNNING,
        [
            DeliveryCount(S.SENT, "telegram", None, False, sent),
            DeliveryCount(S.PENDING, "telegram", None, False, total - sent),
        ],
    )


def test_tally_keeps_failures_and_skips_apart() -> None:
    counts = tally(
        CampaignStatus.FINISHED,
        [
            DeliveryCount(S.SENT, "telegram", None, False, 5),
            DeliveryCount(S.READ, "whatsapp", None, True, 2),
            DeliveryCount(S.FAILED, "line", "400", False, 1),
            DeliveryCount(S.FAILED, "telegram", NO_CHANNEL, True, 1),
            DeliveryCount(S.SKIPPED, None, OPTED_OUT, False, 3),
            DeliveryCount(S.SKIPPED, None, NO_CHANNEL, False, 4),
            DeliveryCount(S.AMBIGUOUS, "telegram", None, False, 1),
        ],
    )
    assert (counts.total, counts.sent, counts.failed, counts.remaining) == (17, 7, 2, 0)
    assert counts.failed_by_reason == {"400": 1, NO_CHANNEL: 1}
    assert (counts.opted_out, counts.no_channel, counts.fell_back) == (3, 4, 2)
    assert counts.per_channel["telegram"].sent == 5
    assert counts.per_channel["line"].failed == 1
    assert counts.ended


class _Time:
    """A clock that only the watcher's sleeps move (and a load, by what it costs)."""

    def __init__(self) -> None:
        self.now = 0.0
        self.pauses: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.pauses.append(seconds)
        self.now += seconds


async def _watch(seen: list[Tally], time: _Time, *, load_cost: float = 0.0) -> list[Tally]:
    """What the watcher showed of `seen` (loaded in turn, each taking `load_cost` seconds),
    every=2, first=0.5; the last of `seen` must have ended."""
    loads = iter(seen)
    shown: list[Tally] = []
    finished: list[Tally] = []

    async def load() -> Tally:
        time.now += load_cost
        return next(loads)

    async def on_progress(current: Tally) -> None:
        shown.append(current)

    async def on_finish(current: Tally) -> None:
        finished.append(current)

    await watch(
        load,
        on_progress=on_progress,
        on_finish=on_finish,
        every=2.0,
        first=0.5,
        clock=time.clock,
        sleep=time.sleep,
    )
    assert [item.status for item in finished] == [CampaignStatus.FINISHED]
    return shown


def _finished(total: int) -> Tally:
    return tally(CampaignStatus.FINISHED, [DeliveryCount(S.SENT, "telegram", None, False, total)])


async def test_the_watcher_reports_changes_at_most_every_interval_then_the_end() -> None:
    time = _Time()
    shown = await _watch([*(_sending(k, 8) for k in (0, 1, 2, 3, 6)), _finished(8)], time)
    # Polls at 0, 1 (backing off from 0.5), 3 (shown: 2 s since the start), then every 2 s,
    # when the next report may come: 5 (shown), 7 (shown), 9 (ended).
    assert time.pauses == [1.0, 2.0, 2.0, 2.0, 2.0]
    assert [item.sent for item in shown] == [2, 3, 6]
    assert shown[0].rate == 2 / 3
    assert shown[0].eta == 9.0


async def test_a_costly_tally_spaces_the_polls_to_keep_the_database_free() -> None:
    time = _Time()
    # Each count takes half a second (a million deliveries): polls 10 s apart, so that
    # watching holds the database 5% of the time.
    shown = await _watch([_sending(0, 8), _sending(4, 8), _finished(8)], time, load_cost=0.5)
    assert time.pauses == [10.0, 10.0]
    assert [item.sent for item in shown] == [4]


async def test_the_watcher_stops_when_the_campaign_is_gone_or_a_draft_again() -> None:
    for last in (None, tally(CampaignStatus.DRAFT, [])):
        loads = iter([tally(CampaignStatus.SCHEDULED, []), last])

        async def load(loads=loads) -> Tally | None:  # type: ignore[no-untyped-def]
            return next(loads)

        async def never(current: Tally) -> None:
            raise AssertionError(current)

        await watch(load, on_progress=never, on_finish=never, every=0.0, first=0.0)
