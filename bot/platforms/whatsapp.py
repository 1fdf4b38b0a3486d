"""WhatsApp Cloud API: webhook verification and signature, and the shape of what arrives.

Members never chat with Broadside on WhatsApp; only recipients do (replies, STOP, delivery
statuses). This adapter checks and reads those webhooks.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

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


def changes(payload: Any) -> Iterator[dict[str, Any]]:
    """The `value` objects of a webhook payload, tolerating anything malformed by skipping it."""
    if not isinstance(payload, dict) or payload.get("object") != "whatsapp_business_account":
        return
    for entry in payload.get("entry") or ():
        for change in (entry or {}).get("changes") or () if isinstance(entry, dict) else ():
            value = change.get("value") if isinstance(change, dict) else None
            if isinstance(value, dict):
                yield value


@dataclass(frozen=True, slots=True)
class StatusUpdate:
    """What WhatsApp says became of a message we sent: sent, delivered, read or failed."""

    message_id: str
    status: str
    error_code: int | None = None


def statuses(value: dict[str, Any]) -> Iterator[StatusUpdate]:
    """The status updates of one change `value`, skipping malformed entries."""
    for entry in value.get("statuses") or ():
        if not isinstance(entry, dict):
            continue
        message_id, status = entry.get("id"), entry.get("status")
        if not isinstance(message_id, str) or status not in STATUSES:
            continue
        errors = entry.get("errors") or ()
        code = errors[0].get("code") if errors and isinstance(errors[0], dict) else None
        yield StatusUpdate(message_id, status, code if isinstance(code, int) else None)


@dataclass(frozen=True, slots=True)
class TextReply:
    """A text a person sent the business number: their number (E.164) and the text."""

    message_id: str
    phone: str
    text: str


def text_messages(value: dict[str, Any]) -> Iterator[TextReply]:
    """The text messages of one change `value`, skipping anything else or malformed."""
    for message in value.get("messages") or ():
        if not isinstance(message, dict) or message.get("type") != "text":
            continue
        sender, body = message.get("from"), (message.get("text") or {}).get("body")
        if isinstance(sender, str) and sender.isdigit() and isinstance(body, str):
            yield TextReply(str(message.get("id", "")), f"+{sender}", body)


@dataclass(frozen=True, slots=True)
class MarketingPreference:
    """A person told WhatsApp to stop (or resume) marketing messages from the business: the
    `user_preferences` webhook (category marketing_messages)."""

    phone: str  # E.164
    stop: bool
    timestamp: str


def marketing_preferences(value: dict[str, Any]) -> Iterator[MarketingPreference]:
    """The marketing stop/resume choices of one change `value`, skipping anything else."""
    for entry in value.get("user_preferences") or ():
        if not isinstance(entry, dict) or entry.get("category") != "marketing_messages":
            continue
        wa_id, choice = entry.get("wa_id"), entry.get("value")
        if isinstance(wa_id, str) and wa_id.isdigit() and choice in ("stop", "resume"):
            yield MarketingPreference(f"+{wa_id}", choice == "stop", str(entry.get("timestamp")))
