"""The campaign benchmark's worker processes: real `run_bot.py worker`s, read through /proc.

A worker's CPU (user + system, every thread) comes from /proc/<pid>/stat and its peak RSS from
VmHWM in /proc/<pid>/status, read while it still runs: once it has exited there is nothing left
to read. Under `--py-spy` each worker runs as py-spy's child, and the figures are the child's.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.common import REPO_DIR

_TICKS = os.sysconf("SC_CLK_TCK")
# Idle for this long (no CPU tick) after start-up: imports done, App built, first sweep run.
_QUIET_SECONDS = 0.6


def cpu_of(pid: int) -> float:
    """User + system CPU seconds of a live process (all its threads)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        # The command name may hold spaces: the fields that follow it start after ")".
        fields = stat.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def _status_mb(pid: int, field: str) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_rss_of(pid: int) -> float:
    """VmHWM, the peak resident set size of a live process, MB."""
    return _status_mb(pid, "VmHWM")


def rss_of(pid: int) -> float:
    """VmRSS, the resident set size of a live process now, MB."""
    return _status_mb(pid, "VmRSS")


def _children(pid: int) -> list[int]:
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as children:
                found.extend(int(child) for child in children.read().split())
    return found


@dataclass(slots=True)
class Worker:
    """One `run_bot.py worker` (perhaps under py-spy): `pid` is the worker's own."""

    process: asyncio.subprocess.Process
    pid: int
    log: Path
    started_cpu: float = 0.0
    ready_rss_mb: float = 0.0

    def cpu(self) -> float:
        """Its CPU seconds so far."""
        return cpu_of(self.pid)

    def peak_rss_mb(self) -> float:
        """Its peak RSS so far, MB."""
        return peak_rss_of(self.pid)

    def log_tail(self, lines: int = 20) -> str:
        """The end of what it wrote to stderr (warnings and errors: LOG_LEVEL=WARNING)."""
        text = self.log.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


def worker_environment(
    sandbox_env: dict[str, str], *, database_url: str, redis_url: str | None
) -> dict[str, str]:
    """The worker's whole environment: nothing of the caller's leaks in."""
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": database_url,
        **sandbox_env,
        # Limits off: the benchmark measures the dispatcher, not the platforms' pacing.
        "TELEGRAM_RATE_LIMIT": "0",
        "LINE_RATE_LIMIT": "0",
        "WHATSAPP_RATE_LIMIT": "0",
        "LOG_LEVEL": "WARNING",
    }
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


async def start_worker(
    env: dict[str, str], log: Path, *, py_spy: Path | None, command_name: str = "worker"
) -> Worker:
    """Start one worker (or another `run_bot.py` command: `web`, `run`); with `py_spy`, under
    `py-spy record` writing collapsed stacks there."""
    command = [sys.executable, str(REPO_DIR / "run_bot.py"), command_name]
    if py_spy is not None:
        spy = Path(sys.executable).with_name("py-spy")
        command = [
            str(spy) if spy.exists() else "py-spy",
            "record", "--format", "raw", "--rate", "200", "--nonblocking",
            "-o", str(py_spy), "--", *command,
        ]  # fmt: skip
    with log.open("wb") as sink:
        process = await asyncio.create_subprocess_exec(
            *command, env=env, cwd=REPO_DIR, stdout=sink, stderr=sink
        )
    pid = process.pid
    if py_spy is not None:
        deadline = time.monotonic() + 30
        while not (children := _children(process.pid)):
            if time.monotonic() > deadline or process.returncode is not None:
                raise RuntimeError(f"py-spy started no worker; see {log}")
            await asyncio.sleep(0.05)
        pid = children[0]
    return Worker(process, pid, log)


async def wait_ready(workers: list[Worker], *, timeout: float = 90) -> None:
    """Wait until every worker has started and gone quiet (its first sweep done).

    A worker says nothing when it is ready; a process that has used no CPU for a while after
    its imports is waiting on its queue.
    """
    deadline = time.monotonic() + timeout
    for worker in workers:
        last, quiet_since = -1.0, time.monotonic()
        while True:
            if worker.process.returncode is not None:
                raise RuntimeError(f"worker exited at start:\n{worker.log_tail()}")
            used = worker.cpu()
            now = time.monotonic()
            if used != last:
                last, quiet_since = used, now
            elif used > 0.5 and now - quiet_since >= _QUIET_SECONDS:
                break
            if now > deadline:
                raise TimeoutError(f"worker not ready within {timeout} s:\n{worker.log_tail()}")
            await asyncio.sleep(0.05)
        worker.started_cpu = worker.cpu()
        worker.ready_rss_mb = rss_of(worker.pid)


async def stop_workers(workers: list[Worker], *, grace: float = 30) -> None:
    """SIGTERM (the worker's own orderly shutdown), SIGKILL after `grace` seconds."""
    for worker in workers:
        if worker.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(worker.pid, signal.SIGTERM)
    for worker in workers:
        try:
            await asyncio.wait_for(worker.process.wait(), grace)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                worker.process.kill()
            await worker.process.wait()
