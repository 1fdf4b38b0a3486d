"""One way for tests to chat as a member, whichever platform they are on.

Conversation tests are written once against MemberChat and run on Telegram and on LINE, the
same way the handlers are written once.
"""

from __future__ import annotations

from typing import Protocol

from bot.sandbox import LineStandIn, SentMessage, TelegramStandIn
from models import Platform


class MemberChat(Protocol):
    """A person chatting with the bot on one platform."""

    platform: Platform
    user_id: str

    async def start(self) -> None:
        """Begin: /start on Telegram, adding the account as a friend on LINE."""

    async def send(self, text: str) -> None:
        """Type a message."""

    async def press(self, message: SentMessage, data: str) -> None:
        """Press the button with this payload under a bot message."""

    async def upload(self, name: str, content: bytes) -> None:
        """Send a file."""

    async def send_photo(self, content: bytes) -> None:
        """Send a picture as a photo (not as a file)."""

    async def send_sticker(self) -> None:
        """Send a sticker."""

    async def next(self) -> SentMessage:
        """The next message from the bot."""


def button_data(message: SentMessage) -> list[str]:
    """Every button payload under a message."""
    return [data for row in message.buttons for _, data in row]


class TelegramChat:
    """A Telegram private chat (chat id == user id)."""

    platform = Platform.TELEGRAM

    def __init__(self, stand_in: TelegramStandIn, user_id: int, *, language: str) -> None:
        self._tg = stand_in
        self.number = user_id
        self.user_id = str(user_id)
        self._language = language

    async def start(self) -> None:
        await self.send("/start")

    async def send(self, text: str) -> None:
        await self._tg.send_text(self.number, text, language_code=self._language)

    async def press(self, message: SentMessage, data: str) -> None:
        await self._tg.press_button(self.number, message, data)

    async def upload(self, name: str, content: bytes) -> None:
        await self._tg.send_document(self.number, name, content)

    async def send_photo(self, content: bytes) -> None:
        await self._tg.send_photo(self.number, content)

    async def send_sticker(self) -> None:
        await self._tg.send_sticker(self.number)

    async def next(self) -> SentMessage:
        return await self._tg.next_message(self.number)


class LineChat:
    """A LINE one-to-one chat with the official account."""

    platform = Platform.LINE

    def __init__(self, stand_in: LineStandIn, user_id: str, *, language: str) -> None:
        self._line = stand_in
        self.user_id = user_id
        self._language = language

    async def start(self) -> None:
        await self._line.follow(self.user_id, language=self._language)

    async def send(self, text: str) -> None:
        await self._line.send_text(self.user_id, text)

    async def press(self, message: SentMessage, data: str) -> None:
        if data not in button_data(message):
            raise ValueError(f"no button {data!r} under the message")
        await self._line.press_postback(self.user_id, data)

    async def upload(self, name: str, content: bytes) -> None:
        await self._line.send_file(self.user_id, name, content)

    async def send_photo(self, content: bytes) -> None:
        await self._line.send_image(self.user_id, content)

    async def send_sticker(self) -> None:
        await self._line.send_sticker(self.user_id)

    async def next(self) -> SentMessage:
        return await self._line.next_message(self.user_id)
