"""Periodic jobs run by every worker process.

Jobs are idempotent (deleting what has expired, say), so several workers running the same job
at about the same time do no harm and need no leader election.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Job:
    """A named coroutine function run every `every`."""

    name: str
    every: timedelta
    run: Callable[[], Awaitable[object]]


async def run_jobs(jobs: list[Job], stop: asyncio.Event) -> None:
    """Run each job at its interval until `stop` is set."""
    async with asyncio.TaskGroup() as group:
        for job in jobs:
            group.create_task(_repeat(job, stop), name=f"job-{job.name}")


async def _repeat(job: Job, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            result = await job.run()
            log.debug("job done", extra={"job": job.name, "result": result})
        except Exception:
            log.exception("job failed", extra={"job": job.name})
        try:
            # Waiting on the stop event rather than sleeping lets shutdown interrupt the wait.
            await asyncio.wait_for(stop.wait(), timeout=job.every.total_seconds())
        except TimeoutError:
            continue
