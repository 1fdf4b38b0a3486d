"""The operator in tests: the configured accounts, a bot that knows them, and their chats."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from tests.support.chats import TelegramChat
from tests.support.harness import Harness, running_bot

OPERATOR_TELEGRAM = 900001
OPERATOR_LINE = "U" + "0123456789abcdef" * 2
# The configuration that makes them the operators.
OPERATORS = {"ADMIN_TELEGRAM_IDS": str(OPERATOR_TELEGRAM), "ADMIN_LINE_IDS": OPERATOR_LINE}


@asynccontextmanager
async def operated_bot(
    database_url: str,
    redis_url: str | None,
    *,
    sending: bool = False,
    settings: Mapping[str, object] | None = None,
) -> AsyncIterator[Harness]:
    """The bot with one operator on each chat platform (both known to the sandbox), and its
    dispatcher's engine running when `sending`; `settings` adds to the configuration."""
    async with running_bot(
        database_url=database_url, redis_url=redis_url, settings={**OPERATORS, **(settings or {})}
    ) as running:
        running.sandbox.telegram.add_user(OPERATOR_TELEGRAM)
        running.sandbox.line.add_user(OPERATOR_LINE)
        if not sending:
            yield running
            return
        async with engine_running(running):
            yield running


@asynccontextmanager
async def engine_running(harness: Harness) -> AsyncIterator[None]:
    """The bot's dispatcher engine, in the test's event loop, until the block ends."""
    stop = asyncio.Event()
    task = asyncio.create_task(harness.app.engine.run(stop))
    try:
        yield
    finally:
        stop.set()
        await task


def operator_chat(harness: Harness) -> TelegramChat:
    """The Telegram operator's chat."""
    return TelegramChat(harness.sandbox.telegram, OPERATOR_TELEGRAM, language="en")
