"""Files handed out by link: exports and reports on LINE, which cannot send files in chat.

The link's token is the only key (256 random bits), so it is as private as the chat it is
sent in; it expires after DOWNLOAD_TTL and a scheduled job deletes it.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from urllib.parse import quote

from bot.crypto import Sealer
from bot.services.clock import Clock
from models import Download

DOWNLOAD_TTL = timedelta(days=1)


class DownloadService:
    """Publish a file under a link, fetch it back, purge expired ones."""

    def __init__(self, *, clock: Clock, public_url: str, sealer: Sealer) -> None:
        """`sealer` seals the files at rest: exports hold contacts' numbers and names."""
        self._clock = clock
        self._public_url = public_url.rstrip("/")
        self._sealer = sealer

    async def publish(self, name: str, content: bytes) -> str:
        """Store the file and return the link to it."""
        token = secrets.token_urlsafe(32)
        await Download.create(
            token=token,
            name=name,
            content=self._sealer.seal_bytes(content),
            expires_at=self._clock() + DOWNLOAD_TTL,
        )
        return f"{self._public_url}/downloads/{token}/{quote(name)}"

    async def fetch(self, token: str) -> Download | None:
        """The file behind a token, unless it expired; its content opened, in memory only."""
        found = await Download.filter(token=token, expires_at__gt=self._clock()).first()
        if found is not None:
            found.content = self._sealer.open_bytes(bytes(found.content))
        return found

    async def purge_expired(self) -> int:
        """Delete expired files; returns how many went."""
        return await Download.filter(expires_at__lte=self._clock()).delete()
