"""Messages to a member outside any conversation (a recipient wrote back, a campaign ended).

The member may chat from Telegram, LINE or both (linked accounts): the message goes to each
of their accounts on a channel that is on. Services never see this; handlers and the
composition root pass it where it is needed.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import aiohttp
from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from linebot.v3.messaging import ApiException

from bot.conversation.responder import Responder
from bot.platforms.line import LineChannel, LineResponder
from bot.platforms.telegram import TelegramResponder
from bot.services.downloads import DownloadService
from models import ChatAccount, Platform

log = logging.getLogger(__name__)


class MemberNotifier:
    """Sends a text to every chat account of a member."""

    def __init__(
        self, *, bot: Bot | None, line: LineChannel | None, downloads: DownloadService
    ) -> None:
        self._bot = bot
        self._line = line
        self._downloads = downloads

    async def send(self, member_id: int, text: str) -> int:
        """Send `text` to the member's accounts; how many received it."""
        return await self.reach(member_id, lambda responder: responder.send(text))

    async def send_document(
        self, member_id: int, name: str, content: bytes, *, caption: str = ""
    ) -> int:
        """Send a file (on LINE, a download link) to the member's accounts; how many got it."""
        return await self.reach(
            member_id, lambda responder: responder.send_document(name, content, caption=caption)
        )

    async def reach(self, member_id: int, deliver: Callable[[Responder], Awaitable[object]]) -> int:
        """Run `deliver` (messages, files, pictures) on each of the member's chats; on how
        many it went through."""
        sent = 0
        for account in await ChatAccount.filter(member_id=member_id):
            responder = self._responder(account)
            if responder is None:
                continue
            try:
                await deliver(responder)
            except (TelegramAPIError, ApiException, aiohttp.ClientError, TimeoutError):
                # One unreachable account (blocked the bot) must not keep the others uninformed.
                log.warning("member notification failed", extra={"account_id": account.id})
                continue
            sent += 1
        return sent

    def _responder(self, account: ChatAccount) -> Responder | None:
        if account.platform is Platform.TELEGRAM and self._bot is not None:
            return TelegramResponder(self._bot, int(account.external_id))
        if account.platform is Platform.LINE and self._line is not None:
            return LineResponder(
                self._line, account.external_id, None, downloads=self._downloads, immediate=True
            )
        return None
