"""Charts as PNG, each drawn in a short-lived process of its own: a campaign's report, usage
by day.

matplotlib costs a process about 30 MB and 0.7 s of CPU to load, and drawing a chart holds the
event loop for a tenth of a second or more. In the bot's own process, the first report of a
worker's life would add those 30 MB to it for good and stop its sends for a second. The chart
process (`python -m bot.charts`, see __main__.py) loads matplotlib, draws one chart on the
other core while this process goes on sending, and exits: charts are rare (one per report, or
on request), so nothing stays running between them.

This module itself imports nothing heavy: the chart process imports it first, as its package.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Sequence

import bot

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_DRAW = (sys.executable, "-m", "bot.charts")


class ChartError(RuntimeError):
    """The chart process failed, gave no PNG, or took longer than its time."""


class ChartDrawer:
    """Draws each chart in a chart process; the labels come in already translated."""

    def __init__(self, *, timeout: float = 30.0, command: Sequence[str] = _DRAW) -> None:
        """`timeout`: seconds a chart may take, process start included, before the process
        is killed; `command` starts the chart process (tests give one that misbehaves)."""
        self._timeout = timeout
        self._command = tuple(command)

    async def bar_chart(self, title: str, bars: Sequence[tuple[str, int, str]]) -> bytes:
        """A horizontal bar per (label, value, value as shown), top to bottom."""
        return await self._draw({"kind": "bar", "title": title, "data": list(bars)})

    async def column_chart(self, title: str, columns: Sequence[tuple[str, int]]) -> bytes:
        """A column per (label, value), left to right (days of a month)."""
        return await self._draw({"kind": "column", "title": title, "data": list(columns)})

    async def _draw(self, job: dict[str, object]) -> bytes:
        process = await asyncio.create_subprocess_exec(
            *self._command,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            cwd=bot.CODE_ROOT,
        )
        try:
            async with asyncio.timeout(self._timeout):
                png, problem = await process.communicate(json.dumps(job).encode())
        except TimeoutError:
            raise ChartError(f"no chart within {self._timeout:g} s") from None
        finally:
            # Timed out, or the report was cancelled: no chart process outlives its chart.
            if process.returncode is None:
                process.kill()
                await process.wait()
        if process.returncode != 0 or not png.startswith(PNG_SIGNATURE):
            what = problem.decode(errors="replace").strip()[-200:] or "no PNG"
            raise ChartError(f"the chart process exited with status {process.returncode}: {what}")
        return png
