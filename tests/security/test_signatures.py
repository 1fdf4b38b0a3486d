"""Webhooks refuse a missing or forged signature, and a signed body of the wrong shape, with
nothing processed: no row written (the dedup log included), no platform call made.

tests/test_webhooks.py already checks the status codes (Telegram: no or a wrong secret; LINE:
empty, garbage and another secret's signature; WhatsApp: empty, zeros, md5=). Here each
platform first processes a real event (so the body is one the bot acts on), then gets that
event again for someone else, under every forgery."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from models import InboundEvent
from tests.security.forging import WEBHOOKS, post, signed_headers
from tests.security.snapshots import differences, snapshot
from tests.support.harness import Harness


async def _processed_event(harness: Harness, webhook: str) -> dict[str, Any]:
    """Have the sandbox send a real event and the bot act on it; that event's body."""
    sandbox = harness.sandbox
    if webhook == "telegram":
        await sandbox.telegram.send_text(4242, "/start")
        await sandbox.telegram.next_message(4242)
    elif webhook == "line":
        user = sandbox.line.new_user_id()
        await sandbox.line.follow(user)
        await sandbox.line.next_message(user)
    else:
        await sandbox.whatsapp.send_text("34600999888", "STOP")
    [delivery] = [d for d in sandbox.deliveries if d.platform == webhook][-1:]
    assert delivery.status == 200
    return json.loads(delivery.body)


def _for_someone_else(webhook: str, event: dict[str, Any]) -> bytes:
    """The same event from another person, with a fresh event id (not a redelivery)."""
    if webhook == "telegram":
        message = event["message"]
        person = {**message["from"], "id": 4343}
        message = {**message, "from": person, "chat": {**message["chat"], "id": 4343}}
        event = {**event, "update_id": event["update_id"] + 1000, "message": message}
    elif webhook == "line":
        [item] = event["events"]
        source = {**item["source"], "userId": "U" + "7" * 32}
        item = {**item, "source": source, "webhookEventId": "01JD" + "9" * 22}
        event = {**event, "events": [item]}
    else:
        value = event["entry"][0]["changes"][0]["value"]
        [message] = value["messages"]
        value["messages"] = [{**message, "from": "34600777666", "id": "wamid.forged"}]
    return json.dumps(event).encode()


def _forgeries(harness: Harness, webhook: str, body: bytes) -> dict[str, dict[str, str]]:
    """Headers that must not pass, by name: none, empty, and ones a forger could make."""
    [(header, value)] = signed_headers(harness, webhook, body).items()
    forged = {
        "missing": {},
        "empty": {header: ""},
        "truncated": {header: value[:-2]},
        "other case": {header: value.swapcase()},
    }
    if webhook != "telegram":  # Telegram's secret token does not depend on the body
        forged["another body's"] = signed_headers(harness, webhook, body + b" ")
    if webhook == "line":
        forged["hex instead of base64"] = {header: base64.b64decode(value).hex()}
    if webhook == "whatsapp":
        forged["no prefix"] = {header: value.removeprefix("sha256=")}
        forged["sha1 header"] = {"X-Hub-Signature": "sha1=" + "0" * 40}
    return forged


@pytest.mark.parametrize("webhook", WEBHOOKS)
async def test_missing_and_forged_signatures_process_nothing(
    harness: Harness, webhook: str
) -> None:
    body = _for_someone_else(webhook, await _processed_event(harness, webhook))
    before, calls = await snapshot(), len(harness.sandbox.calls)
    for name, headers in _forgeries(harness, webhook, body).items():
        assert await post(harness, webhook, body, headers) == 401, name
    assert len(harness.app.tasks) == 0, "nothing was put in the background"
    assert await snapshot() == before
    assert len(harness.sandbox.calls) == calls, "no platform call: no message, no download"
    assert not await InboundEvent.filter(key__contains="forged").exists()


@pytest.mark.parametrize("webhook", WEBHOOKS)
async def test_signed_bodies_of_the_wrong_shape_are_refused_as_malformed(
    harness: Harness, webhook: str
) -> None:
    before = await snapshot()
    shapes = {
        "not json": b"\xff{not json",
        "nested too deep": b"[" * 100_000,
        "a list": b"[1, 2]",
        "events of the wrong type": json.dumps({"events": 5, "entry": 5, "update_id": "x"}),
    }
    for name, shape in shapes.items():
        junk = shape if isinstance(shape, bytes) else shape.encode()
        status = await post(harness, webhook, junk, signed_headers(harness, webhook, junk))
        # WhatsApp skips what is not a change (Meta adds kinds of change): 200 for valid JSON.
        accepted = webhook == "whatsapp" and name in ("a list", "events of the wrong type")
        assert status == (200 if accepted else 400), name
    assert differences(before, await snapshot()) == []
