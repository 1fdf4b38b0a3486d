"""Telegram stand-in: the users' side (what they do) and the state the Bot API serves.

Users act through the methods here; their actions become Update objects that go to the
bot's webhook (if it set one) or wait for getUpdates, as on Telegram. The bot's side, the
Bot API methods, is in telegram_methods.py and telegram_api.py.
"""

from __future__ import annotations

import itertools
import json
import mimetypes
import re
from typing import TYPE_CHECKING, Any

from .ids import numeric_id, telegram_file_id, telegram_file_unique_id
from .inbox import Changes, Inboxes
from .records import TINY_PNG, SandboxBug, SentMessage
from .telegram_objects import StoredFile, Webhook
from .telegram_text import command_entities

if TYPE_CHECKING:
    from .core import Sandbox
    from .records import Call

# Updates Telegram leaves out unless the bot lists them in allowed_updates.
_NOT_SENT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


class TelegramStandIn:
    """Telegram as the bot sees it, and its users, for tests and the console."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        bot_id = int(sandbox.credentials.telegram_token.split(":", 1)[0])
        self.bot_user: dict[str, Any] = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "Broadside Sandbox",
            "username": "broadside_sandbox_bot",
        }
        self.users: dict[int, dict[str, Any]] = {}
        self.blocked: set[int] = set()
        self.webhook = Webhook()
        self.allowed_updates: list[str] | None = None
        self.pending: list[dict[str, Any]] = []
        self.updates_changed = Changes()
        self.poll_generation = 0
        self.polls_waiting = 0
        self.files: dict[str, StoredFile] = {}
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.callback_queries: dict[str, bool] = {}
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.inboxes = Inboxes("telegram", sandbox.journal)
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._chat_instances: dict[int, str] = {}
        self._file_numbers = itertools.count(1)

    # --- state shared with the Bot API methods -------------------------------------------

    def now(self) -> int:
        """Telegram's `date`: Unix seconds."""
        return int(self.sandbox.now().timestamp())

    def add_user(
        self, user_id: int, *, first_name: str = "Test", language_code: str | None = "en"
    ) -> dict[str, Any]:
        """Register (or update) a person who has started the bot; returns their User."""
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code:
            user["language_code"] = language_code
        self.users[user_id] = user
        return user

    def chat(self, chat_id: int) -> dict[str, Any]:
        """The private Chat object of a user's chat with the bot."""
        user = self.users[chat_id]
        return {"id": chat_id, "type": "private", "first_name": user["first_name"]}

    def next_message_id(self, chat_id: int) -> int:
        """Message ids count up per private chat, shared by both sides."""
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def store_file(self, name: str, content: bytes, mime_type: str | None = None) -> StoredFile:
        """Keep a file and give it ids and a download path."""
        number = next(self._file_numbers)
        # Uploads arrive as application/octet-stream; Telegram then goes by the file name.
        declared = mime_type if mime_type != "application/octet-stream" else None
        mime = declared or mimetypes.guess_type(name)[0] or "application/octet-stream"
        folder = "photos" if mime.startswith("image/") else "documents"
        suffix = re.sub(r"\W", "", name.rsplit(".", 1)[-1])[:10] if "." in name else ""
        stored = StoredFile(
            telegram_file_id(),
            telegram_file_unique_id(),
            f"{folder}/file_{number}.{suffix or 'bin'}",
            name,
            mime,
            content,
        )
        self.files[stored.file_id] = stored
        return stored

    def file_by_path(self, file_path: str) -> StoredFile | None:
        """The file served at a download path."""
        return next((f for f in self.files.values() if f.file_path == file_path), None)

    # --- updates: webhook or getUpdates ----------------------------------------------------

    async def emit(self, kind: str, payload: dict[str, Any]) -> None:
        """Turn a user's action into an Update for the bot."""
        update = {"update_id": next(self._update_ids), kind: payload}
        problems = self.sandbox.specs.telegram.check_object("Update", update)
        if problems:
            raise SandboxBug(f"sandbox built an invalid Telegram Update: {problems}")
        allowed = self.webhook.allowed_updates if self.webhook.url else self.allowed_updates
        if allowed:
            if kind not in allowed:
                return
        elif kind in _NOT_SENT_BY_DEFAULT:
            return
        if self.webhook.url:
            await self._post(update)
        else:
            self.pending.append(update)
            self.updates_changed.notify()

    async def _post(self, update: dict[str, Any]) -> None:
        headers = {"Content-Type": "application/json"}
        if self.webhook.secret:
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook.secret
        body = json.dumps(update, ensure_ascii=False).encode()
        delivery = await self.sandbox.deliver("telegram", self.webhook.url, body, headers)
        if not delivery.ok:
            # Telegram retries for a while; the sandbox reports the error like getWebhookInfo.
            self.webhook.last_error_date = self.now()
            self.webhook.last_error_message = (
                f"Wrong response from the webhook: {delivery.status}"
                if delivery.status is not None
                else f"Connection failed: {delivery.error}"
            )

    async def flush_pending(self) -> None:
        """Send updates that queued while there was no webhook (after setWebhook)."""
        while self.pending and self.webhook.url:
            await self._post(self.pending.pop(0))

    def confirm(self, offset: int | None) -> None:
        """getUpdates' offset: forget updates below it (negative: keep only the last few)."""
        if offset is None:
            return
        if offset < 0:
            self.pending = self.pending[offset:]
        else:
            self.pending = [u for u in self.pending if u["update_id"] >= offset]

    # --- what users do --------------------------------------------------------------------

    def _actor(
        self,
        user_id: int,
        *,
        first_name: str = "Test",
        language_code: str | None = "en",
        refresh: bool = False,
    ) -> dict[str, Any]:
        # Every update carries the user's current profile, so send_text refreshes it.
        if user_id in self.blocked:
            raise ValueError(f"user {user_id} has blocked the bot; unblock() first")
        if refresh or user_id not in self.users:
            return self.add_user(user_id, first_name=first_name, language_code=language_code)
        return self.users[user_id]

    def _user_message(self, user: dict[str, Any], **content: Any) -> dict[str, Any]:
        chat_id = user["id"]
        message = {
            "message_id": self.next_message_id(chat_id),
            "from": user,
            "chat": self.chat(chat_id),
            "date": self.now(),
            **content,
        }
        self.messages[(chat_id, message["message_id"])] = message
        return message

    async def send_text(
        self,
        user_id: int,
        text: str,
        *,
        language_code: str | None = "en",
        first_name: str = "Test",
    ) -> None:
        """A private-chat message from the user; commands carry bot_command entities."""
        user = self._actor(
            user_id, first_name=first_name, language_code=language_code, refresh=True
        )
        content: dict[str, Any] = {"text": text}
        if entities := command_entities(text):
            content["entities"] = entities
        await self.emit("message", self._user_message(user, **content))

    async def send_document(
        self,
        user_id: int,
        filename: str,
        content: bytes,
        mime_type: str = "application/octet-stream",
    ) -> None:
        """The user sends a file; the bot can getFile and download it."""
        user = self._actor(user_id)
        stored = self.store_file(filename, content, mime_type)
        await self.emit("message", self._user_message(user, document=stored.as_document()))

    async def send_photo(self, user_id: int, content: bytes = TINY_PNG) -> None:
        """The user sends a picture (a tiny one unless given)."""
        user = self._actor(user_id)
        stored = self.store_file("photo.png", content, "image/png")
        await self.emit("message", self._user_message(user, photo=stored.as_photo()))

    async def share_contact(self, user_id: int, phone_number: str) -> None:
        """The user taps a request_contact button: their own number, as Telegram sends it."""
        user = self._actor(user_id)
        contact = {
            "phone_number": phone_number,
            "first_name": user["first_name"],
            "user_id": user_id,
        }
        await self.emit("message", self._user_message(user, contact=contact))

    async def send_sticker(self, user_id: int) -> None:
        """The user sends a sticker."""
        user = self._actor(user_id)
        sticker = {
            "file_id": telegram_file_id(),
            "file_unique_id": telegram_file_unique_id(),
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "\N{THUMBS UP SIGN}",
        }
        await self.emit("message", self._user_message(user, sticker=sticker))

    async def press_button(self, user_id: int, message: SentMessage, data: str) -> None:
        """The user presses the inline button with this callback_data under a bot message."""
        user = self._actor(user_id)
        stored = self.messages.get((user_id, int(message.message_id)))
        if message.chat_id != user_id or stored is None or stored.get("from") != self.bot_user:
            raise ValueError(f"message {message.message_id} is not a bot message in chat {user_id}")
        rows = (stored.get("reply_markup") or {}).get("inline_keyboard", [])
        offered = [button.get("callback_data") for row in rows for button in row]
        if data not in offered:
            raise ValueError(f"no inline button with callback_data {data!r}; offered: {offered}")
        query_id = numeric_id(19)
        self.callback_queries[query_id] = False
        instance = self._chat_instances.setdefault(user_id, numeric_id(19))
        query = {"id": query_id, "from": user, "message": stored, "chat_instance": instance}
        await self.emit("callback_query", {**query, "data": data})

    async def block(self, user_id: int) -> None:
        """The user blocks the bot: a my_chat_member update, then 403 on every send."""
        if user_id in self.blocked:
            return
        user = self._actor(user_id)
        self.blocked.add(user_id)
        await self.emit("my_chat_member", self._member_change(user, "member", "kicked"))

    async def unblock(self, user_id: int) -> None:
        """The user unblocks (restarts) the bot."""
        if user_id not in self.blocked:
            return
        self.blocked.discard(user_id)
        user = self.users[user_id]
        await self.emit("my_chat_member", self._member_change(user, "kicked", "member"))

    def _member_change(self, user: dict[str, Any], old: str, new: str) -> dict[str, Any]:
        def member(status: str) -> dict[str, Any]:
            state: dict[str, Any] = {"status": status, "user": self.bot_user}
            if status == "kicked":
                state["until_date"] = 0
            return state

        return {
            "chat": self.chat(user["id"]),
            "from": user,
            "date": self.now(),
            "old_chat_member": member(old),
            "new_chat_member": member(new),
        }

    # --- what tests read -------------------------------------------------------------------

    def inbox(self, chat_id: int) -> list[SentMessage]:
        """Everything the bot sent to the chat, in order (edited in place, deletions left out)."""
        return self.inboxes.inbox(chat_id)

    async def next_message(self, chat_id: int, *, timeout: float = 5.0) -> SentMessage:  # noqa: ASYNC109 - a bounded wait callers tune
        """The next bot message in the chat that this method has not returned yet."""
        try:
            return await self.inboxes.next_message(chat_id, timeout=timeout)
        except TimeoutError:
            raise AssertionError(
                self.sandbox.explain_silence("telegram", chat_id, timeout, self.inbox(chat_id))
            ) from None

    async def wait_for_poll(self, *, timeout: float = 5.0) -> None:  # noqa: ASYNC109 - a bounded wait callers tune
        """Return once the bot is waiting in a getUpdates long poll."""
        await self.sandbox.changes.wait_for(
            lambda: True if self.polls_waiting else None, timeout=timeout
        )

    async def wait_for_call(self, method: str, *, timeout: float = 5.0) -> Call:  # noqa: ASYNC109 - a bounded wait callers tune
        """The next call of a Bot API method (e.g. answerCallbackQuery) not yet returned."""
        return await self.sandbox.wait_for_call("telegram", method, timeout=timeout)
