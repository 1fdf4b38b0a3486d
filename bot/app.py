"""Builds and closes everything one process needs; run_bot.py decides what to run on it."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from aiogram import Bot, Dispatcher
from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.fsm.storage.redis import RedisStorage
from redis.asyncio import Redis

from bot import db
from bot.config import Settings
from bot.conversation import Conversation
from bot.i18n import I18n
from bot.metrics import Metrics
from bot.platforms.line import LineChannel
from bot.platforms.telegram import build_bot, build_dispatcher
from bot.services import Clock, Services, utc_now
from bot.tasks import BackgroundTasks
from handlers import build_gates, build_router

log = logging.getLogger(__name__)


@dataclass(slots=True)
class TelegramChannel:
    """aiogram's Bot (the API client) and Dispatcher (routing updates to the conversation)."""

    bot: Bot
    dispatcher: Dispatcher


@dataclass(slots=True)
class App:
    """Everything a process holds: config, clients, storage, services, the conversation."""

    settings: Settings
    metrics: Metrics
    i18n: I18n
    services: Services
    storage: BaseStorage
    redis: Redis | None
    conversation: Conversation
    telegram: TelegramChannel | None
    line: LineChannel | None
    tasks: BackgroundTasks

    @classmethod
    async def build(cls, settings: Settings, *, clock: Clock = utc_now) -> App:
        """Connect the database and Redis, and build the channels that are configured."""
        await db.connect(settings)
        redis = Redis.from_url(settings.REDIS_URL) if settings.REDIS_URL else None
        storage: BaseStorage = RedisStorage(redis) if redis is not None else MemoryStorage()
        metrics = Metrics()
        i18n = I18n()
        tasks = BackgroundTasks()
        services = Services.build(public_url=settings.public_url, tasks=tasks, clock=clock)
        conversation = Conversation(
            build_router(),
            gates=build_gates(),
            storage=storage,
            i18n=i18n,
            services=services,
            metrics=metrics,
        )
        telegram = None
        if settings.telegram_enabled:
            telegram = TelegramChannel(build_bot(settings), build_dispatcher(storage, conversation))
        line = LineChannel.build(settings) if settings.line_enabled else None
        app = cls(
            settings=settings,
            metrics=metrics,
            i18n=i18n,
            services=services,
            storage=storage,
            redis=redis,
            conversation=conversation,
            telegram=telegram,
            line=line,
            tasks=tasks,
        )
        app.log_channels()
        return app

    def log_channels(self) -> None:
        """Say at start which channels are on and which are off for lack of credentials."""
        channels = {
            "telegram": self.settings.telegram_enabled,
            "line": self.settings.line_enabled,
            "whatsapp": self.settings.whatsapp_enabled,
        }
        for name, enabled in channels.items():
            if enabled:
                log.info("channel on", extra={"channel": name})
            else:
                log.warning("channel off: credentials not configured", extra={"channel": name})

    async def close(self) -> None:
        """Finish background work, then close every client and connection."""
        await self.tasks.drain(grace=10)
        if self.telegram is not None:
            await self.telegram.bot.session.close()
        if self.line is not None:
            await self.line.close()
        await self.storage.close()
        if self.redis is not None:
            await self.redis.aclose()
        await db.close()
