"""The bot as real `run_bot.py` processes (worker, web, run) against the test's sandbox and
database, for the reliability tests that kill them or pull services from under them.

Each process writes its log to a file in the test's folder; a failing test shows its tail.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from tests.support.harness import Harness

ROOT = Path(__file__).resolve().parent.parent.parent


@dataclass(slots=True)
class BotProcess:
    """One running `run_bot.py COMMAND` and where its log goes."""

    process: asyncio.subprocess.Process
    log: Path

    def log_tail(self, lines: int = 30) -> str:
        """The end of its log (LOG_LEVEL=WARNING: warnings and errors)."""
        text = self.log.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    @property
    def running(self) -> bool:
        return self.process.returncode is None

    def kill(self) -> None:
        """SIGKILL: no shutdown at all."""
        self.process.kill()

    async def stop(self, *, grace: float = 20) -> None:
        """SIGTERM (the process's orderly shutdown), SIGKILL after `grace` seconds."""
        if self.running:
            with contextlib.suppress(ProcessLookupError):
                self.process.terminate()
        try:
            await asyncio.wait_for(self.process.wait(), grace)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
            await self.process.wait()


def bot_environment(harness: Harness, **settings: str) -> dict[str, str]:
    """A process's whole environment: the harness's database, Redis and sandbox, plus
    `settings`; nothing of the caller's environment leaks in."""
    configured = harness.app.settings
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": configured.DATABASE_URL,
        **harness.sandbox.bot_environment(harness.sandbox_url),
        "LOG_LEVEL": "WARNING",
        **settings,
    }
    if configured.REDIS_URL:
        env["REDIS_URL"] = configured.REDIS_URL
    return env


async def start_bot(env: Mapping[str, str], log: Path, *, command: str = "worker") -> BotProcess:
    """Start `run_bot.py COMMAND` with exactly `env`, its output to `log`."""
    with log.open("ab") as sink:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(ROOT / "run_bot.py"),
            command,
            env=dict(env),
            cwd=ROOT,
            stdout=sink,
            stderr=sink,
        )
    return BotProcess(process, log)


async def stop_all(processes: list[BotProcess]) -> None:
    """Stop every process that still runs, in parallel."""
    await asyncio.gather(*(process.stop() for process in processes))


def free_port() -> int:
    """A port nothing listens on now, for a process's web server."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def until_healthy(url: str, processes: list[BotProcess], *, within: float = 60) -> None:
    """Wait until the web server at `url` answers /healthz with 200; fail with the log of a
    process that exited meanwhile."""
    async with aiohttp.ClientSession() as http, asyncio.timeout(within):
        while True:
            for process in processes:
                assert process.running, f"a bot process exited:\n{process.log_tail()}"
            try:
                async with http.get(f"{url}/healthz") as answer:
                    if answer.status == 200:
                        return
            except aiohttp.ClientError:
                pass  # not listening yet
            await asyncio.sleep(0.1)
