"""What every benchmark shares: the results file (see /work/shared/BENCH-RESULTS.md), the
machine description, and measuring a process's memory.

Results go to bench/results/<bench>.<config>.json, one file per benchmark and configuration,
overwritten by the next run.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"

EMBEDDED = "embedded"
SERVERS = "postgres+redis"
CONFIGS = (EMBEDDED, SERVERS)


def git_commit() -> str:
    """The short hash of HEAD (the working tree may hold uncommitted changes on top)."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO_DIR,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return out.stdout.strip()


def git_dirty() -> bool:
    """Whether tracked files differ from HEAD (figures then describe HEAD plus local edits).
    The benchmarks' own results are left out: `--config both` writes the first
    configuration's before it measures the second."""
    try:
        out = subprocess.run(
            [
                *("git", "status", "--porcelain", "--untracked-files=no", "--", "."),
                f":(exclude){RESULTS_DIR.relative_to(REPO_DIR)}",
            ],
            cwd=REPO_DIR,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return False
    return bool(out.stdout.strip())


def machine() -> dict[str, Any]:
    """The machine part of a result: cores and Python version."""
    return {"cores": os.cpu_count() or 1, "python": platform.python_version()}


def utc_timestamp() -> str:
    """Now, as the results files write it: 2026-11-23T10:00:00Z."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def result_path(bench: str, config: str | None) -> Path:
    """bench/results/<bench>.<config>.json, or <bench>.json for a single-configuration bench."""
    name = f"{bench}.{config}.json" if config else f"{bench}.json"
    return RESULTS_DIR / name


def write_result(
    bench: str,
    *,
    config: str,
    params: dict[str, Any],
    figures: dict[str, Any],
    split_by_config: bool = True,
) -> Path:
    """Write one run's figures in the shared shape; returns the file written."""
    record = {
        "bench": bench,
        "date": utc_timestamp(),
        "commit": git_commit(),
        "machine": machine(),
        "config": config,
        "params": params,
        "figures": figures,
    }
    path = result_path(bench, config if split_by_config else None)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return path


def _status_kb(field: str, pid: int | str = "self") -> int:
    """A "VmRSS"/"VmHWM"-style line of /proc/<pid>/status, in KiB (0 where there is none)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def rss_mb() -> float:
    """The current resident set size of this process, MB (MiB)."""
    return _status_kb("VmRSS") / 1024


def peak_rss_mb() -> float:
    """The peak resident set size of this process so far, MB: ru_maxrss (KiB on Linux)."""
    return max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, _status_kb("VmHWM")) / 1024


def child_pids() -> list[int]:
    """This process's running children (the import worker), from /proc/self/task/*/children,
    but for those still between fork and exec (our command line): their pages are ours."""
    own = _cmdline("self")
    pids: list[int] = []
    for children in Path("/proc/self/task").glob("*/children"):
        try:
            pids += [int(pid) for pid in children.read_text(encoding="ascii").split()]
        except OSError:
            continue  # the thread ended
    return [pid for pid in pids if _cmdline(pid) != own]


def _cmdline(pid: int | str) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def children_cpu_seconds() -> float:
    """User + system CPU time of this process's children that have ended (and were waited for)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def load_average() -> float:
    """The 1-minute load average: other work on the machine skews the figures of this one."""
    try:
        return os.getloadavg()[0]
    except OSError:
        return 0.0


def cpu_seconds() -> float:
    """User + system CPU time of this process so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class RssSampler:
    """Samples VmRSS of this process and of its children from a thread.

    It says in which phase this process's peak happened: ru_maxrss only gives the peak's
    height; the sampler remembers the label of the phase (`enter("...")`) that was running when
    the highest sample was taken. A thread, not a task: the event loop is blocked during the
    CPU-bound parts we want to see.

    Children (the import worker) are measured here because nothing else can: a child's
    ru_maxrss (RUSAGE_CHILDREN) counts the memory it shared with this process between fork and
    exec, which is this process's whole RSS (so children are sampled only once they exec'd).
    Their VmHWM (the kernel's peak since exec) is read at every sample: the last one before a
    child exits is its peak, but for growth in its last `interval` seconds. `peak_sum_mb` is the
    highest sampled sum of this process and children.
    """

    def __init__(self, *, interval: float = 0.1) -> None:
        self.interval = interval
        self.phase = "start"
        self.peak_mb = 0.0
        self.peak_phase = self.phase
        self.peak_sum_mb = 0.0
        self.children_peak_mb: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="rss-sampler", daemon=True)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.sample()
            time.sleep(self.interval)

    def sample(self) -> None:
        """Take one sample now (also called at phase changes, so short phases are seen)."""
        current = rss_mb()
        if current > self.peak_mb:
            self.peak_mb = current
            self.peak_phase = self.phase
        total = current
        for pid in child_pids():
            total += _status_kb("VmRSS", pid) / 1024
            peak = _status_kb("VmHWM", pid) / 1024
            self.children_peak_mb[pid] = max(peak, self.children_peak_mb.get(pid, 0.0))
        self.peak_sum_mb = max(self.peak_sum_mb, total)

    @property
    def child_peak_mb(self) -> float:
        """The highest peak of any one child (workers run one at a time)."""
        return max(self.children_peak_mb.values(), default=0.0)

    def enter(self, phase: str) -> None:
        """Label what runs from now on."""
        self.sample()
        self.phase = phase
        self.sample()

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()


def print_table(headers: list[str], rows: list[list[str]]) -> None:
    """A plain aligned text table on stdout."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]
    line = "  ".join(f"{{:<{width}}}" for width in widths)
    print(line.format(*headers))
    print(line.format(*("-" * width for width in widths)))
    for row in rows:
        print(line.format(*row))


async def fresh_servers(database_url: str, redis_url: str) -> None:
    """Create the database if it is missing; empty it and the Redis database."""
    import asyncpg
    from redis.asyncio import Redis

    dsn = database_url.replace("postgres://", "postgresql://", 1)
    try:
        connection = await asyncpg.connect(dsn)
    except asyncpg.InvalidCatalogNameError:
        head, _, name = dsn.rpartition("/")
        server = await asyncpg.connect(f"{head}/postgres")
        try:
            await server.execute(f'CREATE DATABASE "{name}"')
        finally:
            await server.close()
        connection = await asyncpg.connect(dsn)
    try:
        await connection.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")
    finally:
        await connection.close()
    redis = Redis.from_url(redis_url)
    try:
        await redis.flushdb()
    finally:
        await redis.aclose()


def each_config_apart(module: str, argv: list[str]) -> int:
    """Run the benchmark `module` once per configuration, each in an interpreter of its own,
    with `argv` and `--config <config>` (the last one given wins); the worst exit status.

    Tortoise keeps its models' query builders from the first database it met: a second
    configuration in the same process would send SQLite's SQL to PostgreSQL."""
    statuses = [
        subprocess.run(
            [sys.executable, "-m", module, *argv, "--config", config], check=False, cwd=REPO_DIR
        ).returncode
        for config in CONFIGS
    ]
    return max(statuses)
