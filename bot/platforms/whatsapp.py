"""WhatsApp Cloud API: webhook verification and signature, and the shape of what arrives.

Members never chat with Broadside on WhatsApp; only recipients do (replies, STOP, delivery
statuses). This adapter checks and reads those webhooks.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator, Mapping
from typing import Any

SIGNATURE_HEADER = "X-Hub-Signature-256"


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
