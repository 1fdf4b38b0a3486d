"""WhatsApp Business (Cloud API) v23.0: requests the bot sends to graph.facebook.com."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from ._files import data_file, load_document
from ._openapi import OpenApiDocument

SPEC_FILE = "whatsapp-business-messaging-api.yaml"

# Patterns Meta's file gets wrong, as they appear in the file -> what they mean.
PATTERN_FIXES: dict[str, str | None] = {
    # Template button "index": a character class by mistake, so it rejects "0" and "1x"
    # although the description says "Position index of the button (0-9)".
    "^[2-6, 11-14]$": "^[0-9]+$",
    # E.164 numbers, double-escaped: as written it requires literal backslashes.
    "^\\\\+[1-9]\\\\d{1,14}$": r"^\+[1-9]\d{1,14}$",
}


class WhatsAppSpec:
    """Validator for the WhatsApp Cloud API OpenAPI file (Meta's business-messaging-api)."""

    def __init__(self, document: OpenApiDocument):
        self._document = document

    @classmethod
    def load(cls, path: Path | None = None) -> WhatsAppSpec:
        """The spec for ``path`` (default: the vendored v23.0 file); parsed once per path."""
        return _load(data_file(path, SPEC_FILE))

    def check_request(self, method: str, path: str, body: Any | None) -> list[str]:
        """Violations of a Graph API request, e.g. ``POST /v23.0/<phone-number-id>/messages``.

        ``body`` is the decoded JSON body or None.  Where several templates fit the path
        (``/{Version}/{Phone-Number-ID}`` and ``/{Version}/{WABA-ID}`` look alike) the
        request conforms if it fits any of them.
        """
        return self._document.check_request(method, path, body)


@functools.cache
def _load(path: Path) -> WhatsAppSpec:
    document = load_document(path)
    # info.title names one endpoint ("... Application Connected Client Businesses").
    title = f"WhatsApp Cloud API {(document.get('info') or {}).get('version', '')}".strip()
    return WhatsAppSpec(OpenApiDocument(document, title=title, pattern_overrides=PATTERN_FIXES))
