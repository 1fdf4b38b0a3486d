"""Telegram: campaign messages out through the Bot API, one sendMessage per recipient
(sendPhoto with the text as caption when the campaign has a picture).

The Bot API has no bulk send, so each message is its own request; they run concurrently,
capped at the session's connection limit. Every aiogram error becomes an `Outcome`:
flood control and transient failures are RETRY (the engine waits, never this sender),
a recipient who blocked or never met the bot is FAILED and unreachable.

A timeout is RETRY although Telegram may have delivered the message before the answer was
lost: the Bot API has no idempotency key, so such a retry can arrive twice. Rare, and
better than a recipient who never gets it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

import aiohttp
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods.base import Response, TelegramMethod
from aiogram.types import Message
from pydantic import BaseModel

from bot.config import Settings
from bot.platforms.telegram_session import JsonSession
from models import Channel

from .base import Image, Outcome, Outgoing, Result

log = logging.getLogger(__name__)

# Enough parallel requests to keep up with Telegram's broadcast limit (about 30 messages a
# second) when each takes up to a second, without opening a socket per recipient.
DEFAULT_CONNECTIONS = 32
# A campaign send is not worth waiting a minute for (aiogram's default): a timed-out
# message is retried later, and the worker moves on.
DEFAULT_TIMEOUT = 15.0


class SentText(BaseModel):
    """What the dispatcher keeps of a sent text message: its id (the rest is not read)."""

    message_id: int


class SendText(TelegramMethod[SentText]):
    """sendMessage with a plain text, its answer read for the message id alone.

    `Bot.send_message` reads each answer into a whole `Message` (chat, sender, text, entities)
    and builds a 20-field call: about 40 us of pydantic per send, measured, of which the
    dispatcher uses one integer. The request is the same sendMessage; errors are read as
    aiogram reads any call's (`BaseSession.check_response`)."""

    __returning__ = SentText
    __api_method__ = "sendMessage"

    chat_id: int
    text: str


# aiogram reads every answer as Response[<the method's result>], a pydantic generic class that
# pydantic keeps in a weak cache: with nothing else holding it, a garbage collection drops it
# and the next answer builds it again, schema and validator included (4% of a Telegram
# campaign's CPU). These references keep the classes alive.
_RESPONSES = (Response[SentText], Response[Message])

# The reasons Telegram gives in a 403 to a send, as short words for `error_code`.
_FORBIDDEN_REASONS = (
    ("blocked", "blocked"),
    ("deactivated", "deactivated"),
    ("kicked", "kicked"),
    ("initiate conversation", "not started"),
    ("bots can't send messages to bots", "bot"),
)
# Worth sending again later. ClientDecodeError is an unreadable answer, typically a proxy's
# HTML error page; aiogram wraps timeouts and aiohttp errors in TelegramNetworkError, the
# raw ones are listed in case a session does not.
_TRANSIENT = (
    TelegramServerError,
    TelegramNetworkError,
    ClientDecodeError,
    aiohttp.ClientError,
    TimeoutError,
)


def build_sender_bot(
    settings: Settings,
    *,
    connections: int = DEFAULT_CONNECTIONS,
    timeout: float = DEFAULT_TIMEOUT,
) -> Bot:
    """The dispatcher's own Bot: same token and server as member chat, its own session.

    Unlike the member chat's Bot it has no RetryAfterMiddleware: a 429 must reach the engine,
    which pauses the whole account, instead of holding one request while the others pile up.
    """
    token = settings.TELEGRAM_BOT_TOKEN
    if token is None:  # pragma: no cover - callers check telegram_enabled
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    session = JsonSession(
        api=TelegramAPIServer.from_base(settings.TELEGRAM_API_URL),
        limit=connections,
        timeout=timeout,
    )
    return Bot(token.get_secret_value(), session=session, default=DefaultBotProperties())


class TelegramSender:
    """Sends campaign messages from one Telegram bot; owns the Bot it is given."""

    channel = Channel.TELEGRAM

    def __init__(self, bot: Bot, *, concurrency: int = DEFAULT_CONNECTIONS) -> None:
        self._bot = bot
        # The bot id: rate limits are per bot, and it is not a secret (unlike the token).
        self.account = str(bot.id)
        # Requests queued behind a busy connection pool would spend their timeout waiting
        # for a socket and fail without having been sent; waiting here costs nothing.
        self._slots = asyncio.Semaphore(concurrency)
        # A picture Telegram fetched by its link once is sent again by the file id it got,
        # instead of being fetched for every recipient.
        self._file_ids: dict[str, str] = {}

    @classmethod
    def build(
        cls,
        settings: Settings,
        *,
        connections: int = DEFAULT_CONNECTIONS,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> TelegramSender:
        """A sender with its own Bot (see `build_sender_bot`)."""
        bot = build_sender_bot(settings, connections=connections, timeout=timeout)
        return cls(bot, concurrency=connections)

    async def close(self) -> None:
        """Close the Bot's HTTP session."""
        await self._bot.session.close()

    same_text_per_request = 1  # the Bot API has no bulk send

    def requests_for(self, messages: Sequence[Outgoing]) -> int:
        """One sendMessage per message."""
        return len(messages)

    async def send(self, messages: Sequence[Outgoing]) -> list[Outcome]:
        """Send every message concurrently; one Outcome each, in the order given."""
        return list(await asyncio.gather(*(self._send_one(message) for message in messages)))

    async def _send_one(self, message: Outgoing) -> Outcome:
        try:
            chat_id = int(message.address)
        except ValueError:
            # Not a Telegram chat id at all: no request could ever reach it.
            return _chat_not_found(message.delivery_id)
        async with self._slots:
            try:
                if message.image is None:
                    sent = await self._bot(SendText(chat_id=chat_id, text=message.text))
                else:
                    sent = await self._send_photo(chat_id, message.image, message.text)
            except (TelegramAPIError, *_TRANSIENT) as error:
                return outcome_for_error(message.delivery_id, error)
        return Outcome(message.delivery_id, Result.SENT, message_id=str(sent.message_id))

    async def _send_photo(self, chat_id: int, image: Image, caption: str) -> Message:
        photo = image.telegram_file_id or self._file_ids.get(image.url) or image.url
        sent = await self._bot.send_photo(chat_id, photo, caption=caption)
        if sent.photo and photo == image.url:
            self._file_ids[image.url] = sent.photo[-1].file_id  # the largest size
        return sent


def outcome_for_error(delivery_id: int, error: Exception) -> Outcome:
    """The Outcome of a sendMessage that raised `error`."""
    if isinstance(error, TelegramRetryAfter):
        return Outcome(delivery_id, Result.RETRY, retry_after=float(error.retry_after))
    if isinstance(error, TelegramEntityTooLarge):
        # A subclass of the network error, but sending the same thing again cannot help.
        return Outcome(delivery_id, Result.FAILED, error_code="413")
    if isinstance(error, TelegramForbiddenError):
        reason = forbidden_reason(error.message)
        return Outcome(
            delivery_id,
            Result.FAILED,
            error_code=f"403:{reason}",
            unreachable=True,
            opted_out=reason == "blocked",  # their act; a deactivated account is not
        )
    if isinstance(error, TelegramBadRequest):
        if "chat not found" in error.message.lower():
            return _chat_not_found(delivery_id)
        return Outcome(delivery_id, Result.FAILED, error_code="400")
    if isinstance(error, TelegramUnauthorizedError):
        return Outcome(delivery_id, Result.FAILED, error_code="401")
    if isinstance(error, _TRANSIENT):
        log.info(
            "telegram send to retry",
            extra={"delivery_id": delivery_id, "error": type(error).__name__},
        )
        return Outcome(delivery_id, Result.RETRY if _never_sent(error) else Result.AMBIGUOUS)
    log.warning(
        "telegram send failed with an unmapped error",
        extra={"delivery_id": delivery_id, "error": type(error).__name__},
    )
    return Outcome(delivery_id, Result.FAILED, error_code="telegram")


def _never_sent(error: Exception) -> bool:
    """Whether the request surely never reached Telegram, so sending again is safe.

    A server error is Telegram's refusal. A timeout or a dropped connection may come after
    Telegram accepted the message (the Bot API has no idempotency key): only a connection
    that never opened proves nothing was sent. aiogram wraps aiohttp's error as the cause.
    """
    if isinstance(error, TelegramServerError | ClientDecodeError):
        return True
    cause = error if isinstance(error, aiohttp.ClientError) else error.__cause__
    return isinstance(cause, aiohttp.ClientConnectorError)


def forbidden_reason(description: str) -> str:
    """A short word for why Telegram refuses to deliver ("blocked", "deactivated", ...)."""
    lowered = description.lower()
    for fragment, reason in _FORBIDDEN_REASONS:
        if fragment in lowered:
            return reason
    return "forbidden"


def _chat_not_found(delivery_id: int) -> Outcome:
    # The person never started the bot (or the id is wrong): this bot can never write to them.
    return Outcome(delivery_id, Result.FAILED, error_code="400:chat not found", unreachable=True)
