"""Summarise a py-spy profile in collapsed-stack form (`py-spy record --format raw`).

    .venv/bin/python -m bench.profile_summary PROFILE.txt [--top 30] [--under FUNC]

Prints the share of samples per function, inclusive (the function or anything it called) and
self (the function itself), with line numbers dropped so a function is one row. `--under`
keeps only the stacks that pass through a function whose name contains the text (e.g.
"Importer.run"), and reports shares of those. `python -m bench.import_csv --py-spy FILE`
writes such a profile of the importing process.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

_LINE = re.compile(r":\d+\)$")


def _frame(raw: str) -> str:
    """ "func (path/to/file.py:123)" -> "func (path/to/file.py)"."""
    return _LINE.sub(")", raw.strip())


def load(path: Path, under: str | None = None) -> list[tuple[list[str], int]]:
    """The stacks (outermost frame first) and their sample counts."""
    stacks = []
    for line in path.read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [_frame(frame) for frame in stack.split(";")]
        if under is not None:
            cut = next((i for i, frame in enumerate(frames) if under in frame), None)
            if cut is None:
                continue
            frames = frames[cut:]
        stacks.append((frames, int(count)))
    return stacks


def summarise(stacks: list[tuple[list[str], int]]) -> tuple[int, Counter[str], Counter[str]]:
    """Total samples, inclusive samples per function, self samples per function."""
    total = 0
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    for frames, count in stacks:
        total += count
        own[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count
    return total, inclusive, own


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile_summary")
    parser.add_argument("profile", type=Path)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--under", default=None, help="only stacks through this function")
    args = parser.parse_args(argv)
    total, inclusive, own = summarise(load(args.profile, args.under))
    if not total:
        print("no samples")
        return 1
    print(f"{total} samples{f' under {args.under}' if args.under else ''}\n")
    for title, counter in (("inclusive", inclusive), ("self", own)):
        print(f"{title:>9}  function")
        for frame, count in counter.most_common(args.top):
            print(f"{100 * count / total:8.1f}%  {frame}")
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
