"""The processes as an operator starts them: migrate, then run, then SIGTERM."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import sys
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def _run(*args: str, env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "run_bot.py"),
        *args,
        env={"PATH": "/usr/bin:/bin", **env},
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def _read_until(stream: asyncio.StreamReader, marker: str) -> list[dict[str, object]]:
    """Log records up to and including the first whose message contains `marker`."""
    records = []
    while line := await stream.readline():
        records.append(json.loads(line))
        if marker in str(records[-1]["message"]):
            return records
    raise AssertionError(f"the process ended before logging {marker!r}")


async def test_migrate_then_run_then_stop(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite://{tmp_path / 'db.sqlite3'}", "WEB_PORT": str(_free_port())}
    migrate = await _run("migrate", env=env)
    assert await asyncio.wait_for(migrate.wait(), 30) == 0

    run = await _run("run", env=env)
    assert run.stderr is not None
    records = await asyncio.wait_for(_read_until(run.stderr, "web server listening"), 30)
    async with aiohttp.ClientSession() as http:
        health = await http.get(f"http://127.0.0.1:{env['WEB_PORT']}/healthz")
        assert health.status == 200
    run.send_signal(signal.SIGTERM)
    _, rest = await asyncio.wait_for(run.communicate(), 30)
    assert run.returncode == 0
    records += [json.loads(line) for line in rest.decode().splitlines()]
    off = {record.get("channel") for record in records if "channel off" in record["message"]}
    assert off == {"telegram", "line", "whatsapp"}, "each absent channel is reported at start"


async def test_the_long_running_processes_leave_the_heavy_file_libraries_unloaded() -> None:
    # Every `run`, `web` and `worker` process imports what these two modules import, and lives
    # for weeks: openpyxl with numpy (15 MB) and matplotlib belong to the moments that need
    # them (a workbook read or written, a chart drawn), in the process that does it.
    probe = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "import sys, bot.app, bot.processes; "
        "print(sorted({'openpyxl', 'numpy', 'matplotlib'} & sys.modules.keys()))",
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    loaded, _ = await asyncio.wait_for(probe.communicate(), 60)
    assert probe.returncode == 0
    assert loaded.decode().strip() == "[]"
