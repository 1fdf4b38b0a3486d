"""Validate chat-platform HTTP traffic against the platforms' own API specifications.

The vendored files in ``data/`` (see ``data/SOURCES.md``) are parsed lazily on first
``load()`` and cached per path, and validators are compiled on first use per method,
path or type, so checking every request of a sandbox run stays cheap.

    TelegramSpec.load().check_call("sendMessage", {"chat_id": 1, "text": "hi"})  # -> []
    LineSpec.load().check_request("POST", "/v2/bot/message/push", body)
    WhatsAppSpec.load().check_request("POST", "/v23.0/123/messages", body)

Every check returns a list of human-readable violations; an empty list means the
request conforms.
"""

from .line import LineSpec
from .telegram import TelegramSpec
from .whatsapp import WhatsAppSpec

__all__ = ["LineSpec", "TelegramSpec", "WhatsAppSpec"]
