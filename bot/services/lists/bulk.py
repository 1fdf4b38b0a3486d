"""Writing one import batch in plain SQL: new contacts, the list's memberships, restored contacts.

The ORM builds a model object per row; for a million rows that cost most of an import's time.
Each dialect gets the statements it runs fastest, with the same outcome:

- SQLite: `executemany` of one INSERT per row (the driver's fastest path), with the batch's
  constants (member, consent, timestamps) written into the statement, because the driver binds
  and copies every parameter of every row: 15 parameters a row cost about 3 s per million rows,
  10 cost 1 (12 since the numbers' keyed hashes joined them). The contacts inserted are then
  found by id: AUTOINCREMENT ids only grow, and while our transaction writes no other
  connection can, so every id above the batch's starting maximum is ours. Their memberships
  are one INSERT ... SELECT over that id range, and only the rows that were not inserted
  (already contacts) are looked up by key.
- PostgreSQL: one statement for the whole batch, the rows as one array per column (`unnest`),
  returning the contacts inserted; their memberships in the same statement.

A row that names an existing contact (or clashes with one on a second key: a phone row whose
Telegram id another contact has) is not inserted. The contact its key (contact_key) names, if
any, is restored if deleted and put on the list, as every contact inserted is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from bot.services.lists.reading import ContactValues, contact_key
from bot.sql import dialect_sql, marks

_VARYING_COLUMNS = (
    "phone_hash, sealed_phone, telegram_id, line_id, whatsapp_hash, whatsapp, first_name, "
    "last_name, language, timezone, attributes, tags"
)
# key_version 1: the rows come sealed (see reading.py's ContactValues).
_CONSTANT_COLUMNS = "member_id, consent_source, consent_at, consent_by, created_at, key_version"
_KEY = "COALESCE(phone_hash, 'telegram:' || telegram_id, 'line:' || line_id)"
# IN lists and arrays stay under every driver's parameter limit (asyncpg: 32,767).
_LOOKUP_CHUNK = 10_000

_POSTGRES_INSERT = f"""
WITH new AS (
    INSERT INTO contact ({_CONSTANT_COLUMNS}, {_VARYING_COLUMNS})
    SELECT $1, $2, $3, $4, $3, 1, v.phone_hash, v.sealed_phone, v.telegram_id, v.line_id,
        v.whatsapp_hash, v.whatsapp, v.first_name, v.last_name, v.language, v.timezone,
        v.attributes::jsonb, v.tags::jsonb
    FROM unnest($5::text[], $6::text[], $7::bigint[], $8::text[], $9::text[], $10::text[],
        $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[])
        AS v({_VARYING_COLUMNS})
    ON CONFLICT DO NOTHING
    RETURNING id, {_KEY} AS key
), added AS (
    INSERT INTO list_membership (contact_list_id, contact_id, added_at)
    SELECT $17, id, $3 FROM new
)
SELECT key FROM new
"""  # noqa: S608 - constant column lists, placeholders only


@dataclass(frozen=True, slots=True)
class Consent:
    """Who put a batch's contacts on the list, how and when: the same for every row."""

    member_id: int
    source: str
    by: str
    at: datetime


async def store_contacts(
    connection: BaseDBAsyncClient,
    contacts: Sequence[ContactValues],
    *,
    list_id: int,
    consent: Consent,
) -> int:
    """Store a batch (unique by key) and put all of it on the list; returns how many contacts
    were created. Run it inside a transaction."""
    if not contacts:
        return 0
    insert = _insert_postgres if connection.capabilities.dialect == "postgres" else _insert_sqlite
    inserted = await insert(connection, contacts, list_id=list_id, consent=consent)
    if inserted is None:
        return len(contacts)
    existing = [values for values in contacts if contact_key(values) not in inserted]
    await _add_existing(connection, existing, list_id=list_id, consent=consent)
    return len(inserted)


async def has_suppressions(connection: BaseDBAsyncClient, *, member_id: int) -> bool:
    """Whether anyone opted out of this member or of all members (most imports: no one yet)."""
    sql = "SELECT 1 FROM suppression WHERE member_id = ? OR member_id IS NULL LIMIT 1"
    _, rows = await connection.execute_query(dialect_sql(connection, sql), [member_id])
    return bool(rows)


async def _insert_sqlite(
    connection: BaseDBAsyncClient,
    contacts: Sequence[ContactValues],
    *,
    list_id: int,
    consent: Consent,
) -> set[str] | None:
    """Insert with executemany and add the new contacts' memberships; the keys of those
    inserted, or None when all were."""
    _, rows = await connection.execute_query("SELECT COALESCE(MAX(id), 0) FROM contact")
    last_id = rows[0][0]
    # What sqlite3's default adapter writes for a datetime parameter, once per batch.
    at = _literal(consent.at.isoformat(" "))
    # In _CONSTANT_COLUMNS' order: member_id, consent_source, consent_at, consent_by,
    # created_at, key_version.
    member, source, by = str(int(consent.member_id)), _literal(consent.source), _literal(consent.by)
    constants = f"{member}, {source}, {at}, {by}, {at}, 1"
    insert = (
        f"INSERT INTO contact ({_CONSTANT_COLUMNS}, {_VARYING_COLUMNS}) "  # noqa: S608
        f"VALUES ({constants}, {marks(12)}) ON CONFLICT DO NOTHING"
    )
    await connection.execute_many(insert, list(contacts))
    created, _ = await connection.execute_query(
        "INSERT INTO list_membership (contact_list_id, contact_id, added_at) "
        "SELECT ?, id, ? FROM contact WHERE id > ? ON CONFLICT DO NOTHING",
        [list_id, consent.at, last_id],
    )
    if created == len(contacts):
        return None
    # One string rather than a row per contact: the driver's thread then takes the interpreter
    # lock once, not 40,000 times. Keys hold hex digits, letters and ":", never a line break.
    _, rows = await connection.execute_query(
        f"SELECT group_concat({_KEY}, char(10)) FROM contact WHERE id > ?",  # noqa: S608
        [last_id],
    )
    # Nothing inserted gives NULL: no keys at all (an empty key would count as one created).
    return set(filter(None, (rows[0][0] or "").split("\n")))


def _literal(text: str) -> str:
    """An SQL string literal: quotes doubled, as the standard (and SQLite) escape them."""
    return "'" + text.replace("'", "''") + "'"


async def _insert_postgres(
    connection: BaseDBAsyncClient,
    contacts: Sequence[ContactValues],
    *,
    list_id: int,
    consent: Consent,
) -> set[str] | None:
    """Insert with unnest, adding the new contacts' memberships; the keys of those inserted."""
    columns = [list(column) for column in zip(*contacts, strict=True)]
    constants = [consent.member_id, consent.source, consent.at, consent.by]
    _, rows = await connection.execute_query(_POSTGRES_INSERT, [*constants, *columns, list_id])
    return {row[0] for row in rows}


async def _add_existing(
    connection: BaseDBAsyncClient,
    contacts: Sequence[ContactValues],
    *,
    list_id: int,
    consent: Consent,
) -> None:
    """Restore the deleted ones among contacts that exist, and put them all on the list."""
    for column, values in _keys_by_column(contacts).items():
        for start in range(0, len(values), _LOOKUP_CHUNK):
            condition, params = _in(connection, column, values[start : start + _LOOKUP_CHUNK])
            where = f"member_id = ? AND {condition}"
            restore = (
                f"UPDATE contact SET deleted_at = NULL WHERE {where} AND deleted_at IS NOT NULL"  # noqa: S608
            )
            await connection.execute_query(
                dialect_sql(connection, restore), [consent.member_id, *params]
            )
            add = (
                "INSERT INTO list_membership (contact_list_id, contact_id, added_at) "  # noqa: S608
                f"SELECT ?, id, ? FROM contact WHERE {where} ON CONFLICT DO NOTHING"
            )
            await connection.execute_query(
                dialect_sql(connection, add), [list_id, consent.at, consent.member_id, *params]
            )


def _keys_by_column(contacts: Sequence[ContactValues]) -> dict[str, list[Any]]:
    """Each row's key (see contact_key) under the column that holds it."""
    by_column: dict[str, list[Any]] = {"phone_hash": [], "telegram_id": [], "line_id": []}
    for phone_hash, _phone, telegram_id, line_id, *_ in contacts:
        if phone_hash:
            by_column["phone_hash"].append(phone_hash)
        elif telegram_id is not None:
            by_column["telegram_id"].append(telegram_id)
        else:
            by_column["line_id"].append(line_id)
    return {column: values for column, values in by_column.items() if values}


def _in(connection: BaseDBAsyncClient, column: str, values: list[Any]) -> tuple[str, list[Any]]:
    """`column IN (...)`, or for PostgreSQL `column = ANY(array)`: one statement to prepare."""
    if connection.capabilities.dialect == "postgres":
        return f"{column} = ANY(?)", [values]
    return f"{column} IN ({marks(len(values))})", values
