"""The Telegram limit benchmark's figures, from the requests the sandbox recorded: how much of
the limit a window of the campaign used, how many 429s it got, and how evenly it sent."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from typing import Any

from bench.common import print_table

# (figure, at least?, target), as in /work/shared/BENCH-RESULTS.md.
TARGETS = (("telegram_limit_utilisation", True, 0.99), ("telegram_429_count", False, 0))
MESSAGE_METHODS = frozenset({"sendMessage"})


def arrivals(calls: Iterable[Any]) -> tuple[list[float], list[float]]:
    """The campaign's messages as the sandbox saw them: the arrival times (epoch seconds) of
    every attempt, and of those let through (200)."""
    tried: list[float] = []
    accepted: list[float] = []
    for call in calls:
        if call.platform != "telegram" or call.method not in MESSAGE_METHODS:
            continue
        at = call.time.timestamp()
        tried.append(at)
        if call.status == 200:
            accepted.append(at)
    return tried, accepted


def busiest(times: Sequence[float], span: float = 1.0) -> int:
    """The most of `times` (sorted) in any `span`-second window (t - span, t]."""
    most, first = 0, 0
    for last, at in enumerate(times):
        while times[first] <= at - span:
            first += 1
        most = max(most, last - first + 1)
    return most


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile of sorted `values` (0 when there are none)."""
    if not values:
        return 0.0
    rank = max(1, -(-len(values) * share // 1))
    return values[min(len(values), int(rank)) - 1]


def window_figures(
    tried: Sequence[float], accepted: Sequence[float], *, seconds: float, limit: int
) -> dict[str, Any]:
    """The figures of the `seconds` from the first message let through."""
    if not accepted:
        return {"telegram_limit_utilisation": 0.0, "window_messages": 0}
    start = accepted[0]
    end = start + seconds
    inside = [at for at in accepted if at < end]
    gaps = sorted((b - a) * 1000 for a, b in itertools.pairwise(inside))
    per_second = [0] * int(seconds)
    for at in inside:
        per_second[min(len(per_second) - 1, int(at - start))] += 1
    return {
        "telegram_limit_utilisation": round(len(inside) / (limit * seconds), 4),
        "window_messages": len(inside),
        "window_seconds": seconds,
        "window_msgs_per_s": round(len(inside) / seconds, 2),
        # The most let through in any moving second: the sandbox allows `limit`.
        "busiest_second_accepted": busiest(inside),
        # The most tried (429s included) in any moving second of the window.
        "busiest_second_tried": busiest([at for at in tried if start <= at < end]),
        # Whole seconds from the first send (fixed, not moving) with the fewest messages:
        # where the campaign fell behind the limit.
        "quietest_fixed_second": min(per_second) if per_second else 0,
        "seconds_under_limit": sum(1 for n in per_second if n < limit),
        "gap_p50_ms": round(percentile(gaps, 0.50), 2),
        "gap_p99_ms": round(percentile(gaps, 0.99), 2),
        "gap_max_ms": round(gaps[-1], 2) if gaps else 0.0,
    }


def verdicts(figures: dict[str, Any]) -> list[str]:
    """Each target met or missed."""
    lines = []
    for name, at_least, target in TARGETS:
        value = figures.get(name)
        if value is None:
            continue
        met = value >= target if at_least else value <= target
        sign = ">=" if at_least else "<="
        lines.append(f"{name} {value} {'PASS' if met else 'MISS'} {sign} {target}")
    return lines


def print_summary(records: list[dict[str, Any]]) -> None:
    """One row per configuration, then the targets."""
    rows = []
    for record in records:
        figures = record["figures"]
        rows.append(
            [
                record["config"],
                f"{figures.get('window_seconds', 0):.0f}",
                f"{figures.get('window_messages', 0):,}",
                f"{figures['telegram_limit_utilisation']:.4f}",
                str(figures["telegram_429_count"]),
                str(figures.get("busiest_second_tried", 0)),
                f"{figures.get('gap_p50_ms', 0):.1f}/{figures.get('gap_p99_ms', 0):.1f}",
                f"{figures.get('telegram_worker_cpu_ms_per_1k', 0):.0f}",
                "ok" if figures["verified"] else "FAILED",
            ]
        )
    print()
    print_table(
        [
            "config",
            "window s",
            "messages",
            "utilisation",
            "429s",
            "busiest s",
            "gap p50/p99 ms",
            "cpu ms/1k",
            "check",
        ],
        rows,
    )
    for record in records:
        for verdict in verdicts(record["figures"]):
            print(f"[{record['config']}] {verdict}")
