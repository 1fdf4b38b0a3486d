"""Where the suite keeps its data: a fresh SQLite file per test, or PostgreSQL and Redis.

TEST_DATABASE_URL and TEST_REDIS_URL select the server configuration (.ci/run sets them);
their contents are wiped before every test, so never point them at data you keep.
"""

from __future__ import annotations

import os
from pathlib import Path

import asyncpg
from redis.asyncio import Redis


async def fresh_database_url(tmp_path: Path) -> str:
    """An empty database for one test."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite://{tmp_path / 'broadside.sqlite3'}"
    connection = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        await connection.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")
    finally:
        await connection.close()
    return url


async def fresh_redis_url() -> str | None:
    """An empty Redis database for one test, or None for the embedded configuration."""
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        return None
    redis = Redis.from_url(url)
    try:
        await redis.flushdb()
    finally:
        await redis.aclose()
    return url
