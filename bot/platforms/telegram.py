"""Telegram: aiogram in, neutral events out; neutral replies out through aiogram's Bot."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot, Dispatcher, F, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.storage.base import BaseStorage, StorageKey
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    CallbackQuery,
    ChatMemberUpdated,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    TelegramObject,
    Update,
)

from bot.config import Settings
from bot.conversation import (
    Conversation,
    EventKind,
    FileRef,
    Incoming,
    Keyboard,
    parse_command,
)
from bot.conversation.responder import SentRef
from bot.i18n import DEFAULT_LOCALE
from bot.platforms.telegram_retry import RetryAfterMiddleware
from bot.platforms.telegram_session import JsonSession
from models import Platform

# Telegram refuses longer messages; longer texts are split on line breaks.
MAX_MESSAGE_LENGTH = 4096


def build_bot(settings: Settings) -> Bot:
    """An aiogram Bot pointed at the configured Bot API server (real or sandbox)."""
    token = settings.TELEGRAM_BOT_TOKEN
    if token is None:  # pragma: no cover - callers check telegram_enabled
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    session = JsonSession(api=TelegramAPIServer.from_base(settings.TELEGRAM_API_URL))
    session.middleware(RetryAfterMiddleware())
    return Bot(token.get_secret_value(), session=session, default=DefaultBotProperties())


# Told when someone leaves a channel by their own act: (channel name, their id, what happened).
LeftChannel = Callable[[str, str, str], Awaitable[object]]


# Answers whether an event id is seen for the first time (redeliveries are dropped).
FirstTime = Callable[[str], Awaitable[bool]]


class OnlyOnce(BaseMiddleware):
    """An outer middleware on updates: an update_id already handled is not handled again."""

    def __init__(self, first_time: FirstTime) -> None:
        self._first_time = first_time

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if isinstance(event, Update) and not await self._first_time(
            f"telegram:update:{event.update_id}"
        ):
            return None
        return await handler(event, data)


def build_dispatcher(
    storage: BaseStorage,
    conversation: Conversation,
    *,
    on_left: LeftChannel,
    first_time: FirstTime,
) -> Dispatcher:
    """The aiogram Dispatcher: FSM storage shared with LINE, the conversation and the
    left-channel signal injected, redelivered updates dropped."""
    dispatcher = Dispatcher(storage=storage, conversation=conversation, on_left=on_left)
    dispatcher.update.outer_middleware(OnlyOnce(first_time))
    dispatcher.include_router(_member_router())
    return dispatcher


def _member_router() -> Router:
    router = Router(name="members")
    # Members talk to the bot in private chats; groups the bot is added to are not a workspace.
    router.message.filter(F.chat.type == "private")
    router.message.register(_on_message)
    router.callback_query.register(_on_callback)
    router.my_chat_member.register(_on_my_chat_member)
    return router


async def _on_my_chat_member(update: ChatMemberUpdated, on_left: LeftChannel) -> None:
    # "kicked" in a private chat is Telegram's word for: the person blocked the bot.
    if update.chat.type == "private" and update.new_chat_member.status == "kicked":
        await on_left("telegram", str(update.from_user.id), "blocked the bot")


async def _on_message(message: Message, bot: Bot, conversation: Conversation) -> None:
    event = message_to_event(message, bot_id=bot.id)
    if event is not None:
        await conversation.handle(event, TelegramResponder(bot, message.chat.id))


async def _on_callback(query: CallbackQuery, bot: Bot, conversation: Conversation) -> None:
    # Answer first: the member's client shows a spinner until the query is answered.
    await query.answer()
    if query.message is None:
        return
    event = Incoming(
        platform=Platform.TELEGRAM,
        user_id=str(query.from_user.id),
        kind=EventKind.BUTTON,
        dialog_key=_dialog_key(bot.id, query.message.chat.id, query.from_user.id),
        data=query.data or "",
        language_code=query.from_user.language_code,
        display_name=query.from_user.full_name,
        event_id=query.id,
    )
    await conversation.handle(event, TelegramResponder(bot, query.message.chat.id))


def _dialog_key(bot_id: int, chat_id: int, user_id: int) -> StorageKey:
    # The same key aiogram's own FSM middleware builds, so both see one dialog state.
    return StorageKey(bot_id=bot_id, chat_id=chat_id, user_id=user_id)


def message_to_event(message: Message, *, bot_id: int) -> Incoming | None:
    """The neutral event for a private message, or None when it has no sender."""
    user = message.from_user
    if user is None:
        return None
    fields: dict[str, object] = {}
    if message.text is not None:
        command = parse_command(message.text)
        if command is not None:
            fields = {"kind": EventKind.COMMAND, "command": command[0], "text": command[1]}
        else:
            fields = {"kind": EventKind.TEXT, "text": message.text}
    elif message.document is not None:
        document = message.document
        fields = {
            "kind": EventKind.FILE,
            "file": FileRef(
                file_id=document.file_id,
                name=document.file_name or "document",
                size=document.file_size,
                mime_type=document.mime_type,
            ),
        }
    elif message.photo:
        # Telegram sends each photo in several sizes, the largest last.
        photo = message.photo[-1]
        fields = {
            "kind": EventKind.IMAGE,
            "file": FileRef(
                file_id=photo.file_id,
                name="photo.jpg",
                size=photo.file_size,
                mime_type="image/jpeg",
            ),
        }
    elif message.contact is not None and message.contact.user_id == user.id:
        # Only the sender's own number: a contact card of someone else proves nothing.
        fields = {"kind": EventKind.CONTACT, "text": message.contact.phone_number}
    else:
        fields = {"kind": EventKind.UNSUPPORTED}
    return Incoming(
        platform=Platform.TELEGRAM,
        user_id=str(user.id),
        dialog_key=_dialog_key(bot_id, message.chat.id, user.id),
        language_code=user.language_code,
        display_name=user.full_name,
        event_id=str(message.message_id),
        **fields,  # type: ignore[arg-type]
    )


def split_text(text: str, limit: int = MAX_MESSAGE_LENGTH) -> list[str]:
    """Cut a long text into pieces under the limit, on line breaks where possible."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        cut = cut if cut > 0 else limit
        pieces.append(text[:cut])
        text = text[cut:].lstrip("\n")
    pieces.append(text)
    return pieces


def inline_keyboard(buttons: Keyboard) -> InlineKeyboardMarkup | None:
    """Neutral button rows as a Telegram inline keyboard."""
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=button.text, callback_data=button.data) for button in row]
            for row in buttons
        ]
    )


class TelegramResponder:
    """Replies to one Telegram chat."""

    def __init__(self, bot: Bot, chat_id: int) -> None:
        self._bot = bot
        self._chat_id = chat_id

    async def send(self, text: str, *, buttons: Keyboard = ()) -> SentRef:
        """Send text; buttons go under the last piece of a long text, which is returned."""
        pieces = split_text(text)
        for index, piece in enumerate(pieces):
            markup = inline_keyboard(buttons) if index == len(pieces) - 1 else None
            message = await self._bot.send_message(self._chat_id, piece, reply_markup=markup)
        return SentRef(message.message_id)

    async def edit(self, ref: SentRef, text: str, *, buttons: Keyboard = ()) -> None:
        """Edit a message in place; an edit that changes nothing is not an error."""
        try:
            await self._bot.edit_message_text(
                text=split_text(text)[0],
                chat_id=self._chat_id,
                message_id=ref.message_id,
                reply_markup=inline_keyboard(buttons),
            )
        except TelegramBadRequest as error:
            if "message is not modified" not in error.message:
                raise

    async def send_document(self, name: str, content: bytes, *, caption: str = "") -> None:
        """Upload a file into the chat."""
        await self._bot.send_document(
            self._chat_id, BufferedInputFile(content, filename=name), caption=caption or None
        )

    async def send_image(
        self, name: str, png: bytes, *, caption: str = "", preview: bytes | None = None
    ) -> None:
        """Send a photo (Telegram makes its own previews)."""
        del preview
        await self._bot.send_photo(
            self._chat_id, BufferedInputFile(png, filename=name), caption=caption or None
        )

    async def ask_phone(self, text: str, *, label: str) -> None:
        """A one-time keyboard whose button shares the person's own number."""
        keyboard = ReplyKeyboardMarkup(
            keyboard=[[KeyboardButton(text=label, request_contact=True)]],
            resize_keyboard=True,
            one_time_keyboard=True,
        )
        await self._bot.send_message(self._chat_id, text, reply_markup=keyboard)

    def detached(self) -> TelegramResponder:
        """Telegram messages can be sent at any time: this responder itself."""
        return self

    async def download(self, file: FileRef) -> bytes:
        """Fetch an uploaded document through getFile and the file endpoint."""
        buffer = await self._bot.download(file.file_id)
        if buffer is None:  # pragma: no cover - download() returns a buffer when none is given
            raise LookupError("no content")
        return buffer.getvalue()


async def publish_commands(bot: Bot, menus: dict[str, list[tuple[str, str]]]) -> None:
    """Set the command menu Telegram shows, per language; English is also the default."""
    for locale, commands in menus.items():
        await bot.set_my_commands(
            [BotCommand(command=name, description=text) for name, text in commands],
            language_code=None if locale == DEFAULT_LOCALE else locale,
        )
