"""The campaign benchmark's watching and checking: the campaign's status polled every 50 ms,
what reached the sandbox meanwhile, and what the database, the inboxes and the workers' logs say
afterwards."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.campaign_setup import Audience, inbox_counts
from bench.campaign_workers import Worker

POLL_SECONDS = 0.05
# How long to wait, once the campaign reads FINISHED, for messages still on their way.
LATE_SECONDS = 60
# How long a campaign launched from the chat may still read "draft" (the press on its way).
LAUNCH_SECONDS = 30


class Timeline:
    """Messages the sandbox has received, sampled at every poll: when sending started, ended,
    and the longest time nothing arrived in between."""

    def __init__(self) -> None:
        self.samples: list[tuple[float, int]] = []

    def add(self, seconds: float, received: int) -> None:
        """`received` messages had reached the sandbox `seconds` after the launch."""
        self.samples.append((seconds, received))

    def summary(self, total: int) -> dict[str, float]:
        """First and last message (seconds after the launch), the rate between them, and the
        longest time between them that nothing arrived (the polls' 50 ms is the resolution)."""
        first = next((t for t, n in self.samples if n > 0), None)
        last = next((t for t, n in self.samples if n >= total), None)
        stall, since, seen = 0.0, None, 0
        for t, n in self.samples:
            if first is None or t < first or (last is not None and t > last):
                continue
            if n > seen or since is None:
                since, seen = t, n
            stall = max(stall, t - since)
        send_span = (last - first) if first is not None and last is not None else 0.0
        return {
            "first_send_s": round(first or 0.0, 2),
            "last_send_s": round(last or 0.0, 2),
            "send_phase_per_s": round(total / send_span) if send_span > 0 else 0,
            "longest_stall_s": round(stall, 2),
        }


async def campaign_status(campaign_id: int) -> str:
    """The campaign's status as the database has it."""
    from models import Campaign

    rows = await Campaign.filter(id=campaign_id).values_list("status", flat=True)
    return str(rows[0])


async def delivery_statuses(campaign_id: int) -> dict[str, int]:
    """The campaign's deliveries counted by status."""
    from tortoise import connections

    from bot.sql import dialect_sql

    connection = connections.get("default")
    sql = "SELECT status, COUNT(*) FROM delivery WHERE campaign_id = ? GROUP BY status"
    _, rows = await connection.execute_query(dialect_sql(connection, sql), [campaign_id])
    return {str(row[0]): int(row[1]) for row in rows}


async def chunks_added(redis_url: str | None) -> int | None:
    """Chunks ever queued on the Redis stream (acknowledged ones are deleted, so XLEN won't do)."""
    if not redis_url:
        return None
    from redis.asyncio import Redis
    from redis.exceptions import ResponseError

    from bot.dispatch.queue import STREAM

    redis = Redis.from_url(redis_url)
    try:
        info = await redis.xinfo_stream(STREAM)
    except ResponseError:
        return 0
    finally:
        await redis.aclose()
    return int(info.get("entries-added", 0))


@dataclass(slots=True)
class Finish:
    """When the campaign read FINISHED, and when its last message reached the sandbox."""

    finished_s: float
    received_at_finish: int
    end_s: float  # the later of the two: the end of "end to end"


async def until_finished(
    campaign_id: int,
    workers: list[Worker],
    received: Callable[[], int],
    timeline: Timeline,
    *,
    total: int,
    timeout: float,
) -> Finish:
    """Poll the campaign's status every 50 ms until it is FINISHED and every message has
    reached the sandbox (a campaign can read FINISHED while sends are still in flight: up to
    LATE_SECONDS more are waited for; the check after the workers' stop finds what is missing).
    `received` counts the messages that reached the audience so far."""
    start = time.perf_counter()
    finished: tuple[float, int] | None = None
    while True:
        status = await campaign_status(campaign_id)
        elapsed = time.perf_counter() - start
        arrived = received()
        timeline.add(elapsed, arrived)
        if status == "finished" and finished is None:
            finished = (elapsed, arrived)
        if finished is not None and (arrived >= total or elapsed - finished[0] > LATE_SECONDS):
            return Finish(finished[0], finished[1], elapsed)
        # Launched from the chat, it is a draft until the bot has handled the press.
        launching = status == "draft" and elapsed < LAUNCH_SECONDS
        if status not in ("running", "scheduled", "finished") and not launching:
            raise RuntimeError(f"campaign ended {status}")
        for worker in workers:
            if worker.process.returncode is not None:
                raise RuntimeError(f"a worker died:\n{worker.log_tail()}")
        if elapsed > timeout:
            raise TimeoutError(f"not finished within {timeout} s: {status}")
        await asyncio.sleep(POLL_SECONDS)


def settled_mid_send(log: Path) -> int:
    """Deliveries a worker found in `sending` at the start of a chunk and settled as left by a
    dead worker (its warning's count), from its JSON log lines."""
    settled = 0
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        if "settled deliveries left mid-send" not in line:
            continue
        try:
            settled += int(json.loads(line).get("count", 0))
        except ValueError:
            continue
    return settled


async def verify(channel: str, sandbox: Any, audience: Audience, campaign_id: int) -> list[str]:
    """What differs from: every delivery SENT, one message in every inbox, no spec broken."""
    count = len(audience.addresses)
    problems = []
    statuses = await delivery_statuses(campaign_id)
    if statuses != {"sent": count}:
        problems.append(f"deliveries by status: {statuses}, expected {{'sent': {count}}}")
    held = inbox_counts(channel, sandbox, audience.addresses)
    if held != {1: count}:
        problems.append(f"people by messages held: {held}, expected {{1: {count}}}")
    if sandbox.violations:
        problems.append(f"{len(sandbox.violations)} spec violations: {sandbox.violations[:3]}")
    return problems


def non_200_answers(sandbox: Any) -> dict[str, int]:
    """The API's answers other than 200 (LINE's 409: a request repeated under its retry key)."""
    return {
        str(status): n
        for status, n in Counter(c.status for c in sandbox.calls).items()
        if status != 200
    }
