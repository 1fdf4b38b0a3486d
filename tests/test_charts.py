"""Charts are drawn in a chart process of their own, which never outlives its chart."""

from __future__ import annotations

import asyncio
import os
import struct
import sys
from pathlib import Path

import pytest

from bot.charts import PNG_SIGNATURE, ChartDrawer, ChartError

# A chart process that starts, says its pid, and hangs.
_HANGS = "import os, sys, time; open(sys.argv[1], 'w').write(str(os.getpid())); time.sleep(60)"


def _size(png: bytes) -> tuple[int, int]:
    """Width and height, from the PNG's header chunk."""
    assert png.startswith(PNG_SIGNATURE)
    width, height = struct.unpack("!II", png[16:24])
    return width, height


async def test_bars_and_columns_come_back_as_pngs_of_their_size() -> None:
    drawer = ChartDrawer()
    bars = [("Delivered", 90, "90 (90%)"), ("Failed", 10, "10 (10%)"), ("Opted out", 1, "1")]
    # 6.4 inches wide; 1.2 inches and 0.45 per bar high; 100 dpi.
    assert _size(await drawer.bar_chart('"Spring sale"', bars)) == (640, 255)
    days = [(str(day), day % 7) for day in range(1, 31)]
    assert _size(await drawer.column_chart("Messages per day", days)) == (800, 360)


async def test_a_chart_in_japanese_is_drawn_with_or_without_the_fonts() -> None:
    png = await ChartDrawer().bar_chart("「春のセール」", [("配信済み", 3, "3")])
    assert _size(png)[0] == 640


async def test_a_broken_chart_says_where_but_never_quotes_what_it_drew() -> None:
    drawer = ChartDrawer()
    with pytest.raises(ChartError) as raised:
        await drawer.bar_chart("Maria's sale", [("Maria Lopez", 1)])  # type: ignore[list-item]
    message = str(raised.value)
    assert "ValueError at " in message
    assert "Maria" not in message


async def test_a_hung_chart_process_is_killed_at_its_time(tmp_path: Path) -> None:
    said = tmp_path / "pid"
    drawer = ChartDrawer(timeout=1.0, command=(sys.executable, "-c", _HANGS, str(said)))
    with pytest.raises(ChartError, match="no chart within 1 s"):
        await drawer.bar_chart("x", [])
    with pytest.raises(ProcessLookupError):
        os.kill(int(said.read_text()), 0)  # gone, and reaped


async def test_a_cancelled_report_takes_its_chart_process_with_it(tmp_path: Path) -> None:
    said = tmp_path / "pid"
    drawer = ChartDrawer(command=(sys.executable, "-c", _HANGS, str(said)))
    drawing = asyncio.create_task(drawer.column_chart("x", []))
    async with asyncio.timeout(10):
        while not said.exists() or not said.read_text():  # noqa: ASYNC110 - a process's file
            await asyncio.sleep(0.02)
    drawing.cancel()
    with pytest.raises(asyncio.CancelledError):
        await drawing
    with pytest.raises(ProcessLookupError):
        os.kill(int(said.read_text()), 0)
