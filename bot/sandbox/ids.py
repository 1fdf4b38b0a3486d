"""Identifiers shaped like the platforms' own, from `secrets` so they never collide."""

from __future__ import annotations

import base64
import secrets
import uuid
from datetime import datetime

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def ulid(now: datetime) -> str:
    """A ULID (26 Crockford base32 chars: 48-bit ms timestamp + 80 random bits), as LINE
    uses for webhookEventId."""
    value = (int(now.timestamp() * 1000) << 80) | secrets.randbits(80)
    chars = []
    for _ in range(26):
        value, digit = divmod(value, 32)
        chars.append(_CROCKFORD[digit])
    return "".join(reversed(chars))


def line_user_id() -> str:
    """A LINE user id: "U" followed by 32 lowercase hex digits."""
    return "U" + secrets.token_hex(16)


def line_token() -> str:
    """A reply token or quote token (LINE's are opaque strings of similar length)."""
    return secrets.token_hex(16)


def request_id() -> str:
    """A request id for `x-line-request-id` and friends."""
    return str(uuid.uuid4())


def wamid() -> str:
    """A WhatsApp message id ("wamid." + base64, like Meta's)."""
    return "wamid." + base64.b64encode(secrets.token_bytes(30)).decode("ascii")


def fbtrace_id() -> str:
    """The `fbtrace_id` Graph API errors carry."""
    return secrets.token_urlsafe(9)


def telegram_file_unique_id() -> str:
    """A Telegram file_unique_id (short, URL-safe)."""
    return "AgAD" + secrets.token_urlsafe(9)


def telegram_file_id() -> str:
    """A Telegram file_id (long, URL-safe)."""
    return "BQACAgIAAxkBAAI" + secrets.token_urlsafe(48)


def numeric_id(digits: int) -> str:
    """A random decimal id with exactly `digits` digits (no leading zero)."""
    low = 10 ** (digits - 1)
    return str(low + secrets.randbelow(9 * low))
