"""Structured logging: one JSON object a line, with the ids a record names.

Records carry ids (account, member, campaign), never people: no phone numbers, names or
message text are passed to the logger anywhere in the code base.
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from datetime import UTC, datetime

# Attributes every LogRecord has; anything else came from `extra=` and is printed as a field.
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON line with its extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON object."""
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update((key, value) for key, value in record.__dict__.items() if key not in _STANDARD)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def configure_logging(level: str) -> None:
    """Send every log record to stderr as JSON lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # aiohttp's access log prints request paths, and Bot API paths carry the bot token.
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)


def error_place(error: BaseException) -> str:
    """The exception's type and the line that raised it, never its message, which may quote
    a file's rows or a campaign's name: what a child process tells its parent when it broke."""
    last = traceback.extract_tb(error.__traceback__)[-1:]
    place = f" at {last[0].filename}:{last[0].lineno}" if last else ""
    return f"{type(error).__name__}{place}"
