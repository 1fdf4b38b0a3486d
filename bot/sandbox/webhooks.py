"""Signed webhook requests as the three platforms make them, built in bulk, and posted at
load: what the inbound benchmark and the burst test send to the bot.

The sandbox's own recipients (sandbox.whatsapp.send_text, sandbox.line.send_text...) sign with
these functions too; they also check every body against the platform's spec, which costs more
than a load generator can spend per event, so the bodies here are built directly in the shapes
those checks accept.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp


@dataclass(frozen=True, slots=True)
class SignedPost:
    """One webhook request: the bot's path, the raw body and the platform's headers."""

    path: str
    body: bytes
    headers: dict[str, str]


def whatsapp_headers(app_secret: str, body: bytes) -> dict[str, str]:
    """Meta's X-Hub-Signature-256: sha256= and the hex HMAC of the raw body."""
    digest = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "X-Hub-Signature-256": f"sha256={digest}"}


def line_headers(channel_secret: str, body: bytes) -> dict[str, str]:
    """LINE's X-Line-Signature: the base64 HMAC of the raw body."""
    digest = hmac.new(channel_secret.encode(), body, hashlib.sha256).digest()
    return {
        "Content-Type": "application/json; charset=utf-8",
        "X-Line-Signature": base64.b64encode(digest).decode(),
        "User-Agent": "LineBotWebhook/2.0",
    }


def _whatsapp_post(app_secret: str, value: dict[str, Any]) -> SignedPost:
    payload = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "sandbox", "changes": [{"value": value, "field": "messages"}]}],
    }
    body = json.dumps(payload).encode()
    return SignedPost("/webhooks/whatsapp", body, whatsapp_headers(app_secret, body))


def _metadata(phone_number_id: str) -> dict[str, str]:
    return {"display_phone_number": "15550000000", "phone_number_id": phone_number_id}


def whatsapp_status(
    app_secret: str, phone_number_id: str, *, message_id: str, status: str, recipient: str
) -> SignedPost:
    """A status webhook (delivered, read) for message `message_id` sent to `recipient`."""
    entry = {
        "id": message_id,
        "status": status,
        "timestamp": str(int(time.time())),
        "recipient_id": recipient,
    }
    value = {
        "messaging_product": "whatsapp",
        "metadata": _metadata(phone_number_id),
        "statuses": [entry],
    }
    return _whatsapp_post(app_secret, value)


def whatsapp_text(
    app_secret: str, phone_number_id: str, *, sender: str, message_id: str, text: str
) -> SignedPost:
    """A text message from the WhatsApp number `sender` (digits, no plus)."""
    message = {
        "from": sender,
        "id": message_id,
        "timestamp": str(int(time.time())),
        "type": "text",
        "text": {"body": text},
    }
    value = {
        "messaging_product": "whatsapp",
        "metadata": _metadata(phone_number_id),
        "contacts": [{"profile": {"name": "Test"}, "wa_id": sender}],
        "messages": [message],
    }
    return _whatsapp_post(app_secret, value)


def line_text(
    channel_secret: str,
    destination: str,
    *,
    user_id: str,
    event_id: str,
    message_id: str,
    reply_token: str,
    text: str,
) -> SignedPost:
    """A text message event from the LINE user `user_id`."""
    event = {
        "type": "message",
        "mode": "active",
        "timestamp": int(time.time() * 1000),
        "source": {"type": "user", "userId": user_id},
        "webhookEventId": event_id,
        "deliveryContext": {"isRedelivery": False},
        "replyToken": reply_token,
        "message": {"type": "text", "id": message_id, "quoteToken": reply_token, "text": text},
    }
    body = json.dumps({"destination": destination, "events": [event]}).encode()
    return SignedPost("/webhooks/line", body, line_headers(channel_secret, body))


def telegram_text(
    webhook_secret: str, *, update_id: int, user_id: int, message_id: int, text: str
) -> SignedPost:
    """An update carrying a private-chat text message from the Telegram user `user_id`."""
    user = {"id": user_id, "is_bot": False, "first_name": "Test", "language_code": "en"}
    message = {
        "message_id": message_id,
        "from": user,
        "chat": {"id": user_id, "type": "private", "first_name": "Test"},
        "date": int(time.time()),
        "text": text,
    }
    body = json.dumps({"update_id": update_id, "message": message}).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Telegram-Bot-Api-Secret-Token": webhook_secret,
    }
    return SignedPost("/webhooks/telegram", body, headers)


async def post_all(
    base_url: str, posts: Sequence[SignedPost], *, connections: int = 64
) -> tuple[float, int]:
    """POST every request to the bot at `base_url` over `connections` connections, as fast as
    it answers; the seconds taken and how many answers were not 200."""
    queue: asyncio.Queue[SignedPost] = asyncio.Queue()
    for post in posts:
        queue.put_nowait(post)
    refused = 0

    async def sender(http: aiohttp.ClientSession) -> None:
        nonlocal refused
        while not queue.empty():
            post = queue.get_nowait()
            url = base_url + post.path
            async with http.post(url, data=post.body, headers=post.headers) as answer:
                await answer.read()
                refused += answer.status != 200

    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=connector) as http:
        started = time.perf_counter()
        await asyncio.gather(*(sender(http) for _ in range(connections)))
        return time.perf_counter() - started, refused
