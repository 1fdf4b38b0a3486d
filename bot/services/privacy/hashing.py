"""Keyed hashes (HMAC-SHA256) of addresses: what is kept of an opt-out once its member is gone.

The key is DATA_KEY itself when configured (as it always was). Without one, installations
that purged an account before contacts were sealed made a random key and kept it in the
database: those hashes stay valid only under it, so it is kept for them. Every other
installation derives this key from its secret (bot/crypto.py), and keeps none in the database.
"""

from __future__ import annotations

import hashlib
import hmac

from bot.crypto import FORGOTTEN, derive
from models import ServiceSecret

_INSTALLATION_KEY = "data_key"


class KeyedHash:
    """HMAC-SHA256 under one key, as hex."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def __call__(self, value: str) -> str:
        """The keyed hash of `value`."""
        return hmac.new(self._key, value.encode(), hashlib.sha256).hexdigest()


async def data_key(master: bytes, *, configured: bool) -> bytes:
    """The key of purged accounts' opt-out hashes: the configured DATA_KEY (`master` then),
    else the installation's older key kept in the database, else one derived from `master`."""
    if configured:
        return master
    found = await ServiceSecret.get_or_none(name=_INSTALLATION_KEY)
    return found.value.encode() if found is not None else derive(master, FORGOTTEN)
