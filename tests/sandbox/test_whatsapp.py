"""The WhatsApp Cloud API stand-in, driven over real loopback HTTP like the dispatcher does."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot.sandbox import Sandbox
from tests.sandbox.helpers import Receiver, Served


@pytest.fixture
async def graph(served: Served) -> AsyncIterator[aiohttp.ClientSession]:
    """A client session that carries the bot's WhatsApp token."""
    token = served.sandbox.credentials.whatsapp_token
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {token}"}) as session:
        yield session


def _messages_url(served: Served, phone_number_id: str | None = None) -> str:
    number = phone_number_id or served.sandbox.credentials.whatsapp_phone_number_id
    return f"{served.url}/whatsapp/v23.0/{number}/messages"


def _text(to: str, body: str) -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "text",
        "text": {"body": body},
    }


def _verified(sandbox: Sandbox, receiver: Receiver) -> list[dict[str, Any]]:
    """Webhook bodies, each after checking X-Hub-Signature-256 the way the bot must."""
    secret = sandbox.credentials.whatsapp_app_secret.encode()
    bodies = []
    for received in receiver.requests:
        expected = "sha256=" + hmac.new(secret, received.body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(received.headers["X-Hub-Signature-256"], expected)
        bodies.append(json.loads(received.body))
    return bodies


async def test_a_text_message_is_accepted_and_delivered(
    served: Served, graph: aiohttp.ClientSession
) -> None:
    response = await graph.post(_messages_url(served), json=_text("+1 555-000-1234", "Hello"))
    answer = await response.json()
    assert response.status == 200
    assert answer["messaging_product"] == "whatsapp"
    assert answer["contacts"] == [{"input": "+1 555-000-1234", "wa_id": "15550001234"}]
    wamid = answer["messages"][0]["id"]
    assert wamid.startswith("wamid.")
    seen = await served.sandbox.whatsapp.next_message("15550001234")
    assert (seen.message_id, seen.text) == (wamid, "Hello")


async def test_interactive_buttons_show_as_buttons(
    served: Served, graph: aiohttp.ClientSession
) -> None:
    body = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "15550001234",
        "type": "interactive",
        "interactive": {
            "type": "button",
            "body": {"text": "Keep getting offers?"},
            "action": {"buttons": [{"type": "reply", "reply": {"id": "stop", "title": "Stop"}}]},
        },
    }
    assert (await graph.post(_messages_url(served), json=body)).status == 200
    seen = await served.sandbox.whatsapp.next_message("15550001234")
    assert (seen.text, seen.buttons) == ("Keep getting offers?", [[("Stop", "stop")]])


async def test_replies_and_statuses_are_signed_webhooks(
    served: Served, graph: aiohttp.ClientSession, receiver: Receiver
) -> None:
    sandbox = served.sandbox
    answer = await (await graph.post(_messages_url(served), json=_text("15550001234", "Hi"))).json()
    wamid = answer["messages"][0]["id"]
    await sandbox.whatsapp.send_text("15550001234", "STOP", name="Ada")
    await sandbox.whatsapp.send_status(wamid, "failed", error_code=131050)
    reply, status = _verified(sandbox, receiver)
    assert receiver.requests[0].path == "/webhooks/whatsapp"
    value = reply["entry"][0]["changes"][0]["value"]
    assert reply["object"] == "whatsapp_business_account"
    assert value["metadata"]["phone_number_id"] == sandbox.credentials.whatsapp_phone_number_id
    assert value["contacts"] == [{"profile": {"name": "Ada"}, "wa_id": "15550001234"}]
    assert value["messages"][0]["text"] == {"body": "STOP"}
    failed = status["entry"][0]["changes"][0]["value"]["statuses"][0]
    assert (failed["id"], failed["status"], failed["recipient_id"]) == (
        wamid,
        "failed",
        "15550001234",
    )
    assert failed["errors"][0]["code"] == 131050
    with pytest.raises(ValueError, match="sent no message"):
        await sandbox.whatsapp.send_status("wamid.unknown", "read")


async def test_the_verification_handshake_reaches_the_bot(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    delivery = await sandbox.whatsapp.verify_webhook()
    assert delivery.status == 200
    assert f"hub.challenge={delivery.response}" in delivery.url
    assert (
        f"hub.verify_token={sandbox.credentials.whatsapp_verify_token}" in receiver.requests[0].path
    )


async def test_wrong_number_token_and_body_are_graph_errors(
    served: Served, graph: aiohttp.ClientSession
) -> None:
    response = await graph.post(_messages_url(served, "1234"), json=_text("15550001234", "x"))
    error = (await response.json())["error"]
    assert (response.status, error["code"], error["type"]) == (400, 100, "OAuthException")
    async with aiohttp.ClientSession() as anonymous:
        response = await anonymous.post(_messages_url(served), json=_text("15550001234", "x"))
        assert (response.status, (await response.json())["error"]["code"]) == (401, 190)
    response = await graph.post(_messages_url(served), json={"to": "15550001234", "type": "text"})
    assert response.status == 400
    assert len(served.sandbox.violations) == 1
    served.sandbox.violations.clear()
