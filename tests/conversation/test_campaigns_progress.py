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


async def test_the_watcher_reports_changes_at_most_every_interval_then_the_end() -> None:
    seen = [_sending(k, 4) for k in (0, 1, 2, 3, 3)]
    seen.append(tally(CampaignStatus.FINISHED, [DeliveryCount(S.SENT, "telegram", None, False, 4)]))
    now = [0.0]
    loads = iter(seen)

    async def load() -> Tally:
        now[0] += 1.0  # each poll a second after the last
        return next(loads)

    shown: list[Tally] = []
    finished: list[Tally] = []

    async def on_progress(current: Tally) -> None:
        shown.append(current)

    async def on_finish(current: Tally) -> None:
        finished.append(current)

    await watch(
        load,
        on_progress=on_progress,
        on_finish=on_finish,
        every=2.0,
        first=0.0,
        clock=lambda: now[0],
    )
    assert [item.sent for item in shown] == [1, 3], "changes at 2 s and 4 s; 3 s was too soon"
    assert shown[0].rate == 1.0
    assert shown[0].eta == 3.0
    assert [item.status for item in finished] == [CampaignStatus.FINISHED]


async def test_the_watcher_stops_when_the_campaign_is_gone_or_a_draft_again() -> None:
    for last in (None, tally(CampaignStatus.DRAFT, [])):
        loads = iter([tally(CampaignStatus.SCHEDULED, []), last])

        async def load(loads=loads) -> Tally | None:  # type: ignore[no-untyped-def]
            return next(loads)

        async def never(current: Tally) -> None:
            raise AssertionError(current)

        await watch(load, on_progress=never, on_finish=never, every=0.0, first=0.0)
