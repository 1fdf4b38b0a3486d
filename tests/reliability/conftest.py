"""Fixtures of the reliability tests: a bot on PostgreSQL and Redis of the test's own."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from tests.support.harness import Harness, running_bot
from tests.support.private_services import PrivateServices, running_private_services


@dataclass(slots=True)
class Restartable:
    """The bot against the sandbox, on services the test may stop and start."""

    harness: Harness
    services: PrivateServices


@pytest.fixture
async def restartable() -> AsyncIterator[Restartable]:
    """The bot on a private PostgreSQL and Redis. These tests own their services, so they
    could run in either configuration; they run once per CI, in the server one, where
    PostgreSQL and Redis are what a deployment restarts."""
    if not os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("runs once per CI: in the PostgreSQL + Redis run (TEST_DATABASE_URL set)")
    async with (
        running_private_services() as services,
        running_bot(database_url=services.postgres.url, redis_url=services.redis.url) as harness,
    ):
        yield Restartable(harness, services)
