"""A worker process killed with SIGKILL mid-campaign, then started again: nothing is lost and
nothing reaches anyone twice, except the few deliveries reported ambiguous.

Real processes: `run_bot.py worker` against the sandbox (served by this test) and the test's
database (SQLite file embedded, PostgreSQL + Redis in the other configuration).
"""

from __future__ import annotations

from pathlib import Path

from tests.reliability.campaigns import (
    assert_each_once,
    audience,
    launch,
    telegram_sends,
    until_finished,
    until_sent,
)
from tests.support.bot_processes import BotProcess, bot_environment, start_bot, stop_all
from tests.support.harness import Harness

TELEGRAM_RECIPIENTS = 1500
LINE_RECIPIENTS = 300
WINDOW, CONCURRENCY = 50, 2  # the killed worker's in-flight window: WINDOW x CONCURRENCY


async def _worker(harness: Harness, log: Path) -> BotProcess:
    env = bot_environment(
        harness,
        # Slow enough that the kill lands mid-campaign, fast enough for a test.
        TELEGRAM_RATE_LIMIT="300",
        DISPATCH_WINDOW=str(WINDOW),
        DISPATCH_CONCURRENCY=str(CONCURRENCY),
        DISPATCH_RECLAIM_SECONDS="1",
    )
    return await start_bot(env, log)


async def test_a_killed_worker_loses_nothing_and_sends_nothing_twice(
    harness: Harness, tmp_path: Path
) -> None:
    people = await audience(harness, telegram=TELEGRAM_RECIPIENTS, line=LINE_RECIPIENTS)
    campaign = await launch(harness, people, text="Only once")

    # At scale two workers share the campaign (and one takes over the killed one's chunks);
    # embedded, one worker and a restart.
    victim = await _worker(harness, tmp_path / "victim.log")
    others = (
        [await _worker(harness, tmp_path / "other.log")] if harness.app.settings.REDIS_URL else []
    )
    try:
        await until_sent(harness, TELEGRAM_RECIPIENTS // 4, timeout=60)
        victim.kill()
        await victim.process.wait()
        assert telegram_sends(harness) < TELEGRAM_RECIPIENTS, "the kill came after the campaign"
        others.append(await _worker(harness, tmp_path / "restarted.log"))
        await until_finished(campaign.id, timeout=90)
    finally:
        await stop_all([victim, *others])

    await assert_each_once(harness, campaign.id, people, in_flight=WINDOW * CONCURRENCY)
