"""How a handler talks back: the one interface both chat adapters implement."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.conversation.events import FileRef, Keyboard


@dataclass(frozen=True, slots=True)
class SentRef:
    """A sent message that can be edited later (on platforms that allow edits)."""

    message_id: int


class Responder(Protocol):
    """Sends replies to the member who caused the current event."""

    async def send(self, text: str, *, buttons: Keyboard = ()) -> SentRef | None:
        """Send a text message, optionally with buttons; a reference when it can be edited."""

    async def edit(self, ref: SentRef, text: str, *, buttons: Keyboard = ()) -> None:
        """Replace a sent message's text (progress bars); a no-op where edits don't exist."""

    async def send_document(self, name: str, content: bytes, *, caption: str = "") -> None:
        """Send a file the member can download."""

    async def send_image(
        self, name: str, png: bytes, *, caption: str = "", preview: bytes | None = None
    ) -> None:
        """Send a picture (a QR code, a chart, a campaign's picture); `preview` is a small
        version for platforms that show one (LINE), the picture itself when None."""

    async def ask_phone(self, text: str, *, label: str) -> None:
        """Offer a button that shares the person's own phone number, where the platform has one."""

    async def download(self, file: FileRef) -> bytes:
        """Fetch the bytes of a file the member uploaded."""

    def detached(self) -> Responder:
        """A responder for work that outlives the event (a background import, say)."""
