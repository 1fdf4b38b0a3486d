"""How a handler talks back: the one interface both chat adapters implement."""

from __future__ import annotations

from typing import Protocol

from bot.conversation.events import FileRef, Keyboard


class Responder(Protocol):
    """Sends replies to the member who caused the current event."""

    async def send(self, text: str, *, buttons: Keyboard = ()) -> None:
        """Send a text message, optionally with buttons under it."""

    async def send_document(self, name: str, content: bytes, *, caption: str = "") -> None:
        """Send a file the member can download."""

    async def download(self, file: FileRef) -> bytes:
        """Fetch the bytes of a file the member uploaded."""
