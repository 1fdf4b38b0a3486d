"""Shared pieces of the Telegram Bot API stand-in: errors, decoded parameters, chats."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp.web_request import FileField

if TYPE_CHECKING:
    from .telegram import TelegramStandIn

ATTACH = "attach://"
BLOCKED = "Forbidden: bot was blocked by the user"


class TelegramError(Exception):
    """An error answer: HTTP status = error_code, Telegram's description."""

    def __init__(self, code: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


class Params:
    """A request's fields as sent: JSON values, or form strings as aiogram sends them."""

    def __init__(self, values: dict[str, Any], files: dict[str, FileField]) -> None:
        self.values = values
        self.files = files

    def raw(self, name: str) -> Any:
        """The field as sent, or None."""
        return self.values.get(name)

    def str(self, name: str) -> str | None:
        """A text field."""
        value = self.values.get(name)
        return None if value is None else str(value)

    def int(self, name: str) -> int | None:
        """An integer field (form fields carry digits as text)."""
        value = self.values.get(name)
        if value is None:
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            raise TelegramError(400, f"Bad Request: invalid {name} specified") from None

    def bool(self, name: str) -> bool:
        """A boolean field (form fields carry "true"/"false")."""
        return self.values.get(name) in (True, "true", "True", "1", 1)

    def json(self, name: str) -> Any:
        """An object or array field (form fields carry it JSON-encoded)."""
        value = self.values.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise TelegramError(400, f"Bad Request: can't parse {name} JSON object") from None
        return value

    def upload(self, name: str) -> FileField | None:
        """The multipart file part behind a field ("attach://part", or the part itself)."""
        value = self.values.get(name)
        if isinstance(value, str) and value.startswith(ATTACH):
            return self.files.get(value.removeprefix(ATTACH))
        return self.files.get(name)


@dataclass(frozen=True)
class Method:
    """An implemented method: its canonical name, handler and result type."""

    name: str
    handler: Callable[[Params], Awaitable[Any]]
    returns: str | None  # the Telegram type of the result; None for plain True


def chat_of(tg: TelegramStandIn, p: Params, *, sending: bool = True) -> int:
    """The chat_id of a call: 400 if the bot never met that user, 403 if they blocked it."""
    raw = p.raw("chat_id")
    try:
        chat_id = int(raw)
    except (TypeError, ValueError):
        raise TelegramError(400, "Bad Request: chat not found") from None
    if chat_id not in tg.users:
        raise TelegramError(400, "Bad Request: chat not found")
    if sending and chat_id in tg.blocked:
        raise TelegramError(403, BLOCKED)
    return chat_id
