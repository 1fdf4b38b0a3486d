"""LINE Messaging API: requests the bot sends and webhook bodies the sandbox delivers."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from ._files import data_file, load_document
from ._openapi import OpenApiDocument

MESSAGING_FILE = "line-messaging-api.yml"
WEBHOOK_FILE = "line-webhook.yml"

# The spec's servers; operations on api-data.line.me (content up/downloads) say so.
HOSTS = {"api": "https://api.line.me", "data": "https://api-data.line.me"}


class LineSpec:
    """Validator for the LINE Messaging API (line-openapi's messaging-api.yml and webhook.yml)."""

    def __init__(self, messaging: OpenApiDocument, webhook: OpenApiDocument):
        self._messaging = messaging
        self._webhook = webhook
        self._callback = webhook.compiler.ref("#/components/schemas/CallbackRequest")

    @classmethod
    def load(cls, messaging_path: Path | None = None, webhook_path: Path | None = None) -> LineSpec:
        """The spec for the given files (default: the vendored ones); built once per path pair."""
        return _load(
            data_file(messaging_path, MESSAGING_FILE), data_file(webhook_path, WEBHOOK_FILE)
        )

    def check_request(
        self, method: str, path: str, body: Any | None, *, host: str = "api"
    ) -> list[str]:
        """Violations of a request to ``host`` ("api" = api.line.me, "data" = api-data.line.me).

        ``path`` is the request path (templates such as ``/v2/bot/profile/{userId}`` are
        matched; a query string is ignored) and ``body`` the decoded JSON body or None.
        Returns [] when the method and path exist on that host and the body conforms.
        """
        if host not in HOSTS:
            raise ValueError(f"host must be one of {sorted(HOSTS)}, got {host!r}")
        return self._messaging.check_request(method, path, body, server=HOSTS[host])

    def check_webhook(self, body: Any) -> list[str]:
        """Violations of a webhook request body (``CallbackRequest``: destination + events)."""
        errors: list[str] = []
        self._callback.check(body, "", errors)
        return errors


@functools.cache
def _load(messaging_path: Path, webhook_path: Path) -> LineSpec:
    return LineSpec(
        OpenApiDocument(load_document(messaging_path)),
        OpenApiDocument(load_document(webhook_path)),
    )
