"""The sealing step: rows written before numbers and names were sealed, sealed in place.

Migration 0013 adds the columns; only a running process has the key (bot/keyfile.py), so the
rows themselves are sealed here, by `migrate` after the migrations and by every process at
start (a few cheap queries when there is nothing left). Idempotent and resumable: each batch
is one transaction, and only rows still plain are taken (contacts by key_version; addresses,
whose plaintext is always shorter than any sealed value, by length: see models/sealed.py).
"""

from __future__ import annotations

import logging
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from bot.config import ConfigError
from bot.crypto import Sealer
from bot.sql import dialect_sql
from models import ServiceSecret
from models.sealed import SHORTEST_SEALED

log = logging.getLogger(__name__)

BATCH = 2000
# Kept in the installation's own name-value table once a pass has found everything sealed.
_SEALED_MARK = "sealed_v1"
_KEY_CHECK = "key_check_v1"
_KEY_CHECK_LABEL = "broadside data key check"
_PLAIN_CONTACTS = (
    "SELECT id, phone, whatsapp, first_name, last_name FROM contact "
    "WHERE key_version = 0 ORDER BY id LIMIT ?"
)
# The plaintext `phone` column is emptied: the sealed phone has a column of its own.
_SEAL_CONTACT = (
    "UPDATE contact SET sealed_phone = ?, phone_hash = ?, whatsapp = ?, whatsapp_hash = ?, "
    "first_name = ?, last_name = ?, phone = NULL, key_version = 1 "
    "WHERE id = ? AND key_version = 0"
)
# A number's suppression key becomes its keyed hash, with the number sealed beside it.
_PLAIN_SUPPRESSIONS = (
    "SELECT id, key FROM suppression WHERE channel = 'phone' AND key LIKE '+%' ORDER BY id LIMIT ?"
)
_SEAL_SUPPRESSION = "UPDATE suppression SET key = ?, address = ? WHERE id = ?"
# Tables whose one sealed column held addresses (shorter than any sealed value).
_ADDRESS_COLUMNS = (("inbound_reply", "address"), ("usage_record", "recipient"))
# Webhook dedup keys that named a number (a WhatsApp marketing preference) before the number
# was hashed in them (bot/web.py): forgotten rather than rewritten. A redelivery of one of
# those events would then be handled again, which suppresses the number again: no change.
_NUMBERED_EVENTS = "DELETE FROM inbound_event WHERE key LIKE 'whatsapp:pref:+%'"
# Tables of files, marked `sealed` once sealed: (table, key column, file column).
_FILE_COLUMNS = (
    ("upload", "id", "content"),
    ("download", "token", "content"),
    ("import_job", "id", "rejected_csv"),
)


async def verify_key(sealer: Sealer) -> None:
    """Refuse a key other than the one this database's data was sealed under.

    A fingerprint of the key (its keyed hash of a fixed label: it tells nothing of any number,
    nor of the key) is kept in the database by the first process. A process with another key,
    say one machine of a deployment that made its own key file for want of DATA_KEY, would
    seal rows none of the others can open, and fail to open theirs: it stops at start instead.
    """
    fingerprint = sealer.lookup(_KEY_CHECK_LABEL) or ""
    kept, _ = await ServiceSecret.get_or_create(name=_KEY_CHECK, defaults={"value": fingerprint})
    if kept.value != fingerprint:
        raise ConfigError(
            "DATA_KEY: this is not the key the database's contacts were sealed under; give "
            "every process of the installation the same DATA_KEY (or the key file that made it)"
        )


async def seal_at_start(sealer: Sealer) -> int:
    """seal_existing, once per installation: a process starting after a pass that completed
    skips the scans (usage records alone may be millions of rows, read at every start
    otherwise). Every row written since is sealed as it is written; `migrate` always scans."""
    if await ServiceSecret.exists(name=_SEALED_MARK):
        return 0
    sealed = await seal_existing(sealer)
    await ServiceSecret.get_or_create(name=_SEALED_MARK, defaults={"value": "1"})
    return sealed


async def seal_existing(sealer: Sealer) -> int:
    """Seal every row still in plaintext; how many rows were sealed."""
    connection = connections.get("default")
    sealed = await _contacts(connection, sealer)
    sealed += await _suppressions(connection, sealer)
    for table, column in _ADDRESS_COLUMNS:
        sealed += await _addresses(connection, sealer, table, column)
    for table, key, column in _FILE_COLUMNS:
        sealed += await _files(connection, sealer, table, key, column)
    forgotten, _ = await connection.execute_query(_NUMBERED_EVENTS)
    sealed += forgotten
    if sealed:
        log.info("sealed rows written before sealing", extra={"rows": sealed})
        await _forget_plaintext(connection)
    return sealed


async def _forget_plaintext(connection: BaseDBAsyncClient) -> None:
    """SQLite keeps a row's old bytes in the page's free space, and old pages in the WAL,
    until they happen to be reused: once, after sealing, the file is rewritten (VACUUM) and the
    WAL emptied, so the plaintext is gone from the file and not merely unreferenced.
    (PostgreSQL's VACUUM reclaims dead rows too, on its own schedule; its operator runs a
    VACUUM FULL for the same guarantee.)"""
    if connection.capabilities.dialect != "sqlite":
        return
    await connection.execute_script("VACUUM")
    await connection.execute_script("PRAGMA wal_checkpoint(TRUNCATE)")


async def _contacts(connection: BaseDBAsyncClient, sealer: Sealer) -> int:
    done = 0
    while rows := await _fetch(connection, _PLAIN_CONTACTS, [BATCH]):
        values = []
        for contact_id, phone, whatsapp, first_name, last_name in rows:
            values.append(
                [
                    sealer.seal(phone),
                    sealer.lookup(phone),
                    sealer.seal(whatsapp),
                    sealer.lookup(whatsapp) if whatsapp != phone else None,
                    sealer.seal(first_name),
                    sealer.seal(last_name),
                    contact_id,
                ]
            )
        await _write(_SEAL_CONTACT, values)
        done += len(rows)
    return done


async def _suppressions(connection: BaseDBAsyncClient, sealer: Sealer) -> int:
    done = 0
    while rows := await _fetch(connection, _PLAIN_SUPPRESSIONS, [BATCH]):
        values = [[sealer.lookup(key), sealer.seal(key), entry_id] for entry_id, key in rows]
        await _write(_SEAL_SUPPRESSION, values)
        done += len(rows)
    return done


async def _addresses(connection: BaseDBAsyncClient, sealer: Sealer, table: str, column: str) -> int:
    select = (
        f"SELECT id, {column} FROM {table} WHERE LENGTH({column}) < {SHORTEST_SEALED} "  # noqa: S608
        "ORDER BY id LIMIT ?"
    )
    update = f"UPDATE {table} SET {column} = ? WHERE id = ?"  # noqa: S608 - constant names
    done = 0
    while rows := await _fetch(connection, select, [BATCH]):
        await _write(update, [[sealer.seal(value), row_id] for row_id, value in rows])
        done += len(rows)
    return done


async def _files(
    connection: BaseDBAsyncClient, sealer: Sealer, table: str, key: str, column: str
) -> int:
    # One row at a time: an upload is up to 20 MB. NULL (no rejected rows) stays NULL.
    select = f"SELECT {key}, {column} FROM {table} WHERE sealed = ? LIMIT 1"  # noqa: S608
    update = f"UPDATE {table} SET {column} = ?, sealed = ? WHERE {key} = ?"  # noqa: S608
    done = 0
    while rows := await _fetch(connection, select, [False]):
        [(row_key, content)] = rows
        value = sealer.seal_bytes(bytes(content)) if content is not None else None
        await _write(update, [[value, True, row_key]])
        done += 1
    return done


async def _fetch(connection: BaseDBAsyncClient, sql: str, params: list[Any]) -> list[tuple]:
    _, rows = await connection.execute_query(dialect_sql(connection, sql), params)
    return [tuple(row) for row in rows]


async def _write(sql: str, values: list[list[Any]]) -> None:
    async with in_transaction() as connection:
        await connection.execute_many(dialect_sql(connection, sql), values)
