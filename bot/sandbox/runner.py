"""`run_bot.py sandbox`: the stand-ins and console, with the bot running against them.

Members try Broadside here without touching real people, so the sandbox keeps its own
database (data/sandbox.sqlite3) unless DATABASE_URL is set explicitly.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

from aiohttp import web

from bot import db
from bot.app import App
from bot.config import Settings, load_settings
from bot.processes import run_everything
from bot.sandbox import Sandbox, TelegramLimits

log = logging.getLogger(__name__)

SANDBOX_DATABASE_URL = "sqlite://data/sandbox.sqlite3"


def sandbox_settings(settings: Settings, sandbox: Sandbox, sandbox_url: str) -> Settings:
    """The bot's settings with every platform pointed at the sandbox."""
    bot_url = f"http://{settings.WEB_HOST}:{settings.WEB_PORT}"
    overrides: dict[str, object] = {
        **sandbox.bot_environment(sandbox_url),
        "TELEGRAM_WEBHOOK_URL": f"{bot_url}/webhooks/telegram",
    }
    if "DATABASE_URL" not in settings.model_fields_set:
        overrides["DATABASE_URL"] = SANDBOX_DATABASE_URL
    return load_settings(**overrides)


async def run_sandbox(settings: Settings, *, port: int, telegram_limits: bool = False) -> None:
    """Serve the sandbox on WEB_HOST:port and run the whole bot against it until stopped;
    with `telegram_limits`, the sandbox enforces Telegram's broadcast limits."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)

    sandbox = Sandbox(telegram_limits=TelegramLimits() if telegram_limits else None)
    runner = web.AppRunner(sandbox.app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, settings.WEB_HOST, port).start()
    sandbox_url = f"http://{settings.WEB_HOST}:{port}"
    bot_settings = sandbox_settings(settings, sandbox, sandbox_url)
    sandbox.connect_bot(f"http://{bot_settings.WEB_HOST}:{bot_settings.WEB_PORT}")
    try:
        await db.apply_migrations(bot_settings)
        app = await App.build(bot_settings)
        try:
            sys.stdout.write(f"Broadside sandbox: open {sandbox_url}/console (Ctrl+C stops)\n")
            sys.stdout.flush()
            await run_everything(app, stop)
        finally:
            await app.close()
    finally:
        await sandbox.close()
        await runner.cleanup()
