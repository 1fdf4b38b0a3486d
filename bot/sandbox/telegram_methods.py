"""The Bot API methods the Telegram stand-in implements, with Telegram's own errors.

Each method takes the decoded request (`Params`) and returns the `result` Telegram would,
or raises TelegramError with Telegram's wording: bots match on these descriptions. The
message methods live in telegram_messages.py.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from .telegram_messages import MessageMethods
from .telegram_objects import Webhook
from .telegram_params import Method, Params, TelegramError, chat_of

if TYPE_CHECKING:
    from .telegram import TelegramStandIn

MAX_POLL_SECONDS = 50  # Telegram caps the long-poll timeout too
MAX_DOWNLOAD = 20 * 1024 * 1024  # getFile refuses bigger files
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


class TelegramMethods:
    """The Bot API as the sandbox implements it (see `table()`)."""

    def __init__(self, stand_in: TelegramStandIn) -> None:
        self.tg = stand_in
        self.messages = MessageMethods(stand_in)

    def table(self) -> dict[str, Method]:
        """Implemented methods by lower-cased name (Telegram ignores the case)."""
        methods = [
            Method("getMe", self.get_me, "User"),
            Method("getUpdates", self.get_updates, "Array of Update"),
            Method("setWebhook", self.set_webhook, None),
            Method("deleteWebhook", self.delete_webhook, None),
            Method("getWebhookInfo", self.get_webhook_info, "WebhookInfo"),
            Method("sendMessage", self.messages.send_message, "Message"),
            Method("sendDocument", self.messages.send_document, "Message"),
            Method("sendPhoto", self.messages.send_photo, "Message"),
            Method("editMessageText", self.messages.edit_message_text, "Message"),
            Method("editMessageCaption", self.messages.edit_message_caption, "Message"),
            Method("editMessageReplyMarkup", self.messages.edit_message_reply_markup, "Message"),
            Method("deleteMessage", self.messages.delete_message, None),
            Method("answerCallbackQuery", self.messages.answer_callback_query, None),
            Method("getFile", self.get_file, "File"),
            Method("setMyCommands", self.set_my_commands, None),
            Method("getMyCommands", self.get_my_commands, "Array of BotCommand"),
            Method("deleteMyCommands", self.delete_my_commands, None),
            Method("getChat", self.get_chat, "ChatFullInfo"),
            Method("sendChatAction", self.messages.send_chat_action, None),
            Method("close", self.trivial, None),
            Method("logOut", self.trivial, None),
        ]
        return {method.name.lower(): method for method in methods}

    async def get_me(self, _p: Params) -> dict[str, Any]:
        """getMe."""
        extra = {"can_join_groups": True, "can_read_all_group_messages": False}
        return {**self.tg.bot_user, **extra, "supports_inline_queries": False}

    async def get_updates(self, p: Params) -> list[dict[str, Any]]:
        """getUpdates: real long polling, one poller at a time, never beside a webhook."""
        tg = self.tg
        if tg.webhook.url:
            raise TelegramError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        allowed = p.json("allowed_updates")
        if allowed is not None:
            tg.allowed_updates = allowed or None
        tg.confirm(p.int("offset"))
        tg.poll_generation += 1
        generation = tg.poll_generation
        tg.updates_changed.notify()  # a poller still waiting is now superseded

        def probe() -> str | None:
            if generation != tg.poll_generation:
                return "superseded"
            if tg.pending or tg.webhook.url or tg.sandbox.closing:
                return "ready"
            return None

        timeout = min(max(p.int("timeout") or 0, 0), MAX_POLL_SECONDS)
        tg.polls_waiting += 1
        tg.sandbox.changes.notify()
        try:
            state = await tg.updates_changed.wait_for(probe, timeout=timeout)
        except TimeoutError:
            state = "ready"
        finally:
            tg.polls_waiting -= 1
        if state == "superseded":
            raise TelegramError(
                409,
                "Conflict: terminated by other getUpdates request; "
                "make sure that only one bot instance is running",
            )
        limit = min(max(p.int("limit") or 100, 1), 100)
        return tg.pending[:limit]

    async def set_webhook(self, p: Params) -> bool:
        """setWebhook (plain http is allowed: the bot listens on loopback)."""
        url = p.str("url") or ""
        secret = p.str("secret_token")
        if secret is not None and not _SECRET.fullmatch(secret):
            raise TelegramError(400, "Bad Request: secret token contains unallowed characters")
        if url and not url.startswith(("http://", "https://")):
            raise TelegramError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        if p.bool("drop_pending_updates"):
            self.tg.pending.clear()
        self.tg.webhook = Webhook(
            url=url,
            secret=secret,
            allowed_updates=p.json("allowed_updates") or None,
            max_connections=p.int("max_connections") or 40,
        )
        self.tg.updates_changed.notify()
        if url and self.tg.pending:
            self.tg.sandbox.spawn(self.tg.flush_pending())
        return True

    async def delete_webhook(self, p: Params) -> bool:
        """deleteWebhook."""
        if p.bool("drop_pending_updates"):
            self.tg.pending.clear()
        self.tg.webhook = Webhook()
        return True

    async def get_webhook_info(self, _p: Params) -> dict[str, Any]:
        """getWebhookInfo."""
        hook = self.tg.webhook
        info: dict[str, Any] = {
            "url": hook.url,
            "has_custom_certificate": False,
            "pending_update_count": len(self.tg.pending),
        }
        if hook.url:
            info["max_connections"] = hook.max_connections
            if hook.allowed_updates:
                info["allowed_updates"] = hook.allowed_updates
        if hook.last_error_date is not None:
            info["last_error_date"] = hook.last_error_date
            info["last_error_message"] = hook.last_error_message
        return info

    async def get_file(self, p: Params) -> dict[str, Any]:
        """getFile: a download path under /telegram/file/bot<token>/."""
        stored = self.tg.files.get(p.str("file_id") or "")
        if stored is None:
            raise TelegramError(400, "Bad Request: invalid file_id")
        if len(stored.content) > MAX_DOWNLOAD:
            raise TelegramError(400, "Bad Request: file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }

    def _commands_key(self, p: Params) -> tuple[str, str]:
        scope = p.json("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), p.str("language_code") or ""

    async def set_my_commands(self, p: Params) -> bool:
        """setMyCommands."""
        commands = p.json("commands") or []
        for command in commands:
            if not _COMMAND.fullmatch(str(command.get("command", ""))):
                raise TelegramError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise TelegramError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self.tg.commands[self._commands_key(p)] = commands
        return True

    async def get_my_commands(self, p: Params) -> list[dict[str, Any]]:
        """getMyCommands (exactly that scope and language, like Telegram)."""
        return self.tg.commands.get(self._commands_key(p), [])

    async def delete_my_commands(self, p: Params) -> bool:
        """deleteMyCommands."""
        self.tg.commands.pop(self._commands_key(p), None)
        return True

    async def get_chat(self, p: Params) -> dict[str, Any]:
        """getChat for a user's private chat."""
        chat_id = chat_of(self.tg, p, sending=False)
        gifts = dict.fromkeys(
            ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription"), True
        )
        return {
            **self.tg.chat(chat_id),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {**gifts, "gifts_from_channels": True},
        }

    async def trivial(self, _p: Params) -> bool:
        """close and logOut: nothing to do in a sandbox."""
        return True
