"""Bot API methods that send, edit and delete messages, with Telegram's own refusals."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .records import SentMessage
from .telegram_objects import StoredFile, keyboard_rows
from .telegram_params import Params, TelegramError, chat_of
from .telegram_text import MAX_CAPTION, MAX_TEXT, EntityParseError, format_text, utf16_len

if TYPE_CHECKING:
    from .telegram import TelegramStandIn

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
# A button needs one of these besides its text, or Telegram refuses the keyboard.
_BUTTON_ACTIONS = frozenset(
    {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)


class MessageMethods:
    """sendMessage, sendDocument, sendPhoto, editMessage*, deleteMessage, answerCallbackQuery,
    sendChatAction."""

    def __init__(self, stand_in: TelegramStandIn) -> None:
        self.tg = stand_in

    def _text(
        self, p: Params, field: str, entities: str, *, caption: bool
    ) -> tuple[str, list[Any]]:
        try:
            text, parsed = format_text(p.str(field) or "", p.str("parse_mode"), p.json(entities))
        except EntityParseError as error:
            raise TelegramError(400, f"Bad Request: can't parse entities: {error}") from None
        if caption:
            if utf16_len(text) > MAX_CAPTION:
                raise TelegramError(400, "Bad Request: message caption is too long")
        elif not text:
            raise TelegramError(400, "Bad Request: message text is empty")
        elif utf16_len(text) > MAX_TEXT:
            raise TelegramError(400, "Bad Request: message is too long")
        return text, parsed

    def _markup(self, p: Params) -> dict[str, Any] | None:
        markup = p.json("reply_markup")
        if not isinstance(markup, dict):
            return None
        for row in markup.get("inline_keyboard") or []:
            for button in row:
                if not _BUTTON_ACTIONS & set(button):
                    raise TelegramError(
                        400,
                        "Bad Request: can't parse inline keyboard button: "
                        "Text buttons are unallowed in the inline keyboard",
                    )
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= 64:
                    raise TelegramError(400, "Bad Request: BUTTON_DATA_INVALID")
        return markup

    def _input_file(self, p: Params, field: str) -> StoredFile:
        part = p.upload(field)
        if part is not None:
            return self.tg.store_file(part.filename, part.file.read(), part.content_type)
        value = p.str(field) or ""
        if value in self.tg.files:
            return self.tg.files[value]
        if value.startswith(("http://", "https://")):
            # The sandbox fetches nothing from the internet; keep the name only.
            return self.tg.store_file(value.rsplit("/", 1)[-1] or "file", b"")
        raise TelegramError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    def _send(
        self,
        chat_id: int,
        p: Params,
        content: dict[str, Any],
        *,
        document: StoredFile | None = None,
    ) -> dict[str, Any]:
        tg = self.tg
        message: dict[str, Any] = {
            "message_id": tg.next_message_id(chat_id),
            "from": tg.bot_user,
            "chat": tg.chat(chat_id),
            "date": tg.now(),
        }
        message.update({key: value for key, value in content.items() if value})
        reply = p.json("reply_parameters")
        if isinstance(reply, dict) and (
            replied := tg.messages.get((chat_id, int(reply.get("message_id", 0))))
        ):
            message["reply_to_message"] = {
                k: v for k, v in replied.items() if k != "reply_to_message"
            }
        markup = self._markup(p)
        if markup and "inline_keyboard" in markup:
            # Only inline keyboards belong to the message; reply keyboards are the chat's.
            message["reply_markup"] = markup
        tg.messages[(chat_id, message["message_id"])] = message
        tg.inboxes.add(
            SentMessage(
                message_id=message["message_id"],
                chat_id=chat_id,
                text=message.get("text", message.get("caption")),
                buttons=keyboard_rows(markup),
                document=(document.name, document.content) if document else None,
                raw=p.values,
            )
        )
        return message

    def _editable(self, p: Params) -> tuple[dict[str, Any], SentMessage]:
        if p.raw("inline_message_id") is not None:
            raise TelegramError(400, "Bad Request: MESSAGE_ID_INVALID")
        chat_id = chat_of(self.tg, p)
        message_id = p.int("message_id")
        message = self.tg.messages.get((chat_id, message_id or 0))
        sent = self.tg.inboxes.find(chat_id, message_id or 0)
        if message is None or sent is None:
            raise TelegramError(400, "Bad Request: message to edit not found")
        return message, sent

    def _edit(
        self, message: dict[str, Any], sent: SentMessage, p: Params, changes: dict[str, Any]
    ) -> dict[str, Any]:
        if all(message.get(key) == (value or None) for key, value in changes.items()):
            raise TelegramError(400, NOT_MODIFIED)
        for key, value in changes.items():
            if value:
                message[key] = value
            else:
                message.pop(key, None)
        message["edit_date"] = self.tg.now()
        sent.text = message.get("text", message.get("caption"))
        sent.buttons = keyboard_rows(message.get("reply_markup"))
        sent.edited = True
        sent.raw = p.values
        self.tg.inboxes.changed(sent)
        return message

    def _inline(self, p: Params) -> dict[str, Any] | None:
        markup = self._markup(p)
        return markup if markup and markup.get("inline_keyboard") else None

    async def send_message(self, p: Params) -> dict[str, Any]:
        """sendMessage."""
        chat_id = chat_of(self.tg, p)
        text, entities = self._text(p, "text", "entities", caption=False)
        return self._send(chat_id, p, {"text": text, "entities": entities})

    async def send_document(self, p: Params) -> dict[str, Any]:
        """sendDocument (multipart upload, a known file_id, or a URL)."""
        chat_id = chat_of(self.tg, p)
        caption, entities = self._text(p, "caption", "caption_entities", caption=True)
        stored = self._input_file(p, "document")
        content = {
            "document": stored.as_document(),
            "caption": caption,
            "caption_entities": entities,
        }
        return self._send(chat_id, p, content, document=stored)

    async def send_photo(self, p: Params) -> dict[str, Any]:
        """sendPhoto."""
        chat_id = chat_of(self.tg, p)
        caption, entities = self._text(p, "caption", "caption_entities", caption=True)
        stored = self._input_file(p, "photo")
        content = {"photo": stored.as_photo(), "caption": caption, "caption_entities": entities}
        return self._send(chat_id, p, content, document=stored)

    async def edit_message_text(self, p: Params) -> dict[str, Any]:
        """editMessageText (leaving out reply_markup removes the inline keyboard)."""
        message, sent = self._editable(p)
        if "text" not in message:
            raise TelegramError(400, "Bad Request: there is no text in the message to edit")
        text, entities = self._text(p, "text", "entities", caption=False)
        changes = {"text": text, "entities": entities, "reply_markup": self._inline(p)}
        return self._edit(message, sent, p, changes)

    async def edit_message_caption(self, p: Params) -> dict[str, Any]:
        """editMessageCaption."""
        message, sent = self._editable(p)
        if "text" in message:
            raise TelegramError(400, "Bad Request: there is no caption in the message to edit")
        caption, entities = self._text(p, "caption", "caption_entities", caption=True)
        changes = {
            "caption": caption,
            "caption_entities": entities,
            "reply_markup": self._inline(p),
        }
        return self._edit(message, sent, p, changes)

    async def edit_message_reply_markup(self, p: Params) -> dict[str, Any]:
        """editMessageReplyMarkup."""
        message, sent = self._editable(p)
        return self._edit(message, sent, p, {"reply_markup": self._inline(p)})

    async def delete_message(self, p: Params) -> bool:
        """deleteMessage (the bot may delete both sides' messages in a private chat)."""
        chat_id = chat_of(self.tg, p, sending=False)
        message_id = p.int("message_id") or 0
        if self.tg.messages.pop((chat_id, message_id), None) is None:
            raise TelegramError(400, "Bad Request: message to delete not found")
        if sent := self.tg.inboxes.find(chat_id, message_id):
            sent.deleted = True
            self.tg.inboxes.changed(sent)
        return True

    async def answer_callback_query(self, p: Params) -> bool:
        """answerCallbackQuery: once per query."""
        query_id = p.str("callback_query_id") or ""
        if self.tg.callback_queries.get(query_id) is not False:
            raise TelegramError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        self.tg.callback_queries[query_id] = True
        return True

    async def send_chat_action(self, p: Params) -> bool:
        """sendChatAction."""
        chat_of(self.tg, p)
        return True
