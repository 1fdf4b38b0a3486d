"""Broadside: a campaign manager that members run from chat."""

from pathlib import Path

# The folder holding the `bot` package: where the child processes it starts (`python -m
# bot.import_worker`, `python -m bot.charts`) find it.
CODE_ROOT = Path(__file__).resolve().parent.parent
