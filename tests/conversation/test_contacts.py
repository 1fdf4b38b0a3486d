"""One contact at a time: find, show, delete, restore, purge; only the member's own."""

from __future__ import annotations

from datetime import timedelta

from models import Contact, ListMembership, Member, Platform, Suppression
from models.suppression import SuppressionSource
from tests.conversation.test_lists import CUSTOMERS, _import
from tests.support.chats import button_data
from tests.support.contacts import contact_with_phone, phone_key
from tests.support.harness import Harness
from tests.support.onboarding import onboard


async def test_find_delete_restore_and_purge_a_contact(
    harness: Harness, platform: Platform
) -> None:
    chat = harness.chat(platform)
    await onboard(chat, timezone="Europe/Madrid")
    await _import(chat, "c.csv", CUSTOMERS, list_name="Customers")
    await chat.next()  # rejected rows
    luis = await contact_with_phone(harness, "+34622333444")
    assert luis is not None

    await chat.send("/contact 622 333 444")
    found = await chat.next()
    assert button_data(found) == [f"ctc:open:{luis.id}"]
    await chat.send("/contact uis")  # names are sealed: found by opening, any case
    by_name = await chat.next()
    assert button_data(by_name) == [f"ctc:open:{luis.id}"]
    await chat.press(found, f"ctc:open:{luis.id}")
    card = await chat.next()
    assert "+34622333444" in (card.text or "")
    assert "{ciudad}" in (card.text or "")
    await chat.press(card, f"ctc:delete:{luis.id}")
    assert "/trash" in ((await chat.next()).text or "")

    await chat.send("/lists")
    assert "Customers: 1 contacts" in ((await chat.next()).text or "")
    await chat.send("/trash")
    trash = await chat.next()
    await chat.press(trash, f"ctc:restore:{luis.id}")
    assert "Restored" in ((await chat.next()).text or "")
    await chat.send("/lists")
    assert "Customers: 2 contacts" in ((await chat.next()).text or "")

    member = await Member.get()
    await Suppression.create(
        member=member,
        key=phone_key(harness, "+34622333444"),
        channel="phone",
        source=SuppressionSource.KEYWORD,
    )
    await harness.app.services.contacts.delete(member, luis.id)
    harness.clock.advance(timedelta(days=31))
    await harness.app.services.contacts.purge_expired()
    assert not await Contact.filter(id=luis.id).exists()
    assert await contact_with_phone(harness, "+34612345678"), "only the expired one goes"
    assert not await ListMembership.filter(contact_id=luis.id).exists()
    assert await Suppression.filter(key=phone_key(harness, "+34622333444")).exists(), (
        "the opt-out outlives it"
    )


async def test_someone_elses_contact_is_refused(harness: Harness) -> None:
    owner = harness.chat(Platform.TELEGRAM)
    await onboard(owner, timezone="Europe/Madrid")
    await _import(owner, "c.csv", CUSTOMERS, list_name="Private")
    intruder = harness.chat(Platform.LINE)
    await onboard(intruder)
    ana = await contact_with_phone(harness, "+34612345678")
    assert ana is not None
    for payload in (f"ctc:open:{ana.id}", f"ctc:delete:{ana.id}"):
        await harness.sandbox.line.press_postback(intruder.user_id, payload)
        answer = (await intruder.next()).text or ""
        assert "expired" in answer
        assert "+34612345678" not in answer
    await intruder.send("/contact 612345678")
    assert "No contact matches" in ((await intruder.next()).text or "")
    assert (await Contact.get(id=ana.id)).deleted_at is None
