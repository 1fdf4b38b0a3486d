"""Plain SQL for the hot paths (imports, the dispatcher), the same on SQLite and PostgreSQL.

The statements are written with "?" placeholders; PostgreSQL's driver wants "$1, $2...".
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

_QMARK = re.compile(r"\?")


@lru_cache(maxsize=256)
def _numbered(sql: str) -> str:
    numbers = iter(range(1, sql.count("?") + 1))
    return _QMARK.sub(lambda _: f"${next(numbers)}", sql)


def dialect_sql(connection: BaseDBAsyncClient, sql: str) -> str:
    """`sql` with the placeholders `connection`'s driver expects."""
    if connection.capabilities.dialect != "postgres":
        return sql
    return _numbered(sql)


def marks(count: int) -> str:
    """ "?, ?, ?" for an IN list of `count` values."""
    return ", ".join("?" * count)


async def fetch_returning(
    connection: BaseDBAsyncClient, sql: str, params: list[Any]
) -> list[tuple[Any, ...]]:
    """The rows of an UPDATE/INSERT ... RETURNING, as tuples in the RETURNING order.

    Tortoise's PostgreSQL execute_query runs statements starting with UPDATE, INSERT or
    DELETE without fetching (it answers only the row count); its dict variant fetches.
    """
    rows = await connection.execute_query_dict(dialect_sql(connection, sql), params)
    return [tuple(row.values()) for row in rows]
