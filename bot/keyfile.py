"""The installation's secret: DATA_KEY from configuration, else a key file beside the data.

The embedded default needs no configuration, so the first process to start makes a random key
and writes it to `broadside.key` in the SQLite database's folder (`data/` for a server
database), readable by its owner only. Never inside the database: a copy of the database file
alone then reveals no contact. Whoever copies the folder takes both, which is why a deployment
sets DATA_KEY and keeps it elsewhere.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
from pathlib import Path

from bot.config import Settings

log = logging.getLogger(__name__)

KEY_FILE = "broadside.key"
_DEFAULT_FOLDER = Path("data")


def key_file_path(settings: Settings) -> Path:
    """Where the installation's key file lives when DATA_KEY is not set."""
    database = settings.sqlite_path
    return (database.parent if database is not None else _DEFAULT_FOLDER) / KEY_FILE


def master_key(settings: Settings) -> bytes:
    """The secret every data key derives from (see bot/crypto.py)."""
    if settings.DATA_KEY is not None:
        return settings.DATA_KEY.get_secret_value().encode()
    return _key_file(key_file_path(settings))


def _key_file(path: Path) -> bytes:
    """The key in `path`, made there first if there is none (O_EXCL: of two processes
    starting at once, one writes it and the other reads that one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_hex(32) + "\n")
            file.flush()
            os.fsync(file.fileno())
        # Said once, loudly: losing this file loses every contact's number and name.
        log.warning("made the installation's data key: back it up", extra={"path": str(path)})
    key = path.read_text().strip()
    if not key:  # another process made the file a moment ago and is still writing
        raise RuntimeError(f"the key file {path} is empty: start again, or set DATA_KEY")
    return key.encode()
