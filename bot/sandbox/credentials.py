"""The secrets the bot and the sandbox share, shaped like the platforms' own."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from .ids import numeric_id


def _telegram_token() -> str:
    # Real tokens: the bot's numeric id, a colon, 35 URL-safe characters.
    return f"{numeric_id(10)}:{secrets.token_urlsafe(27)[:35]}"


def _hex32() -> str:
    return secrets.token_hex(16)


def _urlsafe() -> str:
    return secrets.token_urlsafe(32)


def _line_access_token() -> str:
    return secrets.token_urlsafe(128)


def _whatsapp_token() -> str:
    return "EAA" + secrets.token_urlsafe(150).replace("-", "A").replace("_", "b")


def _phone_number_id() -> str:
    return numeric_id(15)


@dataclass
class SandboxCredentials:
    """The secrets the bot and the sandbox share; fresh random ones by default."""

    telegram_token: str = field(default_factory=_telegram_token, repr=False)
    telegram_webhook_secret: str = field(default_factory=_urlsafe, repr=False)
    line_channel_secret: str = field(default_factory=_hex32, repr=False)
    line_access_token: str = field(default_factory=_line_access_token, repr=False)
    whatsapp_token: str = field(default_factory=_whatsapp_token, repr=False)
    whatsapp_app_secret: str = field(default_factory=_hex32, repr=False)
    whatsapp_verify_token: str = field(default_factory=_urlsafe, repr=False)
    whatsapp_phone_number_id: str = field(default_factory=_phone_number_id)
