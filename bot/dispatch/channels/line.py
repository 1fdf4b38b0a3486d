"""LINE: campaign messages out through the Messaging API, identical texts as multicasts.

A multicast carries one message to up to 500 users for the price of one request, so the
messages of a `send` call are grouped by text. Every request carries an X-Line-Retry-Key
derived from the delivery ids it carries: when a request is sent again (after a timeout or a
crash) LINE answers 409 instead of delivering twice, and 409 counts as sent. A campaign's
picture goes as an image message before the text, in the same request.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp
from linebot.v3.messaging import (
    ApiException,
    AsyncApiClient,
    AsyncMessagingApi,
    Configuration,
    ImageMessage,
    MulticastRequest,
    PushMessageRequest,
    TextMessage,
)

from bot.config import Settings
from models import Channel

from .base import Image, Outcome, Outgoing, Result

log = logging.getLogger(__name__)

# The Messaging API's limit of user ids per multicast.
MAX_MULTICAST_RECIPIENTS = 500
DEFAULT_CONNECTIONS = 16
# The SDK waits five minutes by default; a stuck request is better retried under its key.
DEFAULT_TIMEOUT = 20.0
# LINE answers 429 without Retry-After; a second is a pause that clears short bursts.
DEFAULT_RETRY_AFTER = 1.0
# Any fixed namespace will do; it must never change, or keys of in-flight work change.
RETRY_KEY_NAMESPACE = uuid.UUID("3f0d7a52-6f1e-5c7b-9a59-1f2b0c8e4d61")
_USER_ID = re.compile(r"U[0-9a-f]{32}")


@dataclass(frozen=True, slots=True)
class LineRequest:
    """One planned API call: a push when it carries one message, else a multicast."""

    text: str
    messages: tuple[Outgoing, ...]
    image: Image | None = None

    @property
    def is_push(self) -> bool:
        """A lone message goes as a push, whose answer names the sent message."""
        return len(self.messages) == 1

    @property
    def retry_key(self) -> str:
        """The same deliveries always give the same key, across retries and restarts."""
        ids = ",".join(str(message.delivery_id) for message in self.messages)
        return str(uuid.uuid5(RETRY_KEY_NAMESPACE, ids))

    def line_messages(self) -> list[ImageMessage | TextMessage]:
        """The request's messages: the picture, if any, then the text."""
        text = TextMessage(text=self.text)
        if self.image is None:
            return [text]
        picture = ImageMessage(
            originalContentUrl=self.image.url, previewImageUrl=self.image.preview_url
        )
        return [picture, text]


def plan_requests(messages: Sequence[Outgoing]) -> list[LineRequest]:
    """Group messages into requests: by delivery id, identical texts together, 500 at most.

    Deterministic, so that the same messages sent again form the same requests with the
    same retry keys. Messages whose address is not a LINE user id are left out.
    """
    by_content: dict[tuple[str, Image | None], list[Outgoing]] = {}
    for message in sorted(messages, key=lambda message: message.delivery_id):
        if _USER_ID.fullmatch(message.address):
            by_content.setdefault((message.text, message.image), []).append(message)
    return [
        LineRequest(text, tuple(group[start : start + MAX_MULTICAST_RECIPIENTS]), image)
        for (text, image), group in by_content.items()
        for start in range(0, len(group), MAX_MULTICAST_RECIPIENTS)
    ]


class LineSender:
    """Sends campaign messages from one LINE channel; owns the SDK client it is given."""

    channel = Channel.LINE

    def __init__(
        self,
        messaging: AsyncMessagingApi,
        *,
        account: str,
        connections: int = DEFAULT_CONNECTIONS,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self._messaging = messaging
        self.account = account
        self._timeout = timeout
        # The SDK's timeout counts the wait for a pooled connection; a multicast queued
        # behind others would time out unsent. Waiting for a slot here is not timed.
        self._slots = asyncio.Semaphore(connections)

    @classmethod
    def build(
        cls,
        settings: Settings,
        *,
        account: str,
        connections: int = DEFAULT_CONNECTIONS,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> LineSender:
        """A sender with its own client on the configured API host (real or sandbox).

        `account` names the channel for the rate limiter, e.g. the bot's user id from
        GET /v2/bot/info: it must be the same in every process that sends for the channel.
        """
        token = settings.LINE_CHANNEL_ACCESS_TOKEN
        if token is None:  # pragma: no cover - callers check that LINE is configured
            raise ValueError("LINE_CHANNEL_ACCESS_TOKEN is not set")
        configuration = Configuration(
            host=settings.LINE_API_URL, access_token=token.get_secret_value()
        )
        configuration.connection_pool_maxsize = connections
        messaging = AsyncMessagingApi(AsyncApiClient(configuration))
        return cls(messaging, account=account, connections=connections, timeout=timeout)

    async def close(self) -> None:
        """Close the SDK client's HTTP session."""
        await self._messaging.api_client.close()

    same_text_per_request = MAX_MULTICAST_RECIPIENTS

    def requests_for(self, messages: Sequence[Outgoing]) -> int:
        """Multicasts plus pushes that `send` makes for these messages."""
        return len(plan_requests(messages))

    async def send(self, messages: Sequence[Outgoing]) -> list[Outcome]:
        """Send every planned request concurrently; one Outcome per message."""
        # Not a LINE user id: LINE would refuse it with a 400, and in a multicast that 400
        # would fail every other recipient of the request with it. Refuse it here instead.
        outcomes = [
            Outcome(message.delivery_id, Result.FAILED, error_code="400", unreachable=True)
            for message in messages
            if not _USER_ID.fullmatch(message.address)
        ]
        answers = await asyncio.gather(
            *(self._send(request) for request in plan_requests(messages))
        )
        for request_outcomes in answers:
            outcomes.extend(request_outcomes)
        return outcomes

    async def _send(self, request: LineRequest) -> list[Outcome]:
        async with self._slots:
            return await self._request(request)

    async def _request(self, request: LineRequest) -> list[Outcome]:
        try:
            if request.is_push:
                message_id = await self._push(request)
            else:
                await self._multicast(request)
                message_id = None
        except ApiException as error:
            return outcomes_for_error(request, error)
        except (aiohttp.ClientError, TimeoutError) as error:
            log.info(
                "line request to retry",
                extra={"retry_key": request.retry_key, "error": type(error).__name__},
            )
            return _each(request, Result.RETRY)
        return _each(request, Result.SENT, message_id=message_id)

    async def _push(self, request: LineRequest) -> str | None:
        response = await self._messaging.push_message(
            PushMessageRequest(
                to=request.messages[0].address,
                messages=request.line_messages(),  # type: ignore[arg-type]
            ),
            x_line_retry_key=request.retry_key,
            _request_timeout=self._timeout,
        )
        return response.sent_messages[0].id if response.sent_messages else None

    async def _multicast(self, request: LineRequest) -> None:
        # A multicast answers {} and says nothing per user: accepted means sent to all.
        await self._messaging.multicast(
            MulticastRequest(
                to=[message.address for message in request.messages],
                messages=request.line_messages(),  # type: ignore[arg-type]
            ),
            x_line_retry_key=request.retry_key,
            _request_timeout=self._timeout,
        )


def outcomes_for_error(request: LineRequest, error: ApiException) -> list[Outcome]:
    """The Outcomes of a request LINE answered with an error status."""
    status = error.status or 0
    if status == 409:
        # The retry key was accepted before: an earlier attempt went through.
        return _each(request, Result.SENT, message_id=_accepted_message_id(error))
    if status == 429:
        return _each(request, Result.RETRY, retry_after=_retry_after(error))
    if status >= 500:
        return _each(request, Result.RETRY)
    log.info("line request refused", extra={"retry_key": request.retry_key, "status": status})
    # A multicast's 400 does not say which of its users was wrong, so none is blamed.
    unreachable = status == 400 and request.is_push and _blames_recipient(_body(error))
    return _each(request, Result.FAILED, error_code=str(status), unreachable=unreachable)


def _blames_recipient(body: dict[str, Any]) -> bool:
    """Whether a push's 400 is about the user id rather than the message.

    LINE refuses an unknown user with a bare message ("Failed to send messages"); a bad
    message comes with `details` naming the properties at fault (messages[0].text, ...).
    """
    details = body.get("details")
    if not isinstance(details, list) or not details:
        return True
    return any(isinstance(item, dict) and item.get("property") == "to" for item in details)


def _each(
    request: LineRequest,
    result: Result,
    *,
    message_id: str | None = None,
    error_code: str | None = None,
    unreachable: bool = False,
    retry_after: float | None = None,
) -> list[Outcome]:
    """The same Outcome for every message of a request."""
    return [
        Outcome(
            message.delivery_id,
            result,
            message_id=message_id,
            error_code=error_code,
            unreachable=unreachable,
            retry_after=retry_after,
        )
        for message in request.messages
    ]


def _retry_after(error: ApiException) -> float:
    value = (error.headers or {}).get("Retry-After")
    try:
        return max(float(value), DEFAULT_RETRY_AFTER) if value else DEFAULT_RETRY_AFTER
    except ValueError:  # an HTTP date, which LINE does not send: the default will do
        return DEFAULT_RETRY_AFTER


def _accepted_message_id(error: ApiException) -> str | None:
    """The sent message id a 409 carries for a push LINE had already accepted, if any."""
    sent = _body(error).get("sentMessages")
    if isinstance(sent, list) and sent and isinstance(sent[0], dict) and "id" in sent[0]:
        return str(sent[0]["id"])
    return None


def _body(error: ApiException) -> dict[str, Any]:
    """The JSON object of an error answer; empty when there is none."""
    try:
        body = json.loads(error.body or b"{}")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
