"""Requests a platform would never send but an attacker can: forged, unsigned, replayed.

Sent over real HTTP to the bot's webhooks through the sandbox (`deliver_raw`), so they take
the path a real request takes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
from typing import Any

from bot.sandbox import SentMessage
from models import Platform
from tests.support.harness import Harness

# Far above the sandbox's own update ids, so a forged update is never taken as a redelivery.
_FORGED_UPDATE_IDS = itertools.count(900_000_000)


# The three webhooks, by the sandbox's names for them (WhatsApp is no member platform).
WEBHOOKS = ("telegram", "line", "whatsapp")


def signed_headers(harness: Harness, webhook: str, body: bytes) -> dict[str, str]:
    """The headers the platform itself would send `body` with."""
    creds = harness.sandbox.credentials
    if webhook == "telegram":
        return {"X-Telegram-Bot-Api-Secret-Token": creds.telegram_webhook_secret}
    if webhook == "line":
        digest = hmac.new(creds.line_channel_secret.encode(), body, hashlib.sha256).digest()
        return {"X-Line-Signature": base64.b64encode(digest).decode()}
    digest = hmac.new(creds.whatsapp_app_secret.encode(), body, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": f"sha256={digest}"}


async def post(harness: Harness, webhook: str, body: bytes, headers: dict[str, str]) -> int | None:
    """POST `body` to the bot's webhook (telegram, line, whatsapp); the status it answered."""
    headers = {"Content-Type": "application/json", **headers}
    return (await harness.sandbox.deliver_raw(webhook, body, headers)).status  # type: ignore[arg-type]


async def press_any(
    harness: Harness, platform: Platform, user_id: str, under: SentMessage, data: str
) -> None:
    """Press a button with any payload: a LINE postback as any client can post it; on
    Telegram a callback_query with forged callback_data under a real bot message of the chat,
    which modified clients send (the Bot API warns that `data` may be anything)."""
    if platform is Platform.LINE:
        await harness.sandbox.line.press_postback(user_id, data)
        return
    telegram = harness.sandbox.telegram
    chat_id = int(user_id)
    query_id = str(next(_FORGED_UPDATE_IDS))
    # Telegram issues the query's id whatever the data holds; the stand-in records it so that
    # answerCallbackQuery finds it, as press_button does.
    telegram.callback_queries[query_id] = False
    query: dict[str, Any] = {
        "id": query_id,
        "from": telegram.users[chat_id],
        "message": telegram.messages[(chat_id, int(under.message_id))],
        "chat_instance": "1",
        "data": data,
    }
    body = json.dumps({"update_id": next(_FORGED_UPDATE_IDS), "callback_query": query}).encode()
    assert await post(harness, "telegram", body, signed_headers(harness, "telegram", body)) == 200
