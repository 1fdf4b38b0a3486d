"""Fixtures for the sandbox's own tests: the sandbox on a real loopback port, the real
platform clients pointed at it, and a tiny webhook receiver standing in for the bot."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiohttp import web
from aiohttp.test_utils import TestServer
from linebot.v3.messaging import AsyncApiClient, Configuration

from bot.sandbox import Sandbox
from tests.sandbox.helpers import MovableClock, Receiver, Served, make_bot


@pytest.fixture
async def served() -> AsyncIterator[Served]:
    """A sandbox on 127.0.0.1 with a movable clock; fails the test on unexpected violations.

    A test that provokes violations on purpose clears `sandbox.violations` after checking.
    """
    clock = MovableClock()
    sandbox = Sandbox(seed=7, clock=clock)
    server = TestServer(sandbox.app, host="127.0.0.1")
    await server.start_server()
    try:
        yield Served(sandbox, str(server.make_url("")).rstrip("/"), clock)
    finally:
        await sandbox.close()
        await server.close()
    assert not sandbox.violations, sandbox.violations


@pytest.fixture
def sandbox(served: Served) -> Sandbox:
    """The served sandbox."""
    return served.sandbox


@pytest.fixture
async def receiver(served: Served) -> AsyncIterator[Receiver]:
    """A fake bot on 127.0.0.1, connected to the sandbox as the bot's base URL."""
    fake = Receiver()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", fake.handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    fake.url = str(server.make_url("")).rstrip("/")
    served.sandbox.connect_bot(fake.url)
    try:
        yield fake
    finally:
        await server.close()


@pytest.fixture
async def bot(served: Served) -> AsyncIterator[Bot]:
    """An aiogram Bot talking to the sandbox."""
    client = make_bot(served)
    try:
        yield client
    finally:
        await client.session.close()


@pytest.fixture
async def line_client(served: Served) -> AsyncIterator[AsyncApiClient]:
    """The LINE SDK's async client on the sandbox's api host."""
    token = served.sandbox.credentials.line_access_token
    configuration = Configuration(host=served.url + "/line", access_token=token)
    async with AsyncApiClient(configuration) as client:
        yield client


@pytest.fixture
async def line_data_client(served: Served) -> AsyncIterator[AsyncApiClient]:
    """The LINE SDK's async client on the sandbox's data host."""
    token = served.sandbox.credentials.line_access_token
    configuration = Configuration(host=served.url + "/line-data", access_token=token)
    async with AsyncApiClient(configuration) as client:
        yield client
