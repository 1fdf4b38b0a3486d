"""Fixtures shared by the whole suite."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings
from models import Platform
from tests.support.databases import fresh_database_url, fresh_redis_url
from tests.support.harness import Harness, running_bot


@pytest.fixture(autouse=True)
def _hermetic_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own configuration must not leak into the tests."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(Path(__file__).resolve().parent.parent)


@pytest.fixture
async def database_url(tmp_path: Path) -> str:
    """An empty database (SQLite file, or TEST_DATABASE_URL wiped)."""
    return await fresh_database_url(tmp_path)


@pytest.fixture
async def redis_url() -> str | None:
    """An empty Redis database, or None in the embedded configuration."""
    return await fresh_redis_url()


@pytest.fixture
async def harness(database_url: str, redis_url: str | None) -> AsyncIterator[Harness]:
    """The bot running against the sandbox."""
    async with running_bot(database_url=database_url, redis_url=redis_url) as running:
        yield running


@pytest.fixture
async def worker(harness: Harness) -> AsyncIterator[None]:
    """The dispatcher's engine, taking chunks in the test's loop (as the embedded default
    runs it) until the test ends; the harness alone does not send campaigns."""
    stop = asyncio.Event()
    task = asyncio.create_task(harness.app.engine.run(stop))
    try:
        yield
    finally:
        stop.set()
        await task


@pytest.fixture(params=[Platform.TELEGRAM, Platform.LINE], ids=["telegram", "line"])
def platform(request: pytest.FixtureRequest) -> Platform:
    """Run a conversation test once per member chat platform."""
    return request.param


def server_configuration() -> str:
    """Which configuration the suite runs in, for test ids and skips."""
    return "postgres+redis" if os.environ.get("TEST_DATABASE_URL") else "embedded"
