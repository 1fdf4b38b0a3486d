"""The bot running against the sandbox over real loopback HTTP, as one test fixture.

The sandbox plays Telegram, LINE and WhatsApp; the bot is the real App with its real web
server, aiogram Bot and LINE SDK clients pointed at it. Nothing of ours is mocked.
"""

from __future__ import annotations

import asyncio
import itertools
import socket
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from aiohttp import web

from bot import db
from bot.app import App
from bot.charts import ChartDrawer
from bot.config import Settings
from bot.processes import telegram_intake
from bot.sandbox import Sandbox
from bot.web import build_web_app
from models import Platform
from tests.support.chats import LineChat, MemberChat, TelegramChat
from tests.support.clock import MovableClock


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _serve(app: web.Application, port: int = 0) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    host, port = runner.addresses[0][:2]
    return runner, f"http://{host}:{port}"


@dataclass
class Harness:
    """A running bot and sandbox, with helpers to open member chats."""

    sandbox: Sandbox
    app: App
    bot_url: str
    sandbox_url: str
    clock: MovableClock
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1001))

    def chat(self, platform: Platform, *, language: str = "en") -> MemberChat:
        """A chat with a person nobody has seen yet."""
        if platform is Platform.TELEGRAM:
            return TelegramChat(self.sandbox.telegram, next(self._ids), language=language)
        return LineChat(self.sandbox.line, self.sandbox.line.new_user_id(), language=language)


@asynccontextmanager
async def running_bot(
    *,
    database_url: str,
    redis_url: str | None,
    telegram_polling: bool = False,
    settings: Mapping[str, object] | None = None,
    charts: ChartDrawer | None = None,
) -> AsyncIterator[Harness]:
    """Start sandbox and bot; stop both, and fail if any request broke the platform specs.
    `settings` adds to the bot's configuration (the operators' ids, say); `charts` replaces
    the bot's chart drawer (with one that breaks)."""
    sandbox = Sandbox()
    sandbox_runner, sandbox_url = await _serve(sandbox.app)
    # The bot's own address is part of its settings (download links), so its port is picked first.
    configured = Settings(
        _env_file=None,  # type: ignore[call-arg]
        WEB_PORT=_free_port(),
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        **sandbox.bot_environment(sandbox_url),
        **(settings or {}),
    )
    await db.apply_migrations(configured)
    clock = MovableClock()
    app = await App.build(configured, clock=clock, charts=charts)
    bot_runner, bot_url = await _serve(build_web_app(app), configured.WEB_PORT)
    sandbox.connect_bot(bot_url)
    stop = asyncio.Event()
    webhook_url = None if telegram_polling else f"{bot_url}/webhooks/telegram"
    intake = asyncio.create_task(telegram_intake(app, stop, webhook_url=webhook_url))
    if webhook_url is not None:
        await intake  # registration is done before the first update is sent
    try:
        yield Harness(sandbox, app, bot_url, sandbox_url, clock)
    finally:
        stop.set()
        await intake
        await bot_runner.cleanup()
        await app.close()
        await sandbox.close()
        await sandbox_runner.cleanup()
    assert not sandbox.violations, "requests broke the platform specs:\n" + "\n".join(
        sandbox.violations
    )
