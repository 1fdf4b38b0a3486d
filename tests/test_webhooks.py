"""Webhook endpoints: a bad signature gets 401 and nothing is processed."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import aiohttp
import pytest

from models import ChatAccount
from tests.support.harness import Harness


def _line_event_body(user_id: str) -> bytes:
    event = {
        "type": "follow",
        "mode": "active",
        "timestamp": 1763891234000,
        "source": {"type": "user", "userId": user_id},
        "webhookEventId": "01JD0000000000000000000000",
        "deliveryContext": {"isRedelivery": False},
        "replyToken": "0f3779fba3b349968c5d07db31eab56f",
        "follow": {"isUnblocked": False},
    }
    return json.dumps({"destination": "U" + "0" * 32, "events": [event]}).encode()


async def test_telegram_webhook_refuses_a_wrong_secret(harness: Harness) -> None:
    update = {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": 1763891234,
            "chat": {"id": 42, "type": "private"},
            "from": {"id": 42, "is_bot": False, "first_name": "Eve"},
            "text": "/start",
        },
    }
    async with aiohttp.ClientSession() as http:
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
            response = await http.post(
                f"{harness.bot_url}/webhooks/telegram", json=update, headers=headers
            )
            assert response.status == 401
    assert harness.sandbox.telegram.inbox(42) == []
    assert not await ChatAccount.exists()


@pytest.mark.parametrize("signature", ["", "bm90IGEgc2lnbmF0dXJl", None])
async def test_line_webhook_refuses_a_bad_signature(
    harness: Harness, signature: str | None
) -> None:
    user_id = harness.sandbox.line.new_user_id()
    body = _line_event_body(user_id)
    if signature is None:
        # Signed with the wrong secret.
        signature = base64.b64encode(hmac.new(b"wrong", body, hashlib.sha256).digest()).decode()
    async with aiohttp.ClientSession() as http:
        response = await http.post(
            f"{harness.bot_url}/webhooks/line",
            data=body,
            headers={"X-Line-Signature": signature, "Content-Type": "application/json"},
        )
    assert response.status == 401
    assert not await ChatAccount.exists()


async def test_line_webhook_accepts_a_good_signature(harness: Harness) -> None:
    user_id = harness.sandbox.line.new_user_id()
    await harness.sandbox.line.follow(user_id)
    assert "Welcome" in ((await harness.sandbox.line.next_message(user_id)).text or "")


async def test_whatsapp_handshake_and_signature(harness: Harness) -> None:
    settings = harness.app.settings
    assert settings.WHATSAPP_VERIFY_TOKEN is not None
    assert settings.WHATSAPP_APP_SECRET is not None
    verify = settings.WHATSAPP_VERIFY_TOKEN.get_secret_value()
    url = f"{harness.bot_url}/webhooks/whatsapp"
    body = json.dumps({"object": "whatsapp_business_account", "entry": []}).encode()
    good = hmac.new(settings.WHATSAPP_APP_SECRET.get_secret_value().encode(), body, hashlib.sha256)
    async with aiohttp.ClientSession() as http:
        ok = await http.get(
            url,
            params={
                "hub.mode": "subscribe",
                "hub.verify_token": verify,
                "hub.challenge": "1158201444",
            },
        )
        assert ok.status == 200
        assert await ok.text() == "1158201444"
        wrong = await http.get(
            url, params={"hub.mode": "subscribe", "hub.verify_token": "x", "hub.challenge": "1"}
        )
        assert wrong.status == 403
        for header in ("", "sha256=" + "0" * 64, "md5=abc"):
            refused = await http.post(url, data=body, headers={"X-Hub-Signature-256": header})
            assert refused.status == 401
        accepted = await http.post(
            url, data=body, headers={"X-Hub-Signature-256": "sha256=" + good.hexdigest()}
        )
        assert accepted.status == 200


async def test_health_and_metrics(harness: Harness) -> None:
    async with aiohttp.ClientSession() as http:
        health = await http.get(f"{harness.bot_url}/healthz")
        assert health.status == 200
        assert (await health.json())["checks"]["database"] == "ok"
        await http.post(f"{harness.bot_url}/webhooks/line", data=b"{}")
        metrics = await http.get(f"{harness.bot_url}/metrics")
        text = await metrics.text()
    assert metrics.headers["Content-Type"].startswith("text/plain")
    assert 'broadside_webhook_requests_total{outcome="unauthorized",platform="line"} 1.0' in text
