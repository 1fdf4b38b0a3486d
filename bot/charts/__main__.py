"""The chart process: draws one chart and exits.

    python -m bot.charts    (started by bot.charts.ChartDrawer)

In: one JSON object on stdin, {"kind": "bar" | "column", "title": str, "data": [...]}, the
data as drawing.bar_chart or drawing.column_chart takes it. Out: the PNG on stdout, exit
status 0. When it breaks: the exception's type and where on stderr (never its message, which
may quote a campaign's name), exit status 1.
"""

from __future__ import annotations

import json
import sys

from bot.logs import error_place


def main() -> int:
    """Read the job, write the chart; the exit status says if it broke."""
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not end up in the PNG
    try:
        from bot.charts import drawing

        job = json.loads(sys.stdin.buffer.read())
        draw = {"bar": drawing.bar_chart, "column": drawing.column_chart}[job["kind"]]
        png = draw(job["title"], [tuple(item) for item in job["data"]])
    except Exception as error:  # noqa: BLE001 - reported to the drawer, which raises it
        sys.stderr.write(error_place(error))
        return 1
    out.write(png)
    return 0


if __name__ == "__main__":
    sys.exit(main())
