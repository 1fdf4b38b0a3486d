"""Neutral events: what a member did in chat, whichever platform they did it on."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from aiogram.fsm.storage.base import StorageKey

from models import Platform


class EventKind(StrEnum):
    """What kind of thing the member sent."""

    COMMAND = "command"
    TEXT = "text"
    BUTTON = "button"
    FILE = "file"
    IMAGE = "image"  # a picture sent as a photo (file holds it), not as a document
    CONTACT = "contact"  # the sender shared their own phone number (text holds it)
    FOLLOW = "follow"
    UNSUPPORTED = "unsupported"


@dataclass(frozen=True, slots=True)
class FileRef:
    """A file the member uploaded, still on the platform until downloaded."""

    file_id: str
    name: str
    size: int | None = None
    mime_type: str | None = None


@dataclass(frozen=True, slots=True)
class Button:
    """A button under a message: its label and the payload it sends back when pressed."""

    text: str
    data: str


Keyboard = Sequence[Sequence[Button]]


@dataclass(frozen=True, slots=True)
class Incoming:
    """One member action, already translated out of the platform's own shape.

    `dialog_key` addresses the member's dialog state in aiogram's FSM storage; the adapter
    builds it so that both platforms share one storage (memory or Redis).
    """

    platform: Platform
    user_id: str
    kind: EventKind
    dialog_key: StorageKey
    text: str = ""
    command: str | None = None
    data: str | None = None
    file: FileRef | None = None
    language_code: str | None = None
    display_name: str | None = None
    event_id: str | None = field(default=None, compare=False)


def parse_command(text: str) -> tuple[str, str] | None:
    """Split "/name@bot args" into ("name", "args"); None when the text is not a command."""
    if not text.startswith("/") or len(text) < 2:
        return None
    head, _, args = text[1:].partition(" ")
    name = head.split("@", 1)[0].lower()
    if not name or not name.replace("_", "").isalnum():
        return None
    return name, args.strip()
