"""Keyed hashes (HMAC-SHA256) of addresses: what is kept of an opt-out once its member is gone.

The key comes from DATA_KEY; without one (the embedded default), a random key is made once
per installation and kept in the database, so every process of the installation shares it.
A deployment should set DATA_KEY and keep it apart from the database: a key stored with the
data protects nothing from whoever takes both.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from tortoise.exceptions import IntegrityError

from models import ServiceSecret

_INSTALLATION_KEY = "data_key"


class KeyedHash:
    """HMAC-SHA256 under one key, as hex."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def __call__(self, value: str) -> str:
        """The keyed hash of `value`."""
        return hmac.new(self._key, value.encode(), hashlib.sha256).hexdigest()


async def data_key(configured: str | None) -> bytes:
    """The configured key, else this installation's own (made on first use)."""
    if configured:
        return configured.encode()
    found = await ServiceSecret.get_or_none(name=_INSTALLATION_KEY)
    if found is None:
        try:
            found = await ServiceSecret.create(name=_INSTALLATION_KEY, value=secrets.token_hex(32))
        except IntegrityError:  # another process made it first: theirs holds
            found = await ServiceSecret.get(name=_INSTALLATION_KEY)
    return found.value.encode()
