"""Builds and closes everything one process needs; run_bot.py decides what to run on it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from aiogram import Bot, Dispatcher
from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.fsm.storage.redis import RedisStorage
from redis.asyncio import BlockingConnectionPool, Redis

from bot import db
from bot.charts import ChartDrawer
from bot.config import Settings
from bot.conversation import Conversation
from bot.crypto import Sealer
from bot.dispatch.channels import ChannelSender
from bot.dispatch.engine import Engine
from bot.dispatch.parts import DispatchParts, build_senders
from bot.dispatch.statuses import StatusUpdates
from bot.i18n import I18n
from bot.keyfile import master_key
from bot.metrics import Metrics
from bot.notify import MemberNotifier, OperatorNotifier, Outbox
from bot.platforms.line import LineChannel
from bot.platforms.telegram import build_bot, build_dispatcher
from bot.sealing import seal_at_start, verify_key
from bot.services import Clock, Services, utc_now
from bot.services.announcements import NoticeDelivering, Reach
from bot.services.campaigns.autopause import PauseLimits
from bot.services.campaigns.progress import Tally
from bot.services.lists.imports import ImportReporting
from bot.services.privacy.hashing import KeyedHash, data_key
from bot.tasks import BackgroundTasks
from handlers import build_gates, build_router
from handlers.admin_notices import delivery_summary
from handlers.admin_review import campaign_held
from handlers.campaign_manage import unwatched_report
from handlers.imports import resumed_reporting
from handlers.notices import notice_sender
from handlers.replies import reply_notice
from handlers.start import terms_announcement
from models import Announcement, Campaign, Channel, InboundReply, Member, NoticeKind, Platform

log = logging.getLogger(__name__)

# redis-py refuses a command outright ("Too many connections") once its pool is in use; a
# burst of webhooks handled at once lost events that way. The blocking pool has each command
# wait its turn for a connection instead, up to REDIS_WAIT seconds.
REDIS_CONNECTIONS = 100
REDIS_WAIT = 60


def connect_redis(url: str) -> Redis:
    """A client whose commands queue for the pool's connections rather than fail."""
    pool = BlockingConnectionPool.from_url(
        url, max_connections=REDIS_CONNECTIONS, timeout=REDIS_WAIT
    )
    return Redis.from_pool(pool)


@dataclass(slots=True)
class TelegramChannel:
    """aiogram's Bot (the API client) and Dispatcher (routing updates to the conversation)."""

    bot: Bot
    dispatcher: Dispatcher


class BotHandles:
    """The bot's public names on each platform (for opt-in links), asked once and kept."""

    def __init__(self, bot: Bot | None, line: LineChannel | None) -> None:
        self._bot = bot
        self._line = line
        self._known: tuple[str | None, str | None] | None = None

    async def get(self) -> tuple[str | None, str | None]:
        """The Telegram bot username and the LINE basic id (None where a channel is off)."""
        if self._known is None:
            username = (await self._bot.me()).username if self._bot is not None else None
            basic_id = None
            if self._line is not None:
                basic_id = (await self._line.messaging.get_bot_info()).basic_id
            self._known = (username, basic_id)
        return self._known


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
    engine: Engine
    senders: dict[Channel, ChannelSender]
    statuses: StatusUpdates

    @classmethod
    async def build(
        cls, settings: Settings, *, clock: Clock = utc_now, charts: ChartDrawer | None = None
    ) -> App:
        """Connect the database and Redis, and build the channels that are configured;
        `clock` and `charts` are the services' (tests give a movable clock, a broken drawer)."""
        await db.connect(settings)
        redis = connect_redis(settings.REDIS_URL) if settings.REDIS_URL else None
        storage: BaseStorage = RedisStorage(redis) if redis is not None else MemoryStorage()
        metrics = Metrics()
        i18n = I18n()
        tasks = BackgroundTasks()
        bot = build_bot(settings) if settings.telegram_enabled else None
        line = LineChannel.build(settings) if settings.line_enabled else None
        master = master_key(settings)
        sealer = Sealer.from_master(master)
        await verify_key(sealer)
        # Rows from before sealing, if any: sealed before anything reads them as sealed.
        await seal_at_start(sealer)
        hasher = KeyedHash(await data_key(master, configured=settings.DATA_KEY is not None))
        dispatch = DispatchParts.build(settings, redis, hasher=hasher, sealer=sealer)
        senders = build_senders(settings)
        operator_ids = {
            Platform.TELEGRAM: settings.ADMIN_TELEGRAM_IDS,
            Platform.LINE: settings.ADMIN_LINE_IDS,
        }

        async def tell_member(reply: InboundReply) -> None:
            # Bound after the services exist: the notifier's LINE side needs their downloads.
            member = await Member.get(id=reply.member_id)  # type: ignore[attr-defined]
            await reply.fetch_related("contact")
            readable = services.recipients.opened_reply(reply)
            text = reply_notice(i18n.translator(member.locale, member.timezone), readable)
            await notifier.send(member.id, text)

        def resumed_imports(member: Member) -> ImportReporting:
            return resumed_reporting(i18n, notifier)(member)

        async def announce_terms(member: Member) -> None:
            await terms_announcement(i18n, notifier)(member)

        async def unwatched_campaigns(member: Member, campaign: Campaign, tally: Tally) -> None:
            await unwatched_report(i18n, notifier, services.charts)(member, campaign, tally)

        async def send_notice(member: Member, kind: NoticeKind, text: str) -> int:
            return await notice_sender(i18n, notifier)(member, kind, text)

        async def pace_notices() -> None:
            # One slot of the bot's Telegram budget per member, shared with the campaigns
            # (in Redis across workers): a large membership never trips Telegram's limits.
            telegram = senders.get(Channel.TELEGRAM)
            if telegram is not None:
                await dispatch.gate.wait(Channel.TELEGRAM, telegram.account, 1)

        async def notices_delivered(announcement: Announcement, reach: Reach) -> None:
            await delivery_summary(operator_notifier)(announcement, reach)

        async def campaign_paused(campaign: Campaign) -> None:
            await campaign_held(i18n, notifier, operator_notifier)(campaign)

        services = Services.build(
            public_url=settings.public_url,
            tasks=tasks,
            handles=BotHandles(bot, line).get,
            dispatch=dispatch,
            channels=senders.keys(),
            on_reply=tell_member,
            resumed_imports=resumed_imports,
            unwatched_campaigns=unwatched_campaigns,
            usage_retention=timedelta(days=settings.RETENTION_USAGE_DAYS),
            details_retention=timedelta(days=settings.RETENTION_DETAILS_DAYS),
            hasher=hasher,
            sealer=sealer,
            announce_terms=announce_terms,
            operator_ids=operator_ids,
            notices=NoticeDelivering(
                send=send_notice, pace=pace_notices, finished=notices_delivered
            ),
            pause_limits=PauseLimits(
                opt_out_rate=settings.PAUSE_OPT_OUT_RATE,
                failure_rate=settings.PAUSE_FAILURE_RATE,
                min_sends=settings.PAUSE_MIN_SENDS,
            ),
            on_hold=campaign_paused,
            charts=charts,
            clock=clock,
        )
        notifier = MemberNotifier(bot=bot, line=line, downloads=services.downloads)
        operator_notifier = OperatorNotifier(members=notifier, i18n=i18n, operator_ids=operator_ids)
        engine = Engine(
            queue=dispatch.queue,
            senders=senders,
            gate=dispatch.gate,
            signals=dispatch.signals,
            store=dispatch.store,
            clock=clock,
            images=services.images.for_sending,
            on_finished=services.campaigns.finish,
            on_recorded=services.autopause.after_batch,
            window=settings.DISPATCH_WINDOW,
            concurrency=settings.DISPATCH_CONCURRENCY,
            orphaned_after=timedelta(seconds=settings.DISPATCH_RECLAIM_SECONDS),
        )
        conversation = Conversation(
            build_router(),
            gates=build_gates(),
            storage=storage,
            i18n=i18n,
            services=services,
            metrics=metrics,
            outbox=Outbox(members=notifier, operators=operator_notifier),
        )
        telegram = None
        if bot is not None:
            dispatcher = build_dispatcher(
                storage,
                conversation,
                on_left=services.left_channel,
                first_time=services.inbound.first_time,
            )
            telegram = TelegramChannel(bot, dispatcher)
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
            engine=engine,
            senders=senders,
            statuses=StatusUpdates(dispatch.store, clock=clock),
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
        for sender in self.senders.values():
            await sender.close()
        await self.storage.close()
        if self.redis is not None:
            await self.redis.aclose()
        await db.close()
