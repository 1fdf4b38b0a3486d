"""Plain Telegram objects the stand-in keeps: stored files, the webhook, keyboards."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class StoredFile:
    """A file on the sandbox's Telegram servers (uploaded by the bot or a user)."""

    file_id: str
    file_unique_id: str
    file_path: str
    name: str
    mime_type: str
    content: bytes

    def as_document(self) -> dict[str, Any]:
        """The Document object describing this file."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_name": self.name,
            "mime_type": self.mime_type,
            "file_size": len(self.content),
        }

    def as_photo(self) -> list[dict[str, Any]]:
        """The PhotoSize list of a photo (one size: the sandbox does not resample)."""
        return [
            {
                "file_id": self.file_id,
                "file_unique_id": self.file_unique_id,
                "width": 320,
                "height": 320,
                "file_size": len(self.content),
            }
        ]


@dataclass
class Webhook:
    """What setWebhook configured, and the last delivery error getWebhookInfo reports."""

    url: str = ""
    secret: str | None = None
    allowed_updates: list[str] | None = None
    max_connections: int = 40
    last_error_date: int | None = None
    last_error_message: str | None = None


def keyboard_rows(markup: Any) -> list[list[tuple[str, str]]]:
    """(label, payload) rows of a reply_markup: callback_data, else url, else the label."""
    if not isinstance(markup, dict):
        return []
    rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
    return [
        [
            (
                str(button.get("text", "")),
                str(button.get("callback_data", button.get("url", button.get("text", "")))),
            )
            for button in row
            if isinstance(button, dict)
        ]
        for row in rows
        if isinstance(row, list)
    ]
