"""Messages to a member outside any conversation (a recipient wrote back, a campaign ended).

The member may chat from Telegram, LINE or both (linked accounts): the message goes to each
of their accounts on a channel that is on. Services never see this; handlers and the
composition root pass it where it is needed.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass

import aiohttp
from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from linebot.v3.messaging import ApiException

from bot.conversation.events import Keyboard
from bot.conversation.responder import Responder
from bot.i18n import I18n, Translator
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
        return self.responder(account.platform, account.external_id)

    def responder(self, platform: Platform, external_id: str) -> Responder | None:
        """A way to write to one chat, or None when its platform is off."""
        if platform is Platform.TELEGRAM and self._bot is not None:
            return TelegramResponder(self._bot, int(external_id))
        if platform is Platform.LINE and self._line is not None:
            return LineResponder(
                self._line, external_id, None, downloads=self._downloads, immediate=True
            )
        return None


class OperatorNotifier:
    """Messages to the operators' chats (a campaign waits for review, an appeal came in).

    Each operator reads it in their own language when their chat account is also a member's,
    in English otherwise.
    """

    def __init__(
        self,
        *,
        members: MemberNotifier,
        i18n: I18n,
        operator_ids: Mapping[Platform, Collection[str]],
    ) -> None:
        self._members = members
        self._i18n = i18n
        self._ids = operator_ids

    async def send(
        self,
        text: Callable[[Translator], str],
        *,
        buttons: Callable[[Translator], Keyboard] | None = None,
    ) -> int:
        """Send `text` (rendered per operator) to every operator chat; how many got it."""
        sent = 0
        for platform, ids in self._ids.items():
            for external_id in ids:
                responder = self._members.responder(platform, external_id)
                if responder is None:
                    continue
                account = await ChatAccount.get_or_none(
                    platform=platform, external_id=external_id
                ).prefetch_related("member")
                t = self._i18n.translator(account.member.locale if account else None)
                try:
                    await responder.send(text(t), buttons=buttons(t) if buttons else ())
                except (TelegramAPIError, ApiException, aiohttp.ClientError, TimeoutError):
                    log.warning("operator notification failed", extra={"platform": platform})
                    continue
                sent += 1
        return sent


@dataclass(frozen=True, slots=True)
class Outbox:
    """Where handlers write to chats other than the one they answer."""

    members: MemberNotifier
    operators: OperatorNotifier
