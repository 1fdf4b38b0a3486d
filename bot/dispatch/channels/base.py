"""What every channel sender takes and answers: one interface for Telegram, LINE and WhatsApp.

The engine renders each recipient's message, groups a claim's deliveries by channel and
hands each group to that channel's sender; the sender decides how to batch the requests
(LINE multicasts identical texts) and turns every platform answer into an `Outcome`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from models import Channel


@dataclass(frozen=True, slots=True)
class Template:
    """A WhatsApp approved template: name, language code and the body parameters' values."""

    name: str
    language: str
    parameters: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Image:
    """A campaign's picture, sent above its text: where the platforms fetch it, and the file
    id Telegram knows it by when the member uploaded it to our bot."""

    url: str
    preview_url: str  # LINE's small preview
    telegram_file_id: str | None = None


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One recipient's message. `address` is the chat id, LINE user id or E.164 number.

    `delivery_id` is unique and stable across retries: senders derive idempotency keys
    from it (LINE's X-Line-Retry-Key).
    """

    delivery_id: int
    address: str
    text: str
    template: Template | None = None
    image: Image | None = None


class Result(StrEnum):
    """What became of one message."""

    SENT = "sent"  # the platform accepted it
    RETRY = "retry"  # not accepted, transient (429, 5xx, no connection): try again later
    # The request may have reached the platform and its answer was lost (a timeout, a dropped
    # connection). Where the platform has no idempotency key, sending again could deliver
    # twice: the delivery is settled as ambiguous and counted, never repeated.
    AMBIGUOUS = "ambiguous"
    FAILED = "failed"  # permanent: never retry this message on this channel


@dataclass(slots=True)
class Outcome:
    """The platform's answer for one delivery.

    `unreachable` says the channel will never reach this recipient (blocked the bot,
    invalid user, not a WhatsApp number): the contact is marked and the engine falls back
    to the next channel; `opted_out` that the person did it themselves (blocked the bot),
    which also puts that address on the member's suppression list. `retry_after` (seconds) is a
    rate-limit pause for the whole channel.
    """

    delivery_id: int
    result: Result
    message_id: str | None = None
    error_code: str | None = None
    unreachable: bool = False
    retry_after: float | None = None
    # The person's own act (blocked the bot, stopped the business's marketing): they left
    # this channel, a platform signal on the member's suppression list.
    opted_out: bool = False


class ChannelSender(Protocol):
    """Sends messages on one channel from one sending account."""

    channel: Channel
    account: (
        str  # the bot id, LINE channel or WhatsApp phone number id: rate limits are per account
    )
    # Recipients one request can carry when they all get the same text (LINE multicast: 500).
    same_text_per_request: int

    async def send(self, messages: Sequence[Outgoing]) -> list[Outcome]:
        """Send each message; one Outcome per message, in any order. Never raises for a
        platform error: those are outcomes. Rate limiting is the caller's job."""
        ...

    def requests_for(self, messages: Sequence[Outgoing]) -> int:
        """How many API requests `send` will make for these messages (for the rate limiter)."""
        ...

    async def close(self) -> None:
        """Close the HTTP session."""
        ...
