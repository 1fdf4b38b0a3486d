"""WhatsApp Cloud API: webhook verification and signature, and the shape of what arrives.

Members never chat with Broadside on WhatsApp; only recipients do (replies, STOP, delivery
statuses). This adapter checks and reads those webhooks.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from bot.platforms import MalformedWebhook

SIGNATURE_HEADER = "X-Hub-Signature-256"
STATUSES = ("sent", "delivered", "read", "failed")


def verify_handshake(query: Mapping[str, str], verify_token: str) -> str | None:
    """The challenge to echo when Meta's subscription handshake carries our verify token."""
    if query.get("hub.mode") != "subscribe":
        return None
    if not hmac.compare_digest(query.get("hub.verify_token", "").encode(), verify_token.encode()):
        return None
    return query.get("hub.challenge")


def signature_valid(body: bytes, header: str | None, app_secret: bytes) -> bool:
    """Whether X-Hub-Signature-256 is the HMAC-SHA256 of the raw body with the app secret."""
    if not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret, body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(header.removeprefix("sha256=").encode(), expected.encode())


def parse_body(body: bytes) -> list[dict[str, Any]]:
    """The change `value` objects of a signed webhook body; MalformedWebhook if it is no JSON.

    Valid JSON of any other shape is not an error: what is not a change is skipped, as Meta
    adds fields and kinds of change over time.
    """
    try:
        payload = json.loads(body)
    # RecursionError: a megabyte of "[" nests deeper than the JSON decoder can follow.
    except (ValueError, RecursionError) as error:
        raise MalformedWebhook("whatsapp: not JSON") from error
    return list(changes(payload))


def _dicts(container: Any, key: str) -> Iterator[dict[str, Any]]:
    """The objects in the list `container[key]`; nothing when either is of another type."""
    items = container.get(key) if isinstance(container, dict) else None
    if isinstance(items, list):
        yield from (item for item in items if isinstance(item, dict))


def changes(payload: Any) -> Iterator[dict[str, Any]]:
    """The `value` objects of a webhook payload, tolerating anything malformed by skipping it."""
    if not isinstance(payload, dict) or payload.get("object") != "whatsapp_business_account":
        return
    for entry in _dicts(payload, "entry"):
        for change in _dicts(entry, "changes"):
            value = change.get("value")
            if isinstance(value, dict):
                yield value


def count(value: dict[str, Any], key: str) -> int:
    """How many objects the list `value[key]` holds (for logs), whatever `value[key]` is."""
    return sum(1 for _ in _dicts(value, key))


@dataclass(frozen=True, slots=True)
class StatusUpdate:
    """What WhatsApp says became of a message we sent: sent, delivered, read or failed."""

    message_id: str
    status: str
    error_code: int | None = None


def statuses(value: dict[str, Any]) -> Iterator[StatusUpdate]:
    """The status updates of one change `value`, skipping malformed entries."""
    for entry in _dicts(value, "statuses"):
        message_id, status = entry.get("id"), entry.get("status")
        if not isinstance(message_id, str) or status not in STATUSES:
            continue
        first_error = next(_dicts(entry, "errors"), {})
        code = first_error.get("code")
        # bool is an int to Python, never an error code to Meta.
        known = isinstance(code, int) and not isinstance(code, bool)
        yield StatusUpdate(message_id, status, code if known else None)


@dataclass(frozen=True, slots=True)
class TextReply:
    """A text a person sent the business number: their number (E.164) and the text."""

    message_id: str
    phone: str
    text: str


def text_messages(value: dict[str, Any]) -> Iterator[TextReply]:
    """The text messages of one change `value`, skipping anything else or malformed."""
    for message in _dicts(value, "messages"):
        if message.get("type") != "text":
            continue
        text = message.get("text")
        sender, body = message.get("from"), text.get("body") if isinstance(text, dict) else None
        if _is_wa_id(sender) and isinstance(body, str):
            message_id = message.get("id")
            yield TextReply(message_id if isinstance(message_id, str) else "", f"+{sender}", body)


def _is_wa_id(value: Any) -> bool:
    # ASCII digits only: str.isdigit() also takes "²" and other scripts' digits, which no
    # phone number is made of.
    return isinstance(value, str) and value.isascii() and value.isdigit()


@dataclass(frozen=True, slots=True)
class MarketingPreference:
    """A person told WhatsApp to stop (or resume) marketing messages from the business: the
    `user_preferences` webhook (category marketing_messages)."""

    phone: str  # E.164
    stop: bool
    timestamp: str


def marketing_preferences(value: dict[str, Any]) -> Iterator[MarketingPreference]:
    """The marketing stop/resume choices of one change `value`, skipping anything else."""
    for entry in _dicts(value, "user_preferences"):
        if entry.get("category") != "marketing_messages":
            continue
        wa_id, choice = entry.get("wa_id"), entry.get("value")
        if _is_wa_id(wa_id) and choice in ("stop", "resume"):
            yield MarketingPreference(f"+{wa_id}", choice == "stop", str(entry.get("timestamp")))
