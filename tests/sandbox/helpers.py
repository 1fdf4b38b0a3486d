"""Helpers for the sandbox's own tests: a movable clock, a fake bot, the aiogram client."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiohttp import web

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


def make_bot(served: Served, *, token: str | None = None, timeout: float = 5.0) -> Bot:
    """The real aiogram Bot pointed at the sandbox."""
    api = TelegramAPIServer.from_base(served.url + "/telegram")
    session = AiohttpSession(api=api, timeout=timeout)
    return Bot(token or served.sandbox.credentials.telegram_token, session=session)
