"""The campaign benchmark's figures: named as in /work/shared/BENCH-RESULTS.md where the figure
is one of those, checked against the targets, and printed as a table."""

from __future__ import annotations

from typing import Any

from bench.common import print_table

RATE_FIGURES = {
    "telegram": "telegram_msgs_per_s",
    "line": "line_recipients_per_s",
    "whatsapp": "whatsapp_msgs_per_s",
}
# (figure, at least?, target), as in BENCH-RESULTS.md.
TARGETS = (
    ("telegram_msgs_per_s", True, 3000),
    ("telegram_cpu_ms_per_1k", False, 250),
    ("line_recipients_per_s", True, 30000),
    ("whatsapp_msgs_per_s", True, 3000),
    ("vs_aiogram_loop_ratio", True, 10),
    ("vs_aiogram_broadcaster_ratio", True, 10),
    ("campaign_1m_peak_rss_mb", False, 300),
)


def size_label(count: int) -> str:
    """100000 -> "100k", 1000000 -> "1m"."""
    if count % 1_000_000 == 0:
        return f"{count // 1_000_000}m"
    if count % 1000 == 0:
        return f"{count // 1000}k"
    return str(count)


def figures_of(outcome: dict[str, Any], count: int) -> dict[str, Any]:
    """One channel's figures, named as in BENCH-RESULTS.md where the figure is one of those."""
    channel = outcome["channel"]
    per_1k = 1000 / count
    worker_cpu = sum(outcome["worker_cpu_s"])
    snapshot_cpu = outcome["snapshot_cpu_s"]
    # Launched in the measured process (embedded), the snapshot's CPU is already in the
    # worker's; launched by the driver, it is the driver's, measured alone afterwards.
    in_driver = snapshot_cpu if outcome["launched_in"] == "driver" else 0.0
    figures: dict[str, Any] = {
        RATE_FIGURES[channel]: round(count / outcome["seconds"]),
        f"{channel}_seconds": round(outcome["seconds"], 2),
        f"{channel}_launched_in": outcome["launched_in"],
        f"{channel}_cpu_ms_per_1k": round((worker_cpu + in_driver) * 1000 * per_1k, 1),
        f"{channel}_worker_cpu_ms_per_1k": round(worker_cpu * 1000 * per_1k, 1),
        f"{channel}_snapshot_cpu_ms_per_1k": round(snapshot_cpu * 1000 * per_1k, 1),
        f"{channel}_snapshot_seconds": round(outcome["snapshot_seconds"], 2),
        # The driver's CPU during the run is the sandbox's, the 50 ms polls and, launched by
        # the driver, its snapshot, measured alone and taken off (an estimate: bench/README.md).
        f"{channel}_sandbox_cpu_ms_per_1k": round(
            max(0.0, outcome["driver_cpu_s"] - in_driver) * 1000 * per_1k, 1
        ),
        f"{channel}_peak_rss_mb": round(max(outcome["worker_peak_rss_mb"]), 1),
        f"{channel}_worker_peak_rss_mb": [round(mb, 1) for mb in outcome["worker_peak_rss_mb"]],
        # What each worker held when ready, before the campaign: the rest is the campaign's.
        f"{channel}_worker_ready_rss_mb": [round(mb, 1) for mb in outcome["worker_ready_rss_mb"]],
        f"{channel}_worker_startup_cpu_s": [round(s, 2) for s in outcome["worker_startup_cpu_s"]],
        f"{channel}_requests": outcome["requests"],
        f"{channel}_non_200_answers": outcome["non_200_answers"],
        # Read FINISHED before the last message reached the sandbox: the end is the later.
        f"{channel}_finished_s": round(outcome["finished_s"], 2),
        f"{channel}_received_at_finish": outcome["received_at_finish"],
        # In `sending` at a chunk's start, settled as a dead worker's though none had died.
        f"{channel}_settled_mid_send": outcome["settled_mid_send"],
        f"{channel}_loadavg_1m_before": round(outcome["loadavg_1m_before"], 2),
        f"{channel}_verified": not outcome["problems"],
    }
    for key, value in outcome["timeline"].items():
        figures[f"{channel}_{key}"] = value
    if outcome["chunks_queued"] is not None:
        figures[f"{channel}_chunks_queued"] = outcome["chunks_queued"]
    compare = outcome.get("compare")
    if compare:
        ours = count / outcome["seconds"]
        for kind, name in (
            ("loop", "aiogram_loop"),
            ("loop_nosleep", "aiogram_loop_nosleep"),
            ("broadcaster", "aiogram_broadcaster"),
        ):
            result = compare.get(kind)
            if result is None:
                continue
            rate = result["sent"] / result["seconds"]
            figures[f"{name}_msgs_per_s"] = round(rate)
            figures[f"{name}_cpu_ms_per_1k"] = round(result["cpu_s"] * 1e6 / result["sent"], 1)
            figures[f"{name}_recipients"] = result["sent"]
            figures[f"{name}_verified"] = result["verified"]
            figures[f"vs_{name}_ratio"] = round(ours / rate, 2)
        if compare.get("broadcaster_version"):
            figures["aiogram_broadcaster_version"] = compare["broadcaster_version"]
    return figures


def notes(outcome: dict[str, Any], count: int) -> list[str]:
    """What went right in the end but should not have happened in a run without faults."""
    from bot.dispatch.engine import CHUNK_SIZE

    notes = []
    if outcome["received_at_finish"] < count:
        notes.append(
            f"FINISHED at {outcome['finished_s']:.1f} s with {outcome['received_at_finish']:,} "
            f"of {count:,} messages at the sandbox; the last came at {outcome['seconds']:.1f} s"
        )
    if outcome["settled_mid_send"]:
        notes.append(
            f"{outcome['settled_mid_send']:,} deliveries in flight were settled as a dead "
            "worker's (no worker died: the same chunk was being worked twice)"
        )
    if outcome["non_200_answers"]:
        notes.append(f"API answers other than 200: {outcome['non_200_answers']}")
    if outcome["chunks_queued"] is not None:
        expected = -(-count // CHUNK_SIZE)
        if outcome["chunks_queued"] > expected:
            notes.append(f"{outcome['chunks_queued']:,} chunks queued for {expected:,} chunks")
    return notes


def verdicts(figures: dict[str, Any]) -> list[str]:
    verdicts = []
    for name, at_least, target in TARGETS:
        if name not in figures:
            continue
        value = figures[name]
        met = value >= target if at_least else value <= target
        sign = ">=" if at_least else "<="
        verdicts.append(f"{name} {value:,} {'PASS' if met else 'MISS'} {sign}{target:,}")
    return verdicts


def print_summary(records: list[dict[str, Any]], channels: list[str]) -> None:
    """The table: one row per configuration and channel, then the targets."""
    rows = []
    for record in records:
        figures = record["figures"]
        for channel in channels:
            rows.append(
                [
                    record["config"],
                    channel,
                    f"{record['params']['recipients']:,}",
                    f"{figures[RATE_FIGURES[channel]]:,}",
                    f"{figures[f'{channel}_seconds']:.1f}",
                    f"{figures[f'{channel}_first_send_s']:.1f}",
                    f"{figures[f'{channel}_send_phase_per_s']:,}",
                    f"{figures[f'{channel}_cpu_ms_per_1k']:.0f}",
                    f"{figures[f'{channel}_snapshot_cpu_ms_per_1k']:.0f}",
                    f"{figures[f'{channel}_sandbox_cpu_ms_per_1k']:.0f}",
                    "/".join(f"{mb:.0f}" for mb in figures[f"{channel}_worker_peak_rss_mb"]),
                    "ok" if figures[f"{channel}_verified"] else "FAILED",
                ]
            )
    print()
    print_table(
        [
            "config",
            "channel",
            "recipients",
            "msgs/s",
            "s",
            "1st send s",
            "send-phase/s",
            "cpu ms/1k",
            "(snapshot)",
            "sandbox ms/1k",
            "worker MB",
            "check",
        ],
        rows,
    )
    for record in records:
        print()
        figures = record["figures"]
        for kind in ("aiogram_loop", "aiogram_broadcaster"):
            if f"{kind}_msgs_per_s" in figures:
                print(
                    f"[{record['config']}] {kind}: {figures[f'{kind}_msgs_per_s']:,} msgs/s over "
                    f"{figures[f'{kind}_recipients']:,} recipients, "
                    f"{figures[f'{kind}_cpu_ms_per_1k']:.0f} CPU ms/1k"
                )
        for verdict in verdicts(figures):
            print(f"[{record['config']}] {verdict}")
