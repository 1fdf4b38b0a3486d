"""Fixtures for the sandbox's own tests: the sandbox on a real loopback port, the real
platform clients pointed at it, and a tiny webhook receiver standing in for the bot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiohttp import web
from aiohttp.test_utils import TestServer
from linebot.v3.messaging import AsyncApiClient, Configuration

from bot.sandbox import Sandbox


class MovableClock:
    """A clock the sandbox reads; tests move it to expire tokens and keys."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        """Move forward by a timedelta's keyword arguments."""
        self.now += timedelta(**delta)


@dataclass
class Served:
    """The sandbox and the base URL it is served at."""

    sandbox: Sandbox
    url: str
    clock: MovableClock


@dataclass
class Received:
    """One request the fake bot got."""

    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """A fake bot: records webhook requests and answers with `status`."""

    url: str = ""
    status: int = 200
    echo_challenge: bool = True
    requests: list[Received] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.Response:
        """Record the request; answer a WhatsApp handshake by echoing the challenge."""
        body = await request.read()
        self.requests.append(Received(request.path_qs, dict(request.headers), body))
        if request.method == "GET" and self.echo_challenge:
            return web.Response(text=request.query.get("hub.challenge", ""))
        return web.Response(status=self.status)


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


def make_bot(served: Served, *, token: str | None = None, timeout: float = 5.0) -> Bot:
    """The real aiogram Bot pointed at the sandbox."""
    api = TelegramAPIServer.from_base(served.url + "/telegram")
    session = AiohttpSession(api=api, timeout=timeout)
    return Bot(token or served.sandbox.credentials.telegram_token, session=session)


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
