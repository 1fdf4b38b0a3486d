"""Fuzz every parser of hostile input with atheris, one child process per target.

    .venv/bin/python -m bench.fuzz --seconds 60             # every target, a minute each
    .venv/bin/python -m bench.fuzz --seconds 10 --targets csv,line

Targets (bench/fuzz_targets.py): the CSV, XLSX and vCard readers, the keyword matcher, the
placeholder renderer, and the Telegram, LINE and WhatsApp webhook parsers. A crash is an
exception other than the parser's own clear error, or the child dying (a libFuzzer timeout,
out of memory). Figures: fuzz_<target>_execs and fuzz_<target>_crashes for each target, and
their totals, in bench/results/fuzz.json; each distinct crash's input is saved under
bench/results/fuzz-crashes/ to reproduce it (`fuzz_targets.fuzz_<target>(data)`).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.common import REPO_DIR, RESULTS_DIR, print_table, write_result

# Kept in step with fuzz_targets.TARGETS, which this process does not import: the targets
# load the whole bot (about 300 MB), which only the children need.
TARGET_NAMES = ("csv", "xlsx", "vcard", "keywords", "placeholders", "telegram", "line", "whatsapp")
CRASH_DIR = RESULTS_DIR / "fuzz-crashes"
# The child's imports (aiogram, the LINE SDK, instrumenting our modules) before it fuzzes.
STARTUP_ALLOWANCE_S = 120


def run_target(name: str, seconds: float) -> dict[str, Any]:
    """Fuzz one target for `seconds` in a child process; its summary."""
    with tempfile.TemporaryDirectory(prefix=f"fuzz-{name}-") as work:
        summary_path = Path(work) / "summary.json"
        corpus = Path(work) / "corpus"
        corpus.mkdir()
        command = [
            sys.executable,
            "-m",
            "bench.fuzz_child",
            name,
            str(seconds),
            str(summary_path),
            str(CRASH_DIR),
            str(corpus),
        ]
        completed = subprocess.run(
            command,
            cwd=REPO_DIR,
            capture_output=True,
            text=True,
            timeout=seconds + STARTUP_ALLOWANCE_S,
            check=False,
        )
        if summary_path.exists():
            summary = json.loads(summary_path.read_text(encoding="utf-8"))
        else:
            summary = {"target": name, "execs": 0, "crashes": 0, "kinds": {}, "finished": False}
    if completed.returncode != 0 or not summary["finished"]:
        # libFuzzer ended the process (a hang, memory) or it never started: one crash more,
        # with the end of its output, which names the reason.
        summary["crashes"] += 1
        tail = (completed.stderr or completed.stdout).strip().splitlines()[-5:]
        summary["kinds"][f"process ended with {completed.returncode}"] = 1
        summary["output_tail"] = tail
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="fuzzing time per target")
    parser.add_argument("--targets", default=",".join(TARGET_NAMES), help="comma-separated")
    args = parser.parse_args(argv)
    names = [name for name in args.targets.split(",") if name]
    unknown = sorted(set(names) - set(TARGET_NAMES))
    if unknown:
        parser.error(f"unknown targets: {', '.join(unknown)}")

    summaries = []
    for name in names:
        print(f"fuzzing {name} for {args.seconds:g} s...", flush=True)
        summaries.append(run_target(name, args.seconds))
    figures: dict[str, Any] = {}
    for summary in summaries:
        figures[f"fuzz_{summary['target']}_execs"] = summary["execs"]
        figures[f"fuzz_{summary['target']}_crashes"] = summary["crashes"]
    figures["fuzz_total_execs"] = sum(s["execs"] for s in summaries)
    figures["fuzz_total_crashes"] = sum(s["crashes"] for s in summaries)
    kinds = {s["target"]: s["kinds"] for s in summaries if s["kinds"]}
    params = {"seconds_per_target": args.seconds, "targets": names, "crash_kinds": kinds}
    path = write_result("fuzz", config="embedded", params=params, figures=figures,
                        split_by_config=False)  # fmt: skip
    rows = [
        [s["target"], f"{s['execs']:,}", str(s["crashes"]), "; ".join(s["kinds"]) or "-"]
        for s in summaries
    ]
    print_table(["target", "execs", "crashes", "kinds"], rows)
    print(f"written: {path.relative_to(REPO_DIR)}")
    return 1 if figures["fuzz_total_crashes"] else 0


if __name__ == "__main__":
    sys.exit(main())
