"""LINE stand-in: the users' side (webhook events) and the state the Messaging API serves.

User actions become signed webhook POSTs to the bot's /webhooks/line, shaped like LINE's
(destination, ULID webhookEventId, replyToken where LINE gives one). The bot's side, the
Messaging API, is in line_api.py.
"""

from __future__ import annotations

import itertools
import json
import mimetypes
import secrets
import string
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from .ids import line_token, line_user_id, numeric_id, ulid
from .inbox import Inboxes
from .records import TINY_PNG, SandboxBug, SentMessage
from .webhooks import line_headers

if TYPE_CHECKING:
    from .core import Sandbox
    from .records import Call

REPLY_TOKEN_TTL = timedelta(minutes=1)
# Message types whose sent messages LINE gives a quoteToken for.
_QUOTABLE = frozenset({"text", "textV2", "sticker", "image", "video"})


@dataclass
class LineUser:
    """A person on LINE; `following` is False after they block (unfollow) the account."""

    user_id: str
    display_name: str
    language: str
    following: bool = True
    picture_url: str | None = None


@dataclass
class ReplyToken:
    """A reply token: one use, within REPLY_TOKEN_TTL of the event."""

    user_id: str
    issued: datetime
    used: bool = False


def _postback(action: Any) -> tuple[str, str] | None:
    if isinstance(action, dict) and action.get("type") == "postback":
        return str(action.get("label") or action.get("displayText") or ""), str(
            action.get("data", "")
        )
    return None


def _flex_postbacks(node: Any) -> list[tuple[str, str]]:
    if isinstance(node, dict):
        own = _postback(node.get("action"))
        nested = [found for value in node.values() for found in _flex_postbacks(value)]
        return ([own] if own else []) + nested
    if isinstance(node, list):
        return [found for item in node for found in _flex_postbacks(item)]
    return []


def message_view(message: dict[str, Any]) -> tuple[str | None, list[list[tuple[str, str]]]]:
    """Text and postback button rows of a LINE message object, as tests read them.

    Template actions form one row (per carousel column), each flex postback button a row,
    each quick reply postback item a row of its own.
    """
    kind = message.get("type")
    rows: list[list[tuple[str, str]]] = []
    text: str | None = None
    if kind in ("text", "textV2"):
        text = message.get("text")
    elif kind == "template":
        template = message.get("template") or {}
        text = template.get("text") or message.get("altText")
        columns = template.get("columns") or [template]
        for column in columns:
            row = [b for action in column.get("actions") or [] if (b := _postback(action))]
            if row:
                rows.append(row)
    elif kind == "flex":
        text = message.get("altText")
        rows.extend([button] for button in _flex_postbacks(message.get("contents")))
    for item in (message.get("quickReply") or {}).get("items") or []:
        if button := _postback(item.get("action")):
            rows.append([button])
    return text, rows


class LineStandIn:
    """LINE as the bot sees it, and its users, for tests and the console."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.bot_user_id = line_user_id()
        letters = "".join(secrets.choice(string.ascii_lowercase) for _ in range(5))
        self.basic_id = f"@{numeric_id(3)}{letters}"
        self.users: dict[str, LineUser] = {}
        self.reply_tokens: dict[str, ReplyToken] = {}
        self.contents: dict[str, tuple[bytes, str]] = {}
        self.inboxes = Inboxes("line", sandbox.journal)
        self._message_ids = itertools.count(int(numeric_id(18)))

    def new_user_id(self) -> str:
        """A fresh, valid LINE user id nobody has used yet."""
        return line_user_id()

    def add_user(self, user_id: str, *, language: str = "en", display_name: str = "Test") -> str:
        """Make someone a friend of the account without a follow event (seeding recipients)."""
        self.users[user_id] = LineUser(user_id, display_name, language)
        return user_id

    def next_message_id(self) -> str:
        """LINE message ids are 18-digit decimal strings."""
        return str(next(self._message_ids))

    def issue_reply_token(self, user_id: str) -> str:
        """A reply token for an event from `user_id` (built here or by a load generator)."""
        token = line_token()
        self.reply_tokens[token] = ReplyToken(user_id, self.sandbox.now())
        return token

    # --- the bot's sends (used by line_api) ------------------------------------------------

    def reply_user(self, token: str) -> str | None:
        """Spend a reply token; the user it belongs to, or None if invalid, used or expired."""
        issued = self.reply_tokens.get(token)
        if issued is None or issued.used or self.sandbox.now() - issued.issued > REPLY_TOKEN_TTL:
            return None
        issued.used = True
        return issued.user_id

    def deliver(
        self, user_id: str | None, messages: list[dict[str, Any]], body: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Put messages in a user's inbox (unless they blocked the account, or `user_id` is
        None) and return LINE's sentMessages entries."""
        user = self.users.get(user_id or "")
        sent: list[dict[str, Any]] = []
        for message in messages:
            entry = {"id": self.next_message_id()}
            if message.get("type") in _QUOTABLE:
                entry["quoteToken"] = line_token()
            sent.append(entry)
            if user is not None and user.following:
                text, buttons = message_view(message)
                self.inboxes.add(SentMessage(entry["id"], user.user_id, text, buttons, raw=body))
        return sent

    # --- webhook events --------------------------------------------------------------------

    def _event(
        self, kind: str, user_id: str, *, reply: bool = True, **fields: Any
    ) -> dict[str, Any]:
        now = self.sandbox.now()
        event: dict[str, Any] = {
            "type": kind,
            "mode": "active",
            "timestamp": int(now.timestamp() * 1000),
            "source": {"type": "user", "userId": user_id},
            "webhookEventId": ulid(now),
            "deliveryContext": {"isRedelivery": False},
            **fields,
        }
        if reply:
            event["replyToken"] = self.issue_reply_token(user_id)
        return event

    async def _emit(self, event: dict[str, Any]) -> None:
        body = {"destination": self.bot_user_id, "events": [event]}
        problems = self.sandbox.specs.line.check_webhook(body)
        if problems:
            raise SandboxBug(f"sandbox built an invalid LINE webhook body: {problems}")
        raw = json.dumps(body, ensure_ascii=False).encode()
        headers = line_headers(self.sandbox.credentials.line_channel_secret, raw)
        await self.sandbox.deliver("line", self.sandbox.webhook_url("line"), raw, headers)

    def _sender(self, user_id: str) -> LineUser:
        # Someone who chats without having been seen is taken as a friend already.
        user = self.users.setdefault(user_id, LineUser(user_id, "Test", "en"))
        if not user.following:
            raise ValueError(f"{user_id} has blocked the account; follow() first")
        return user

    async def follow(
        self, user_id: str, *, language: str = "en", display_name: str = "Test"
    ) -> None:
        """The user adds the account as a friend (or unblocks it)."""
        before = self.users.get(user_id)
        self.users[user_id] = LineUser(user_id, display_name, language)
        unblocked = before is not None and not before.following
        await self._emit(self._event("follow", user_id, follow={"isUnblocked": unblocked}))

    async def unfollow(self, user_id: str) -> None:
        """The user blocks the account: no reply token; sends to them are dropped after."""
        self._sender(user_id).following = False
        await self._emit(self._event("unfollow", user_id, reply=False))

    async def send_text(self, user_id: str, text: str) -> None:
        """A text message from the user."""
        self._sender(user_id)
        message = {
            "type": "text",
            "id": self.next_message_id(),
            "quoteToken": line_token(),
            "text": text,
        }
        await self._emit(self._event("message", user_id, message=message))

    async def press_postback(
        self, user_id: str, data: str, *, display_text: str | None = None
    ) -> None:
        """The user taps a postback action (a button, quick reply or rich menu area).

        Any data is accepted, since rich menus the sandbox does not model send postbacks
        too. `display_text` only shows in the user's chat: LINE sends no event for it.
        """
        del display_text  # shown to the user only; nothing reaches the bot
        self._sender(user_id)
        await self._emit(self._event("postback", user_id, postback={"data": data}))

    async def send_file(self, user_id: str, filename: str, content: bytes) -> None:
        """The user sends a file; the bot downloads it from the data host."""
        self._sender(user_id)
        message_id = self.next_message_id()
        mime = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        self.contents[message_id] = (content, mime)
        message = {"type": "file", "id": message_id, "fileName": filename, "fileSize": len(content)}
        await self._emit(self._event("message", user_id, message=message))

    async def send_image(self, user_id: str, content: bytes = TINY_PNG) -> None:
        """The user sends a picture (a tiny one unless given); the bot downloads it."""
        self._sender(user_id)
        message_id = self.next_message_id()
        self.contents[message_id] = (content, "image/png")
        message = {
            "type": "image",
            "id": message_id,
            "quoteToken": line_token(),
            "contentProvider": {"type": "line"},
        }
        await self._emit(self._event("message", user_id, message=message))

    async def send_sticker(self, user_id: str) -> None:
        """The user sends a sticker."""
        self._sender(user_id)
        message = {
            "type": "sticker",
            "id": self.next_message_id(),
            "quoteToken": line_token(),
            "packageId": "446",
            "stickerId": "1988",
            "stickerResourceType": "STATIC",
            "keywords": ["Happy"],
        }
        await self._emit(self._event("message", user_id, message=message))

    # --- what tests read -------------------------------------------------------------------

    def inbox(self, user_id: str) -> list[SentMessage]:
        """Reply, push and multicast messages the user received, in order."""
        return self.inboxes.inbox(user_id)

    async def next_message(self, user_id: str, *, timeout: float = 5.0) -> SentMessage:  # noqa: ASYNC109 - a bounded wait callers tune
        """The next message to that user that this method has not returned yet."""
        try:
            return await self.inboxes.next_message(user_id, timeout=timeout)
        except TimeoutError:
            raise AssertionError(
                self.sandbox.explain_silence("line", user_id, timeout, self.inbox(user_id))
            ) from None

    async def wait_for_call(self, method: str, *, timeout: float = 5.0) -> Call:  # noqa: ASYNC109 - a bounded wait callers tune
        """The next call to "VERB /path" or "/path" (e.g. "/v2/bot/message/push")."""
        return await self.sandbox.wait_for_call("line", method, timeout=timeout)
