"""Runs one incoming event through the router: identify, authorise, dispatch, contain errors."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import BaseStorage

from bot.conversation.context import Context
from bot.conversation.events import EventKind, Incoming
from bot.conversation.responder import Responder
from bot.conversation.router import ANY_STATE, Access, Handler, Router
from bot.i18n import I18n
from bot.metrics import Metrics
from bot.services import Services
from models import MemberStatus

if TYPE_CHECKING:
    from bot.notify import Outbox

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Gates:
    """Handlers for events that may not reach their route, and for unexpected failures."""

    unregistered: Handler  # someone who never sent /start
    onboarding: Handler  # a member who has not accepted the current terms yet
    deleted: Handler  # a member who deleted the account: only /restore and /mydata are open
    # Someone who is not an operator reached an operator's route: answered as if it did not
    # exist (an unknown command, a stale button), so the route is not even revealed.
    not_operator: Handler
    failure: Handler  # a handler raised: apologise, never show a traceback
    # Someone who is not a working member wrote text: a recipient's reply (STOP...) is
    # answered there, never with menus. False: not a recipient either, carry on.
    recipient: Callable[[Context], Awaitable[bool]] | None = None
    # A member the operator suspended: only the account's own routes (/appeal, /mydata,
    # /deleteaccount) are open; anything else answers why and how to appeal.
    suspended: Handler | None = None


def reply_text(event: Incoming) -> str | None:
    """What a recipient wrote, if the event may be a reply: a text, or a bare word LINE reads
    as a command ("start", "help" typed alone). Commands with arguments are not: LINE's
    "start <token>" and Telegram's "/start <token>" are opt-in links."""
    if event.kind is EventKind.TEXT:
        return event.text
    if event.kind is EventKind.COMMAND and event.platform == "line" and not event.text:
        return event.command
    return None


class _KeyedLocks:
    """One lock per chat user, so one person's events are handled in the order they came.

    Platforms deliver webhooks concurrently; without this a fast double tap could run two
    dialog steps against the same state at once. Locks are dropped when nobody waits.
    """

    def __init__(self) -> None:
        self._locks: dict[Hashable, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key: Hashable) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


class Conversation:
    """The member conversation, shared by the Telegram and LINE adapters."""

    def __init__(
        self,
        router: Router,
        *,
        gates: Gates,
        storage: BaseStorage,
        i18n: I18n,
        services: Services,
        metrics: Metrics,
        outbox: Outbox,
    ) -> None:
        self._router = router
        self._gates = gates
        self._storage = storage
        self._i18n = i18n
        self._services = services
        self._metrics = metrics
        self._outbox = outbox
        self._locks = _KeyedLocks()

    async def handle(self, event: Incoming, responder: Responder) -> None:
        """Answer one event; errors are logged by id and answered with an apology."""
        self._metrics.conversation_events.labels(event.platform, event.kind).inc()
        async with self._locks.hold((event.platform, event.user_id)):
            ctx = await self._context(event, responder)
            try:
                if await self._recipient_reply(ctx):
                    return
                handler = await self._choose(ctx)
                await handler(ctx)
            except Exception:
                self._metrics.handler_failures.labels(event.platform).inc()
                log.exception(
                    "handler failed",
                    extra={
                        "platform": event.platform,
                        "account_id": ctx.account and ctx.account.id,
                    },
                )
                await self._gates.failure(ctx)

    async def _context(self, event: Incoming, responder: Responder) -> Context:
        account = await self._services.members.find_account(event.platform, event.user_id)
        member = account.member if account is not None else None
        translator = self._i18n.translator(
            member.locale if member else event.language_code,
            member.timezone if member else None,
        )
        return Context(
            event=event,
            account=account,
            t=translator,
            state=FSMContext(self._storage, event.dialog_key),
            reply=responder,
            services=self._services,
            i18n=self._i18n,
            outbox=self._outbox,
        )

    async def _recipient_reply(self, ctx: Context) -> bool:
        member = ctx.member
        if self._gates.recipient is None or reply_text(ctx.event) is None:
            return False
        if member is not None and self._services.members.may_use_service(member):
            return False
        if await self._meant_for_us(ctx):
            return False
        return await self._gates.recipient(ctx)

    async def _meant_for_us(self, ctx: Context) -> bool:
        """Whether a text from someone who is not a working member is meant for us: a
        command or a dialog open to them (/appeal typed alone on LINE, an appeal being
        written, an operator typing in an /admin dialog: a search, a notice, numbers), not a
        recipient's reply to a campaign, even when they are on somebody's list."""
        state = await ctx.state.get_state()
        route = self._router.resolve(ctx.event, state)
        if route is None:
            return False
        if route.access is Access.OPERATOR:
            return self._services.operators.is_operator(ctx.event.platform, ctx.event.user_id)
        if route.access is not Access.ACCOUNT or ctx.member is None:
            return False
        return ctx.event.kind is EventKind.COMMAND or route.state != ANY_STATE

    async def _choose(self, ctx: Context) -> Handler:
        route = self._router.resolve(ctx.event, await ctx.state.get_state())
        if route is None:
            raise LookupError("the router has no catch-all route")
        if route.access is Access.OPERATOR:
            operators = self._services.operators
            if operators.is_operator(ctx.event.platform, ctx.event.user_id):
                return route.handler
            return self._gates.not_operator
        member = ctx.member
        if member is not None and member.status is MemberStatus.DELETED:
            # Before ANYONE: a deleted account's /start and stray messages are answered with
            # how to restore it, never with onboarding or menus.
            return route.handler if route.access is Access.ACCOUNT else self._gates.deleted
        if (
            member is not None
            and member.status is MemberStatus.SUSPENDED
            and self._gates.suspended is not None
        ):
            # Before ANYONE and REGISTERED too: /start and accepting the terms must not
            # bring a suspended member back in.
            return route.handler if route.access is Access.ACCOUNT else self._gates.suspended
        if route.access is Access.ANYONE:
            return route.handler
        if member is None:
            return self._gates.unregistered
        if route.access is Access.ACCOUNT:
            return route.handler
        if route.access is Access.MEMBER and not self._services.members.may_use_service(member):
            return self._gates.onboarding
        return route.handler
