"""One fuzz target under atheris, for a fixed time, in a process of its own (bench/fuzz.py).

libFuzzer stops at the first exception that escapes; to count crashes rather than stop at
one, every input runs inside a guard that records an unexpected exception (its type and
where it was raised, each distinct one saved with the input that caused it) and goes on.
The counts are written to the summary file as they change, so a process that dies (a
libFuzzer timeout, out of memory) still leaves what it had counted.

    python -m bench.fuzz_child TARGET SECONDS SUMMARY_JSON CRASH_DIR CORPUS_DIR

CORPUS_DIR gets the seeds, then whatever libFuzzer finds worth keeping; the caller removes it.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
import traceback
from pathlib import Path

import atheris

# Our code only: instrumenting aiogram or openpyxl as well would cost minutes at start.
with atheris.instrument_imports(include=["bot"]):
    from bench.fuzz_targets import CLEAR, TARGETS


class Tally:
    """Executions and crashes of one run, flushed to `path` at most once a second."""

    def __init__(self, target: str, path: Path, crash_dir: Path, seconds: float) -> None:
        self.target, self.path, self.crash_dir = target, path, crash_dir
        self.execs, self.crashes = 0, 0
        self.kinds: dict[str, int] = {}
        self.started = time.monotonic()
        self.deadline = self.started + seconds
        self._flushed = 0.0

    def crash(self, data: bytes, error: BaseException) -> None:
        frame = traceback.extract_tb(error.__traceback__)[-1]
        kind = f"{type(error).__name__} at {Path(frame.filename).name}:{frame.lineno}"
        self.crashes += 1
        if kind not in self.kinds:
            self.crash_dir.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha1(data, usedforsecurity=False).hexdigest()[:12]
            (self.crash_dir / f"{self.target}-{digest}").write_bytes(data)
        self.kinds[kind] = self.kinds.get(kind, 0) + 1
        self.flush(force=True)

    def flush(self, *, force: bool = False, finished: bool = False) -> None:
        now = time.monotonic()
        if not (force or finished or now - self._flushed >= 1.0):
            return
        self._flushed = now
        summary = {
            "target": self.target,
            "execs": self.execs,
            "crashes": self.crashes,
            "kinds": self.kinds,
            "seconds": round(now - self.started, 1),
            "finished": finished,
        }
        self.path.write_text(json.dumps(summary), encoding="utf-8")


def main(argv: list[str]) -> None:
    target_name, seconds, summary, crash_dir, corpus_dir = argv[1:6]
    target, seeds = TARGETS[target_name]
    tally = Tally(target_name, Path(summary), Path(crash_dir), float(seconds))
    corpus = Path(corpus_dir)
    for index, seed in enumerate(seeds()):
        (corpus / f"seed-{index}").write_bytes(seed)

    def one_input(data: bytes) -> None:
        tally.execs += 1
        try:
            target(data)
        except CLEAR:
            pass  # a parser's own clear error is never a crash
        except Exception as error:  # noqa: BLE001 - anything else is what fuzzing looks for
            tally.crash(data, error)
        tally.flush()
        if time.monotonic() >= tally.deadline:
            tally.flush(finished=True)
            os._exit(0)  # libFuzzer has no clean way out of Fuzz()

    libfuzzer = [
        argv[0],
        str(corpus),
        "-max_len=65536",
        "-timeout=20",  # one input this slow is a hang: libFuzzer ends the process
        "-rss_limit_mb=1536",
        f"-max_total_time={int(float(seconds)) + 30}",  # a backstop: the guard ends the run first
        "-print_final_stats=0",
    ]
    atheris.Setup(libfuzzer, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
