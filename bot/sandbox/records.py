"""Plain records the sandbox keeps: API calls, webhook deliveries and what users see."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

Platform = Literal["telegram", "line", "whatsapp"]
PLATFORMS: tuple[Platform, ...] = ("telegram", "line", "whatsapp")

# A 1x1 transparent PNG: the picture users send when a test gives none of its own.
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


class SandboxBug(RuntimeError):
    """The sandbox itself produced something the platform spec forbids (fix the sandbox)."""


@dataclass
class Call:
    """One request the bot made to a stand-in, faulted or not.

    `method` is the Telegram method name ("sendMessage"), or "VERB /path" for LINE and
    WhatsApp ("POST /v2/bot/message/push"). `status` is the HTTP status answered; 0 means
    the sandbox held the request and dropped the connection (a timeout fault).
    """

    platform: Platform
    method: str
    params: Any
    status: int
    time: datetime
    fault: str | None = None
    response: Any = None


@dataclass
class SentMessage:
    """A platform-neutral view of one message the bot sent to a chat, as tests read it.

    `buttons` are rows of (label, payload): Telegram callback_data (or the url of a link
    button), LINE postback data (each quick reply item is a row of its own), WhatsApp
    interactive reply ids. `raw` is the request body as the bot sent it.
    """

    message_id: int | str
    chat_id: int | str
    text: str | None
    buttons: list[list[tuple[str, str]]] = field(default_factory=list)
    document: tuple[str, bytes] | None = None
    edited: bool = False
    raw: dict[str, Any] = field(default_factory=dict)
    deleted: bool = False


@dataclass
class Delivery:
    """One webhook POST from the sandbox to the bot, and what the bot answered.

    `status` is None when the bot could not be reached at all (`error` says why).
    """

    platform: Platform
    url: str
    body: bytes
    time: datetime
    status: int | None = None
    response: str = ""
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the bot accepted the delivery (any 2xx)."""
        return self.status is not None and 200 <= self.status < 300
