"""A 429 from Telegram delays a member's answer by retry_after; it does not lose it."""

from __future__ import annotations

from models import Platform
from tests.support.harness import Harness


async def test_reply_waits_out_a_429_and_arrives(harness: Harness) -> None:
    harness.sandbox.faults.add(
        "telegram", "rate_limit", match="sendMessage", times=1, retry_after=1
    )
    chat = harness.chat(Platform.TELEGRAM)
    await chat.start()
    welcome = await chat.next()
    assert "Welcome to Broadside" in (welcome.text or "")
    statuses = [call.status for call in harness.sandbox.calls if call.method == "sendMessage"]
    assert statuses == [429, 200]
