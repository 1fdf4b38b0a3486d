"""WhatsApp: campaign messages out through the Cloud API, one POST per recipient.

Business-initiated conversations need an approved template; a plain text only reaches
someone who wrote to the business in the last 24 hours (Meta refuses it with 131047).
Graph errors carry a numeric code that says more than the HTTP status: the tables below
turn the codes into outcomes. As on Telegram, a send whose answer was lost (a timeout, a
dropped connection) is AMBIGUOUS: Meta may have accepted it, and the Cloud API has no
idempotency key to make a second try safe. Only a connection that never opened is RETRY.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

import aiohttp
from pydantic import SecretStr

from bot.config import Settings
from models import Channel

from .base import Image, Outcome, Outgoing, Result, Template

log = logging.getLogger(__name__)

DEFAULT_CONNECTIONS = 32
DEFAULT_TIMEOUT = 20.0
# Meta rarely sends Retry-After; a second lets the per-second throughput limit clear.
DEFAULT_RETRY_AFTER = 1.0

# Throughput and pair rate limits (130429, 131056, 80007, 4): wait, then send again.
RATE_LIMIT_CODES = frozenset({4, 80007, 130429, 131056})
# Meta's own transient failures: 1 unknown, 2 service unavailable, 131000 "something went wrong".
TRANSIENT_CODES = frozenset({1, 2, 131000})
# The recipient cannot be reached on WhatsApp: not a WhatsApp number (131026), or they
# stopped this business's marketing messages (131050). 131049 (ecosystem limit), 131047
# (outside the 24-hour window) and the template errors (132000, 132001) are about the
# message or the moment, not the person, so those are failures without `unreachable`.
UNREACHABLE_CODES = frozenset({131026, 131050})
STOPPED_MARKETING = 131050  # the person's own choice: an opt-out from this business


def message_body(message: Outgoing) -> dict[str, Any]:
    """The /messages request for one message: its template if it has one, else its picture
    with the text as caption, else a text."""
    body: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": message.address,
    }
    if message.template is None and message.image is not None:
        return {
            **body,
            "type": "image",
            "image": {"link": message.image.url, "caption": message.text},
        }
    if message.template is None:
        # No preview: a campaign link should not unfold into someone else's page card.
        return {**body, "type": "text", "text": {"preview_url": False, "body": message.text}}
    template = template_object(message.template, image=message.image)
    return {**body, "type": "template", "template": template}


def template_object(template: Template, *, image: Image | None = None) -> dict[str, Any]:
    """The `template` object: name, language, the picture as the header's image parameter
    (the template must have an image header) and the body's text parameters in order."""
    rendered: dict[str, Any] = {
        "name": template.name,
        # The only policy the Cloud API knows; it is required nonetheless.
        "language": {"code": template.language, "policy": "deterministic"},
    }
    components: list[dict[str, Any]] = []
    if image is not None:
        header = [{"type": "image", "image": {"link": image.url}}]
        components.append({"type": "header", "parameters": header})
    if template.parameters:
        parameters = [{"type": "text", "text": value} for value in template.parameters]
        components.append({"type": "body", "parameters": parameters})
    if components:
        rendered["components"] = components
    return rendered


class WhatsAppSender:
    """Sends campaign messages from one WhatsApp business phone number.

    Owns an aiohttp session, opened on the first send (a session belongs to the running
    event loop) and closed by `close()`.
    """

    channel = Channel.WHATSAPP

    def __init__(
        self,
        *,
        api_url: str,
        phone_number_id: str,
        token: SecretStr,
        connections: int = DEFAULT_CONNECTIONS,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.account = phone_number_id
        self._url = f"{api_url.rstrip('/')}/{phone_number_id}/messages"
        self._token = token
        self._connections = connections
        self._timeout = timeout
        self._session: aiohttp.ClientSession | None = None
        # A request queued behind a busy connection pool would spend its timeout waiting
        # for a socket and come back RETRY without having been sent; waiting here is free.
        self._slots = asyncio.Semaphore(connections)

    @classmethod
    def build(
        cls,
        settings: Settings,
        *,
        connections: int = DEFAULT_CONNECTIONS,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> WhatsAppSender:
        """A sender for the configured phone number and Graph API base (real or sandbox)."""
        if settings.WHATSAPP_TOKEN is None or settings.WHATSAPP_PHONE_NUMBER_ID is None:
            raise ValueError("WhatsApp is not configured")  # pragma: no cover - callers check
        return cls(
            api_url=settings.WHATSAPP_API_URL,
            phone_number_id=settings.WHATSAPP_PHONE_NUMBER_ID,
            token=settings.WHATSAPP_TOKEN,
            connections=connections,
            timeout=timeout,
        )

    async def close(self) -> None:
        """Close the HTTP session, if one was opened."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    same_text_per_request = 1

    def requests_for(self, messages: Sequence[Outgoing]) -> int:
        """One POST per message."""
        return len(messages)

    async def send(self, messages: Sequence[Outgoing]) -> list[Outcome]:
        """Send every message concurrently; one Outcome each, in the order given."""
        return list(await asyncio.gather(*(self._send_one(message) for message in messages)))

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections),
                timeout=aiohttp.ClientTimeout(total=self._timeout),
                headers={"Authorization": f"Bearer {self._token.get_secret_value()}"},
            )
        return self._session

    async def _send_one(self, message: Outgoing) -> Outcome:
        try:
            async with (
                self._slots,
                self._client().post(self._url, json=message_body(message)) as response,
            ):
                payload = await _json(response)
                status, retry_after = response.status, response.headers.get("Retry-After")
        except (aiohttp.ClientError, TimeoutError) as error:
            never_sent = isinstance(error, aiohttp.ClientConnectorError)
            log.info(
                "whatsapp send without an answer",
                extra={"delivery_id": message.delivery_id, "error": type(error).__name__},
            )
            return Outcome(message.delivery_id, Result.RETRY if never_sent else Result.AMBIGUOUS)
        if 200 <= status < 300:
            return Outcome(message.delivery_id, Result.SENT, message_id=_message_id(payload))
        return outcome_for_error(message.delivery_id, status, payload, retry_after=retry_after)


def outcome_for_error(
    delivery_id: int, status: int, payload: Any, *, retry_after: str | None = None
) -> Outcome:
    """The Outcome of a /messages request Graph answered with `status` and error `payload`."""
    error = payload.get("error") if isinstance(payload, dict) else None
    error = error if isinstance(error, dict) else {}
    code = error.get("code") if isinstance(error.get("code"), int) else None
    if status == 429 or code in RATE_LIMIT_CODES:
        return Outcome(delivery_id, Result.RETRY, retry_after=_seconds(retry_after))
    if status >= 500 or code in TRANSIENT_CODES or error.get("is_transient") is True:
        return Outcome(delivery_id, Result.RETRY)
    log.info(
        "whatsapp send refused",
        extra={"delivery_id": delivery_id, "status": status, "error_code": code},
    )
    return Outcome(
        delivery_id,
        Result.FAILED,
        error_code=str(code if code is not None else status),
        unreachable=code in UNREACHABLE_CODES,
        opted_out=code == STOPPED_MARKETING,
    )


async def _json(response: aiohttp.ClientResponse) -> Any:
    """The decoded body, or None when it is not JSON (a proxy's error page)."""
    try:
        return await response.json(content_type=None)
    except ValueError:
        return None


def _message_id(payload: Any) -> str | None:
    try:
        return str(payload["messages"][0]["id"])
    except (TypeError, KeyError, IndexError):
        return None


def _seconds(header: str | None) -> float:
    """Retry-After in seconds; Meta's answers rarely carry it, so one second by default."""
    try:
        return max(float(header), DEFAULT_RETRY_AFTER) if header else DEFAULT_RETRY_AFTER
    except ValueError:
        return DEFAULT_RETRY_AFTER
