"""A signed event sent again (a platform's redelivery, or an attacker's replay of a captured
request) is processed once: the dedup log (bot/services/inbound.py) already holds its id.

tests/optout/test_replies.py already replays a recipient's STOP on Telegram and LINE
(test_a_redelivered_stop_is_handled_once). Here: a member's delete button replayed after they
restored the list, on both member platforms, and a recipient's STOP on WhatsApp."""

from __future__ import annotations

import asyncio

from models import ContactList, Member, Platform, Suppression
from tests.conversation.test_campaigns import audience
from tests.optout.test_replies import _send_whatsapp, _until_listed, _whatsapp_member
from tests.security.forging import post, signed_headers
from tests.security.snapshots import DEDUP_LOG, snapshot
from tests.support.contacts import phone_key
from tests.support.harness import Harness
from tests.support.onboarding import onboard


def _last_delivery(harness: Harness, webhook: str, marker: bytes) -> bytes:
    """The body of the last webhook request that carried `marker`."""
    bodies = [d.body for d in harness.sandbox.deliveries if d.platform == webhook]
    return next(body for body in reversed(bodies) if marker in body)


async def test_a_replayed_delete_does_not_delete_the_restored_list(
    harness: Harness, platform: Platform
) -> None:
    chat = harness.chat(platform)
    await onboard(chat)
    private = await audience(harness, await Member.get(), [{"phone": "+34612345678"}])
    await chat.send("/lists")
    await chat.press(await chat.next(), f"lst:open:{private.id}")
    await chat.press(await chat.next(), f"lst:delete:{private.id}")
    await chat.press(await chat.next(), f"lst:deleteok:{private.id}")
    await chat.next()  # "moved to /trash"
    delete = _last_delivery(harness, platform.value, f"lst:deleteok:{private.id}".encode())
    await chat.send("/trash")
    await chat.press(await chat.next(), f"lst:restore:{private.id}")
    assert "Restored" in ((await chat.next()).text or "")
    before = await snapshot(skip=(DEDUP_LOG,))

    headers = signed_headers(harness, platform.value, delete)
    assert await post(harness, platform.value, delete, headers) == 200
    await chat.send("/lists")  # answered after the replay would have been
    answer = await chat.next()
    assert "Customers" in (answer.text or ""), "the next message answers /lists, nothing else"
    assert (await ContactList.get(id=private.id)).deleted_at is None
    assert await snapshot(skip=(DEDUP_LOG,)) == before


async def test_a_replayed_whatsapp_stop_does_not_undo_start(harness: Harness, worker: None) -> None:
    member, contact_list = await _whatsapp_member(harness, "+34600111555")
    await _send_whatsapp(harness, member, contact_list)
    whatsapp, key = harness.sandbox.whatsapp, phone_key(harness, "+34600111555")
    await whatsapp.send_text("34600111555", "STOP")
    await _until_listed(member, key)
    stop = _last_delivery(harness, "whatsapp", b'"STOP"')
    await whatsapp.send_text("34600111555", "START")
    async with asyncio.timeout(10):
        while await Suppression.exists(member=member, key=key):  # noqa: ASYNC110 - a background task's write
            await asyncio.sleep(0.02)
    answers = len(whatsapp.inbox("34600111555"))
    before = await snapshot()

    assert await post(harness, "whatsapp", stop, signed_headers(harness, "whatsapp", stop)) == 200
    assert await snapshot() == before, "the dedup log answered: nothing written, not even there"
    await whatsapp.send_text("34600111555", "HELP")  # answered after the replay would have been
    async with asyncio.timeout(10):
        while len(whatsapp.inbox("34600111555")) == answers:  # noqa: ASYNC110 - the sandbox's inbox
            await asyncio.sleep(0.02)
    assert len(whatsapp.inbox("34600111555")) == answers + 1, "HELP's answer and nothing else"
    assert "STOP" in str(whatsapp.inbox("34600111555")[-1].text)
    assert not await Suppression.exists(member=member, key=key)
