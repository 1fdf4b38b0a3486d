"""The data keys and what they do: seal, open, hash; the key file made on first start."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import stat
from pathlib import Path

import pytest

from bot import db
from bot.config import ConfigError, Settings
from bot.crypto import Sealer, UnreadableSeal
from bot.keyfile import KEY_FILE, master_key


def test_a_sealed_value_opens_only_under_its_key_and_unaltered() -> None:
    sealer = Sealer.from_master(b"one installation")
    sealed = sealer.seal("+34612345678")
    assert sealed is not None
    assert "612345678" not in sealed
    assert sealed != sealer.seal("+34612345678"), "a random nonce per value"
    assert sealer.open(sealed) == "+34612345678"
    altered = ("A" if sealed[0] != "A" else "B") + sealed[1:]
    with pytest.raises(UnreadableSeal):
        sealer.open(altered)
    with pytest.raises(UnreadableSeal):
        Sealer.from_master(b"another installation").open(sealed)
    assert sealer.open_bytes(sealer.seal_bytes(b"phone\n+34612345678\n")) == (
        b"phone\n+34612345678\n"
    )


def test_a_number_hashes_the_same_under_one_key_and_apart_from_its_sealing_key() -> None:
    sealer = Sealer.from_master(b"one installation")
    digest = sealer.lookup("+34612345678")
    assert digest == sealer.lookup("+34612345678")
    assert digest is not None
    assert len(digest) == 32
    assert digest != Sealer.from_master(b"another installation").lookup("+34612345678")
    sealing_key, lookup_key = sealer.keys
    assert sealing_key != lookup_key, "one key per purpose, both from one secret"
    expected = hmac.new(lookup_key, b"+34612345678", hashlib.sha256).hexdigest()[:32]
    assert digest == expected, "HMAC-SHA256, truncated to 128 bits"


def test_without_data_key_a_key_file_is_made_beside_the_database_and_kept(
    tmp_path: Path,
) -> None:
    settings = Settings(_env_file=None, DATABASE_URL=f"sqlite://{tmp_path}/broadside.sqlite3")  # type: ignore[call-arg]
    first = master_key(settings)
    path = tmp_path / KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600, "readable by its owner only"
    assert master_key(settings) == first, "made once, then read"
    configured = Settings(
        _env_file=None,  # type: ignore[call-arg]
        DATABASE_URL=f"sqlite://{tmp_path}/broadside.sqlite3",
        DATA_KEY="set by the operator",
    )
    assert master_key(configured) == b"set by the operator"


async def test_a_process_with_another_key_refuses_to_start(database_url: str) -> None:
    # One machine of a deployment without DATA_KEY makes its own key file: its contacts would
    # be sealed under a key no other process has. It stops with the variable to set.
    def settings(key: str) -> Settings:
        return Settings(_env_file=None, DATABASE_URL=database_url, DATA_KEY=key)  # type: ignore[call-arg]

    await db.apply_migrations(settings("the installation's key"))
    await db.apply_migrations(settings("the installation's key"))  # the same key: fine
    with pytest.raises(ConfigError, match="DATA_KEY: this is not the key"):
        await db.apply_migrations(settings("a key of its own"))


def _nonce(sealed: str) -> bytes:
    return base64.b64decode(sealed)[:12]


def test_nonces_never_repeat_across_pool_refills_or_a_fork() -> None:
    sealer = Sealer.from_master(b"one installation")
    # More than one pool's worth (4,096 nonces), so a refill happens on the way.
    nonces = {_nonce(sealer.seal("x") or "") for _ in range(10_000)}
    assert len(nonces) == 10_000
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # the child seals once and reports its nonce
        os.write(writer, _nonce(sealer.seal("x") or ""))
        os._exit(0)
    os.close(writer)
    os.waitpid(child, 0)
    childs = os.read(reader, 12)
    os.close(reader)
    # Without the pool's refill at fork, the child's nonce would be the parent's next one.
    assert len(childs) == 12
    assert childs != _nonce(sealer.seal("x") or "")
    assert childs not in nonces
