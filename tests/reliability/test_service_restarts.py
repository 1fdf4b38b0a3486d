"""Redis, then PostgreSQL, stopped for a few seconds mid-campaign and started again: the
campaign finishes by itself within a minute of the service's return, nobody gets it twice,
and nothing is lost (deliveries the workers held when the service went are reported
ambiguous, never repeated, at most their in-flight window).

Real processes: two `run_bot.py worker`s on a PostgreSQL and a Redis of the test's own
(tests/support/private_services.py), so the machine's shared servers are never touched. Redis
keeps nothing on disk: its restart loses the queue, the statuses and the rate limits' counts.
PostgreSQL is stopped in immediate mode: every connection drops mid-query, like a crash.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from models import DeliveryStatus
from tests.reliability.campaigns import (
    assert_each_once,
    audience,
    launch,
    telegram_sends,
    until_finished,
    until_sent,
)
from tests.reliability.conftest import Restartable
from tests.support.bot_processes import BotProcess, bot_environment, start_bot, stop_all

RECIPIENTS = 3000
RATE = 200  # messages/s: 15 s of campaign, so the outage lands in the middle
WINDOW, CONCURRENCY, WORKERS = 50, 2, 2
# Each of the 4 loops sends its claim of 50 at about 50/s: a second per claim, so a live
# worker's chunk is touched every second; 5 s untouched is a dead one's.
RECLAIM_SECONDS = 5
OUTAGE_SECONDS = 3
BACK_WITHIN_SECONDS = 60


async def _workers(restartable: Restartable, folder: Path) -> list[BotProcess]:
    env = bot_environment(
        restartable.harness,
        TELEGRAM_RATE_LIMIT=str(RATE),
        DISPATCH_WINDOW=str(WINDOW),
        DISPATCH_CONCURRENCY=str(CONCURRENCY),
        DISPATCH_RECLAIM_SECONDS=str(RECLAIM_SECONDS),
    )
    return [await start_bot(env, folder / f"worker{n}.log") for n in range(WORKERS)]


@pytest.mark.timeout(120)
@pytest.mark.parametrize("service", ["redis", "postgres"])
async def test_a_service_restarted_mid_campaign_loses_nothing(
    restartable: Restartable, tmp_path: Path, service: str
) -> None:
    harness = restartable.harness
    target = restartable.services.redis if service == "redis" else restartable.services.postgres
    people = await audience(harness, telegram=RECIPIENTS)
    campaign = await launch(harness, people, text=f"Through a {service} restart")
    workers = await _workers(restartable, tmp_path)
    try:
        await until_sent(harness, RECIPIENTS // 4, timeout=60)
        await target.stop()
        stopped_at = telegram_sends(harness)
        # The outage itself: the service is away for this long, whatever the workers do.
        await asyncio.sleep(OUTAGE_SECONDS)
        await target.start()
        back = time.monotonic()
        assert telegram_sends(harness) < RECIPIENTS, "the outage came after the campaign"
        await until_finished(campaign.id, timeout=BACK_WITHIN_SECONDS)
        took = time.monotonic() - back
        crashed = [worker.log_tail() for worker in workers if not worker.running]
        assert not crashed, "a worker died with the service:\n" + "\n\n".join(crashed)
    finally:
        await stop_all(workers)
    statuses = await assert_each_once(
        harness, campaign.id, people, in_flight=WINDOW * CONCURRENCY * WORKERS
    )
    print(  # noqa: T201 - the figures the README quotes
        f"{service}: {stopped_at} sent before the outage, finished {took:.1f} s after the "
        f"return, {statuses[DeliveryStatus.AMBIGUOUS]} ambiguous"
    )
