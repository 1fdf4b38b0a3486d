"""The dispatcher's shared parts for one process: in Redis when there is one, else in memory."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from redis.asyncio import Redis

from bot.config import Settings
from bot.crypto import Sealer
from bot.dispatch.channels import LineSender, TelegramSender, WhatsAppSender
from bot.dispatch.channels.base import ChannelSender
from bot.dispatch.queue import MemoryQueue, RedisStreamQueue, WorkQueue
from bot.dispatch.ratelimit import ChannelRates, RateGate
from bot.dispatch.signals import CampaignSignals, MemorySignals, RedisSignals
from bot.dispatch.store import DeliveryStore
from models import Channel


@dataclass(slots=True)
class DispatchParts:
    """Queue, campaign signals, rate gate and delivery store, shared by launch and workers."""

    queue: WorkQueue
    signals: CampaignSignals
    gate: RateGate
    store: DeliveryStore

    @classmethod
    def build(
        cls,
        settings: Settings,
        redis: Redis | None,
        *,
        hasher: Callable[[str], str],
        sealer: Sealer,
    ) -> DispatchParts:
        """Redis-backed when REDIS_URL is set (many workers share them), in memory otherwise;
        `hasher` is the installation's keyed hash, `sealer` opens contacts' numbers and names
        (see DeliveryStore)."""
        store = DeliveryStore(sealer=sealer, hasher=hasher)
        rates = ChannelRates(**settings.channel_rates)
        gate = RateGate.build(rates, redis_url=settings.REDIS_URL, redis=redis)
        if redis is not None:
            queue = RedisStreamQueue(redis, reclaim_after=settings.DISPATCH_RECLAIM_SECONDS)
            return cls(queue, RedisSignals(redis), gate, store)
        return cls(MemoryQueue(), MemorySignals(), gate, store)


def build_senders(settings: Settings) -> dict[Channel, ChannelSender]:
    """A sender for each configured channel."""
    senders: dict[Channel, ChannelSender] = {}
    if settings.telegram_enabled:
        senders[Channel.TELEGRAM] = TelegramSender.build(settings)
    if settings.line_enabled and settings.LINE_CHANNEL_ACCESS_TOKEN is not None:
        # The same name in every process for the shared rate limit, never the secret itself.
        token = settings.LINE_CHANNEL_ACCESS_TOKEN.get_secret_value().encode()
        account = hashlib.sha256(token).hexdigest()[:12]
        senders[Channel.LINE] = LineSender.build(settings, account=account)
    if settings.whatsapp_enabled:
        senders[Channel.WHATSAPP] = WhatsAppSender.build(settings)
    return senders
