"""Batch inserts for imports, in plain SQL.

The ORM builds a model object per row and an INSERT per batch that it cannot tell to skip
conflicts on every backend; for a million rows that cost most of an import's time. These
statements are the same on SQLite and PostgreSQL but for the placeholders.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from bot.services.lists.rows import ContactRow
from models.suppression import suppressed_keys

__all__ = ["contact_ids_by", "insert_contacts", "insert_memberships", "suppressed_keys"]

_CONTACT_COLUMNS = (
    "member_id, phone, telegram_id, line_id, whatsapp, first_name, last_name, language, "
    "timezone, attributes, tags, consent_source, consent_at, consent_by, created_at"
)
_INSERT_CONTACTS = (
    f"INSERT INTO contact ({_CONTACT_COLUMNS}) "  # noqa: S608 - constant column list
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
)
_INSERT_MEMBERSHIPS = (
    "INSERT INTO list_membership (contact_list_id, contact_id, added_at) VALUES (?, ?, ?) "
    "ON CONFLICT DO NOTHING"
)
_QMARK = re.compile(r"\?")


def _dialect_sql(connection: BaseDBAsyncClient, sql: str) -> str:
    if connection.capabilities.dialect != "postgres":
        return sql
    numbers = iter(range(1, sql.count("?") + 1))
    return _QMARK.sub(lambda _: f"${next(numbers)}", sql)


async def insert_contacts(
    connection: BaseDBAsyncClient,
    rows: Sequence[ContactRow],
    *,
    member_id: int,
    source: str,
    consent_by: str,
    now: datetime,
) -> None:
    """Insert new contacts; a row clashing with an existing contact is skipped."""
    values: list[tuple[Any, ...]] = [
        (
            member_id,
            row.phone,
            row.telegram_id,
            row.line_id,
            row.whatsapp,
            row.first_name,
            row.last_name,
            row.language,
            row.timezone,
            json.dumps(row.attributes, ensure_ascii=False),
            json.dumps(row.tags, ensure_ascii=False),
            source,
            now,
            consent_by,
            now,
        )
        for row in rows
    ]
    if values:
        await connection.execute_many(_dialect_sql(connection, _INSERT_CONTACTS), values)


async def insert_memberships(
    connection: BaseDBAsyncClient, contact_ids: Sequence[int], *, list_id: int, now: datetime
) -> None:
    """Put contacts on a list; those already on it are skipped."""
    if contact_ids:
        await connection.execute_many(
            _dialect_sql(connection, _INSERT_MEMBERSHIPS),
            [(list_id, contact_id, now) for contact_id in contact_ids],
        )


async def _select_pairs(
    connection: BaseDBAsyncClient, sql: str, params: list[Any]
) -> list[tuple[Any, Any]]:
    _, rows = await connection.execute_query(_dialect_sql(connection, sql), params)
    return [(row[0], row[1]) for row in rows]


async def contact_ids_by(
    connection: BaseDBAsyncClient, *, member_id: int, column: str, values: Sequence[Any]
) -> dict[Any, int]:
    """Ids of the member's contacts whose `column` (phone, telegram_id, line_id) is in values."""
    if column not in ("phone", "telegram_id", "line_id"):
        raise ValueError(column)
    if not values:
        return {}
    marks = ", ".join("?" * len(values))
    sql = f"SELECT {column}, id FROM contact WHERE member_id = ? AND {column} IN ({marks})"  # noqa: S608
    return dict(await _select_pairs(connection, sql, [member_id, *values]))
