"""A PostgreSQL and a Redis of the test's own, which it may stop and start at will.

The suite's shared servers (TEST_DATABASE_URL, TEST_REDIS_URL) serve every other test and
other suites on the machine: a test that restarts a service must own it. Each instance lives
in a temporary folder on a free port and is gone when the test ends.

Redis runs without persistence (`--save "" --appendonly no`, as .ci/run starts it): a restart
empties it, the hardest case for the queue. PostgreSQL runs with fsync off (a test's data need
not survive a power cut) and is stopped with `-m immediate`, a crash as far as the server and
its clients are concerned: every connection drops mid-query, recovery replays the WAL.
"""

from __future__ import annotations

import asyncio
import glob
import os
import shutil
import socket
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

REDIS_SERVER = shutil.which("redis-server")
# Debian's cluster binaries are not on PATH; the newest installed version.
_PG_BINS = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
PG_BIN = Path(_PG_BINS[-1]) if _PG_BINS else None
# initdb and postgres refuse to run as root: run them as the cluster's own user.
_AS_POSTGRES = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _run(*command: str) -> None:
    process = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    output, _ = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"{command[0]} failed:\n{output.decode(errors='replace')}")


@dataclass(slots=True)
class PrivateRedis:
    """A Redis server the test may stop and start again (empty: nothing is persisted)."""

    folder: Path
    port: int
    process: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    async def start(self) -> None:
        """Start it on its port and wait until it answers."""
        assert REDIS_SERVER is not None
        self.process = await asyncio.create_subprocess_exec(
            REDIS_SERVER,
            "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", str(self.folder),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        await _until_accepting(self.port)

    async def stop(self) -> None:
        """SIGKILL: every client's connection drops, and what it held is gone."""
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()
        self.process = None


@dataclass(slots=True)
class PrivatePostgres:
    """A PostgreSQL cluster the test may stop (as a crash) and start again."""

    folder: Path
    port: int
    running: bool = False

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    @property
    def _data(self) -> Path:
        return self.folder / "data"

    async def create(self) -> None:
        """initdb: trust on loopback (a throwaway cluster), no fsync while creating it."""
        assert PG_BIN is not None
        await _run(
            *_AS_POSTGRES, str(PG_BIN / "initdb"), "-D", str(self._data), "-U", "postgres",
            "-A", "trust", "--no-sync", "--encoding", "UTF8", "--locale", "C",
        )  # fmt: skip

    async def start(self) -> None:
        """Start it and wait until it accepts connections (after recovery, on a restart)."""
        assert PG_BIN is not None
        # fsync off only spares the disk: a commit is still written to the kernel before it
        # is acknowledged, so it survives the server's crash (not the machine's). Never
        # synchronous_commit=off: the crash would lose commits the bot was told were made,
        # and a delivery recorded as sent would come back pending and go out twice.
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} "
            "-c fsync=off -c full_page_writes=off"
        )
        await _run(
            *_AS_POSTGRES, str(PG_BIN / "pg_ctl"), "start", "-D", str(self._data), "-w",
            "-t", "60", "-l", str(self.folder / "server.log"), "-o", options,
        )  # fmt: skip
        self.running = True

    async def stop(self, *, mode: str = "immediate") -> None:
        """Stop it: `immediate` drops every connection at once, like a crash."""
        assert PG_BIN is not None
        await _run(
            *_AS_POSTGRES, str(PG_BIN / "pg_ctl"), "stop", "-D", str(self._data), "-w",
            "-m", mode,
        )  # fmt: skip
        self.running = False


@dataclass(slots=True)
class PrivateServices:
    """One private PostgreSQL and one private Redis, both running."""

    postgres: PrivatePostgres
    redis: PrivateRedis


async def _until_accepting(port: int) -> None:
    async with asyncio.timeout(30):
        while True:
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                await asyncio.sleep(0.05)
                continue
            writer.close()
            await writer.wait_closed()
            return


def skip_unless_available() -> None:
    """Skip (with the reason) where the server binaries are not installed."""
    if REDIS_SERVER is None or PG_BIN is None:
        pytest.skip("needs redis-server and PostgreSQL's cluster binaries (/usr/lib/postgresql)")


@asynccontextmanager
async def running_private_services() -> AsyncIterator[PrivateServices]:
    """Start a private PostgreSQL and Redis in a temporary folder; stop and remove both."""
    skip_unless_available()
    # Not pytest's tmp_path: its parent is private to root and the cluster runs as postgres.
    folder = Path(tempfile.mkdtemp(prefix="broadside-services-"))
    if _AS_POSTGRES:
        shutil.chown(folder, user="postgres")
    postgres = PrivatePostgres(folder, _free_port())
    redis = PrivateRedis(folder, _free_port())
    try:
        await postgres.create()
        await postgres.start()
        await redis.start()
        yield PrivateServices(postgres, redis)
    finally:
        await redis.stop()
        if postgres.running:
            await postgres.stop()
        shutil.rmtree(folder, ignore_errors=True)
