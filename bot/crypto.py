"""Contacts' personal data at rest: sealed with AES-GCM, found by keyed hash (HMAC-SHA256).

One secret (DATA_KEY, or the installation's key file: bot/keyfile.py) gives every key by HKDF,
each for one purpose, so a key used for hashing never encrypts and the other way round:
- the sealing key: AES-256-GCM, a random 96-bit nonce per value (NIST's bound of 2^32 values
  per key under random nonces is far beyond any installation's contacts), stored as base64 of
  nonce + ciphertext + tag. GCM authenticates too: a value altered in the database, or sealed
  under another key, fails to open instead of reading as something else.
- the lookup key: HMAC-SHA256 of the E.164 number, truncated to 128 bits (32 hex digits), for
  what must find or compare a number without reading it: uniqueness per member, dedup on
  import, a WhatsApp reply's sender, suppression keys. Equal numbers give equal hashes; without
  the key a hash is not worth guessing numbers against.

Pure and free of the ORM and the chat SDKs: the import worker process seals its rows with it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import threading
from collections.abc import Iterator

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_NONCE_BYTES = 12
_NONCE_POOL_BYTES = _NONCE_BYTES * 4_096
_SHA256_BLOCK = 64  # a lookup key is 32 bytes: under the block, so never hashed first
_LOOKUP_HEX_DIGITS = 32
# HKDF's "info": one label per purpose. Changing one changes that key: never edit them.
SEALING = b"broadside contact sealing v1"
LOOKUP = b"broadside lookup hash v1"
FORGOTTEN = b"broadside forgotten opt-outs v1"


class _NoncePool:
    """Random nonces, drawn from os.urandom 4,096 at a time rather than one system call each.

    The bytes are the same CSPRNG's, each handed out once, so the nonces are as random and as
    unique as os.urandom(12) per value; the system call was a third of a sealing (0.67 us of
    2.1), three times a row on a million-row import. Safe across threads: `next()` on a range
    iterator is atomic under the interpreter lock, and each iterator is paired with its own
    bytes. Safe across fork: the child throws the parent's bytes away (register_at_fork), or
    parent and child would seal with the same nonces, which breaks AES-GCM.
    """

    def __init__(self) -> None:
        self._refilling = threading.Lock()
        self._current = self._drawn()

    @staticmethod
    def _drawn() -> tuple[bytes, Iterator[int]]:
        return os.urandom(_NONCE_POOL_BYTES), iter(range(0, _NONCE_POOL_BYTES, _NONCE_BYTES))

    def refill(self) -> None:
        self._current = self._drawn()

    def take(self) -> bytes:
        while True:
            pool, offsets = self._current
            offset = next(offsets, None)
            if offset is not None:
                return pool[offset : offset + _NONCE_BYTES]
            with self._refilling:
                if self._current[1] is offsets:  # not refilled by another thread meanwhile
                    self.refill()


# One pool per process, like os.urandom itself.
_nonces = _NoncePool()
os.register_at_fork(after_in_child=_nonces.refill)
_take_nonce = _nonces.take


class UnreadableSeal(ValueError):
    """A sealed value that this key cannot open: altered, or sealed under another key."""


def derive(master: bytes, purpose: bytes) -> bytes:
    """A 256-bit key for one purpose from the installation's secret."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(master)


class Sealer:
    """Seals and opens values, and hashes numbers for lookups, under one installation's keys."""

    def __init__(self, *, sealing_key: bytes, lookup_key: bytes) -> None:
        self._aead = AESGCM(sealing_key)
        self._encrypt = self._aead.encrypt  # bound once: seal runs three times an imported row
        # HMAC (RFC 2104) from its keyed inner and outer SHA-256 states, computed once and
        # copied per value: 0.7 us against 1.2 for copying an hmac.HMAC and 1.8 for keying a
        # new one, on each of a million imported rows (the worker's core is the import's
        # bottleneck). tests/test_crypto.py checks it equals the hmac module's.
        block = lookup_key.ljust(_SHA256_BLOCK, b"\0")
        self._inner = hashlib.sha256(bytes(byte ^ 0x36 for byte in block))
        self._outer = hashlib.sha256(bytes(byte ^ 0x5C for byte in block))
        self.keys = (sealing_key, lookup_key)  # for the import worker, over its pipe

    @classmethod
    def from_master(cls, master: bytes) -> Sealer:
        """The sealer of an installation whose secret is `master`."""
        return cls(sealing_key=derive(master, SEALING), lookup_key=derive(master, LOOKUP))

    def seal(self, value: str | None) -> str | None:
        """`value` encrypted (base64 text), or None for None."""
        if value is None:
            return None
        nonce = _take_nonce()
        sealed = nonce + self._encrypt(nonce, value.encode(), None)
        return binascii.b2a_base64(sealed, newline=False).decode("ascii")

    def open(self, sealed: str | None) -> str | None:
        """The value `seal` gave `sealed`, or None for None. Raises UnreadableSeal."""
        if sealed is None:
            return None
        try:
            raw = base64.b64decode(sealed, validate=True)
            return self._aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], None).decode()
        except (InvalidTag, binascii.Error, ValueError) as error:
            raise UnreadableSeal("a sealed value does not open under this key") from error

    def seal_bytes(self, data: bytes) -> bytes:
        """A file sealed: nonce + ciphertext + tag (AES-GCM runs at gigabytes a second)."""
        nonce = _take_nonce()
        return nonce + self._aead.encrypt(nonce, data, None)

    def open_bytes(self, sealed: bytes) -> bytes:
        """The file seal_bytes gave `sealed`. Raises UnreadableSeal."""
        try:
            return self._aead.decrypt(sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:], None)
        except (InvalidTag, ValueError) as error:
            raise UnreadableSeal("a sealed file does not open under this key") from error

    def lookup(self, value: str | None) -> str | None:
        """The keyed hash a number is found by (32 hex digits), or None for None."""
        if value is None:
            return None
        inner = self._inner.copy()
        inner.update(value.encode())
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()[:_LOOKUP_HEX_DIGITS]
