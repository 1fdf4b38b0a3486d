"""The sandbox: Telegram, LINE and WhatsApp stand-ins served by one aiohttp application.

Members try Broadside, and the tests drive the bot, without touching real people: the bot
points its real clients at `bot_environment(base_url)` and the sandbox answers like the
platforms do, checking every request against the platforms' own specs. Everything lives
in memory; nothing is shared between two Sandbox objects.

    sandbox = Sandbox()
    runner = web.AppRunner(sandbox.app)            # serve it on 127.0.0.1
    env = sandbox.bot_environment("http://127.0.0.1:8081")
    sandbox.connect_bot("http://127.0.0.1:8080")   # where LINE/WhatsApp webhooks go
    await sandbox.telegram.send_text(1001, "/start")
    reply = await sandbox.telegram.next_message(1001)
    ...
    await sandbox.close()
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine, Mapping
from datetime import UTC, datetime
from typing import Any

import aiohttp
from aiohttp import web

from .console import Console
from .credentials import SandboxCredentials
from .faults import Faults
from .inbox import Changes, Journal
from .line import LineStandIn
from .line_api import LineApi
from .records import Call, Delivery, Platform, SentMessage
from .specs import LineSpec, TelegramSpec, WhatsAppSpec
from .telegram import TelegramStandIn
from .telegram_api import TelegramApi
from .telegram_limits import FloodControl, TelegramLimits
from .whatsapp import WhatsAppStandIn

__all__ = [
    "Call",
    "Delivery",
    "Sandbox",
    "SandboxCredentials",
    "SentMessage",
    "TelegramLimits",
]

# Telegram lets bots upload 50 MB; aiohttp's default request limit is 1 MiB.
MAX_REQUEST_BYTES = 50 * 1024 * 1024
# How long the sandbox waits for the bot to answer one webhook delivery.
DELIVERY_TIMEOUT = 15.0


class Specs:
    """The platforms' API specs, each loaded on first use (the loaders cache per process)."""

    def __init__(self) -> None:
        self._telegram: TelegramSpec | None = None
        self._line: LineSpec | None = None
        self._whatsapp: WhatsAppSpec | None = None

    @property
    def telegram(self) -> TelegramSpec:
        """The Telegram Bot API schema."""
        if self._telegram is None:
            self._telegram = TelegramSpec.load()
        return self._telegram

    @property
    def line(self) -> LineSpec:
        """The LINE Messaging API and webhook specs."""
        if self._line is None:
            self._line = LineSpec.load()
        return self._line

    @property
    def whatsapp(self) -> WhatsAppSpec:
        """The WhatsApp Cloud API spec."""
        if self._whatsapp is None:
            self._whatsapp = WhatsAppSpec.load()
        return self._whatsapp


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Sandbox:
    """Stand-ins for the three platform APIs, their users, and injected faults.

    `calls` records every request the bot made, `violations` every way one broke a
    platform spec (a test fixture should fail on any), `deliveries` every webhook POST
    to the bot. `clock` is any callable returning an aware datetime; replace it with a
    movable clock to expire reply tokens or retry keys without waiting.

    `telegram_limits` turns on Telegram's flood control (telegram_limits.py): messages past
    30 a second per bot, or one a second per chat, are answered 429 as Telegram answers them;
    `telegram_flood` counts them. Off by default. Its window follows `clock` too.
    """

    def __init__(
        self,
        credentials: SandboxCredentials | None = None,
        *,
        seed: int = 0,
        clock: Callable[[], datetime] | None = None,
        telegram_limits: TelegramLimits | None = None,
    ) -> None:
        self.credentials = credentials or SandboxCredentials()
        self.telegram_flood = FloodControl(telegram_limits) if telegram_limits else None
        self.clock: Callable[[], datetime] = clock or _utc_now
        self.faults = Faults(seed=seed)
        self.specs = Specs()
        self.calls: list[Call] = []
        self.violations: list[str] = []
        self.deliveries: list[Delivery] = []
        self.journal = Journal()
        self.changes = Changes()
        self.closing = False
        self.bot_base_url: str | None = None
        self._closing = asyncio.Event()
        self._call_cursors: dict[tuple[str, str], int] = {}
        self._session: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self.telegram = TelegramStandIn(self)
        self.line = LineStandIn(self)
        self.whatsapp = WhatsAppStandIn(self)
        self.app = self._build_app()

    def _build_app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_REQUEST_BYTES)
        TelegramApi(self.telegram).register(app.router)
        LineApi(self.line).register(app.router)
        self.whatsapp.register(app.router)
        Console(self).register(app.router)
        app.on_shutdown.append(self._on_shutdown)
        return app

    def now(self) -> datetime:
        """The sandbox's current time (aware)."""
        return self.clock()

    def bot_environment(self, sandbox_base_url: str) -> dict[str, str]:
        """The bot's environment variables for talking to this sandbox at that URL."""
        base = sandbox_base_url.rstrip("/")
        creds = self.credentials
        return {
            "TELEGRAM_BOT_TOKEN": creds.telegram_token,
            "TELEGRAM_API_URL": f"{base}/telegram",
            "TELEGRAM_WEBHOOK_SECRET": creds.telegram_webhook_secret,
            "LINE_CHANNEL_SECRET": creds.line_channel_secret,
            "LINE_CHANNEL_ACCESS_TOKEN": creds.line_access_token,
            "LINE_API_URL": f"{base}/line",
            "LINE_DATA_API_URL": f"{base}/line-data",
            "WHATSAPP_TOKEN": creds.whatsapp_token,
            "WHATSAPP_PHONE_NUMBER_ID": creds.whatsapp_phone_number_id,
            "WHATSAPP_APP_SECRET": creds.whatsapp_app_secret,
            "WHATSAPP_VERIFY_TOKEN": creds.whatsapp_verify_token,
            "WHATSAPP_API_URL": f"{base}/whatsapp/v23.0",
        }

    def connect_bot(self, bot_base_url: str) -> None:
        """Where the bot serves its webhooks (LINE and WhatsApp events are POSTed there)."""
        self.bot_base_url = bot_base_url.rstrip("/")

    def webhook_url(self, platform: Platform) -> str:
        """The bot's webhook URL for a platform; RuntimeError if there is none yet."""
        if platform == "telegram":
            url = self.telegram.webhook.url
            if not url:
                raise RuntimeError("the bot has not called setWebhook")
            return url
        if self.bot_base_url is None:
            raise RuntimeError("call connect_bot() first: the sandbox does not know the bot's URL")
        return f"{self.bot_base_url}/webhooks/{platform}"

    def record_call(
        self,
        platform: Platform,
        method: str,
        params: Any,
        status: int,
        *,
        fault: str | None = None,
        response: Any = None,
        at: datetime | None = None,
    ) -> Call:
        """Note one request the bot made (`at` its arrival; default now) and wake anyone
        waiting for it."""
        call = Call(platform, method, params, status, at or self.now(), fault, response)
        self.calls.append(call)
        self.changes.notify()
        return call

    def add_violation(self, platform: Platform, what: str, problems: list[str]) -> str:
        """Note that a request broke the spec; returns the one-line description."""
        text = f"{platform} {what}: " + "; ".join(problems)
        self.violations.append(text)
        return text

    async def wait_for_call(self, platform: Platform, method: str, *, timeout: float = 5.0) -> Call:  # noqa: ASYNC109 - a bounded wait callers tune
        """The next call to `method` on `platform` not yet returned here (a cursor per method).

        `method` is a Telegram method name (any case), or "VERB /path" or "/path" for LINE
        and WhatsApp. AssertionError if none comes within `timeout` seconds.
        """
        wanted = method.lower()
        key = (platform, wanted)

        def probe() -> Call | None:
            for index in range(self._call_cursors.get(key, 0), len(self.calls)):
                call = self.calls[index]
                name = call.method.lower()
                if call.platform == platform and wanted in (name, name.partition(" ")[2]):
                    self._call_cursors[key] = index + 1
                    return call
            return None

        try:
            return await self.changes.wait_for(probe, timeout=timeout)
        except TimeoutError:
            seen = [call.method for call in self.calls if call.platform == platform][-10:]
            raise AssertionError(
                f"no {platform} call to {method} within {timeout} s; latest calls: {seen}"
            ) from None

    def _client(self) -> aiohttp.ClientSession:
        # Created on first use: a ClientSession must be made inside the running loop.
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=DELIVERY_TIMEOUT)
            )
        return self._session

    async def deliver(
        self,
        platform: Platform,
        url: str,
        body: bytes,
        headers: Mapping[str, str],
        *,
        method: str = "POST",
    ) -> Delivery:
        """Send one webhook request to the bot and record how it answered.

        An unreachable bot is recorded (status None), not raised: the platforms do not
        fail when a bot is down, and tests check `deliveries`.
        """
        delivery = Delivery(platform, url, body, self.now())
        try:
            async with self._client().request(
                method, url, data=body if method != "GET" else None, headers=dict(headers)
            ) as response:
                delivery.status = response.status
                delivery.response = await response.text()
        except (aiohttp.ClientError, TimeoutError) as error:
            delivery.error = f"{type(error).__name__}: {error}"
        self.deliveries.append(delivery)
        self.changes.notify()
        return delivery

    async def deliver_raw(
        self,
        platform: Platform,
        body: bytes,
        headers: Mapping[str, str] | None = None,
        *,
        url: str | None = None,
    ) -> Delivery:
        """POST any body (forged, unsigned, replayed) to the bot's webhook for `platform`."""
        target = url or self.webhook_url(platform)
        return await self.deliver(platform, target, body, headers or {})

    def explain_silence(
        self, platform: Platform, chat: object, timeout: float, inbox: list[SentMessage]
    ) -> str:
        """Why a test may have waited in vain for a bot message: the chat so far, webhook
        deliveries the bot refused, and spec violations (a refused send never arrives)."""
        recent = [message.text for message in inbox[-5:]]
        failed = [
            f"{d.url} -> {d.status if d.status is not None else d.error}"
            for d in self.deliveries
            if d.platform == platform and not d.ok
        ][-5:]
        lines = [
            f"no new bot message in {platform} chat {chat} within {timeout} s",
            f"  latest messages in the chat: {recent}",
        ]
        if failed:
            lines.append(f"  webhook deliveries the bot did not accept: {failed}")
        if self.violations:
            lines.append(f"  spec violations: {self.violations[-5:]}")
        return "\n".join(lines)

    async def hold(self, seconds: float) -> None:
        """Wait `seconds`, or less if the sandbox closes first (for timeout faults)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), seconds)

    def spawn(self, coroutine: Coroutine[Any, Any, Any]) -> None:
        """Run background work (e.g. flushing queued updates) that close() will cancel."""
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _wake(self) -> None:
        self.closing = True
        self._closing.set()
        self.changes.notify()
        self.telegram.updates_changed.notify()

    async def _on_shutdown(self, _app: web.Application) -> None:
        # Long polls and held requests must end before aiohttp waits for its handlers.
        self._wake()

    async def close(self) -> None:
        """Release everything: wake long polls and held requests, stop background work,
        close the webhook client session. Safe to call twice."""
        self._wake()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None
