"""One contact at a time: find, show, correct, delete, restore, purge; only the member's own."""

from __future__ import annotations

from datetime import timedelta

from bot.sandbox import SentMessage
from models import Contact, ListMembership, Member, Platform, Suppression
from models.suppression import SuppressionSource
from tests.conversation.test_lists import CUSTOMERS, _import
from tests.support.chats import MemberChat, button_data
from tests.support.contacts import contact_with_phone, phone_key, sealer
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


async def _open_card(chat: MemberChat, query: str, contact_id: int) -> SentMessage:
    await chat.send(f"/contact {query}")
    found = await chat.next()
    await chat.press(found, f"ctc:open:{contact_id}")
    return await chat.next()


async def _answer(chat: MemberChat, card: SentMessage, data: str, typed: str) -> SentMessage:
    """Tap a change button on the card, type the value, and return what the bot answers."""
    await chat.press(card, data)
    await chat.next()  # the question
    await chat.send(typed)
    return await chat.next()


async def test_correct_a_contacts_name_phone_language_and_tags(
    harness: Harness, platform: Platform
) -> None:
    chat = harness.chat(platform)
    await onboard(chat, timezone="Europe/Madrid")
    await _import(chat, "c.csv", CUSTOMERS, list_name="Customers")
    await chat.next()  # rejected rows
    luis = await contact_with_phone(harness, "+34622333444")
    assert luis is not None
    card = await _open_card(chat, "622333444", luis.id)
    assert {f"ctc:name:{luis.id}", f"ctc:phone:{luis.id}", f"ctc:lang:{luis.id}"} <= set(
        button_data(card)
    )

    card = await _answer(chat, card, f"ctc:name:{luis.id}", "  Luis   Alberto García ")
    assert (card.text or "").startswith("Luis Alberto García\n"), "the card again, new name"
    row = await Contact.get(id=luis.id)
    assert row.first_name != "Luis", "sealed at rest"
    assert sealer(harness).open(row.first_name) == "Luis"
    assert sealer(harness).open(row.last_name) == "Alberto García"
    refused = await _answer(chat, card, f"ctc:name:{luis.id}", "x" * 129)
    assert "between 1 and 128 characters" in (refused.text or "")
    assert sealer(harness).open((await Contact.get(id=luis.id)).first_name) == "Luis"

    refused = await _answer(chat, card, f"ctc:phone:{luis.id}", "12345")
    assert "not a valid phone number" in (refused.text or "")
    refused = await _answer(chat, card, f"ctc:phone:{luis.id}", "612 345 678")
    assert '"Ana" already has this number' in (refused.text or "")
    assert (await contact_with_phone(harness, "+34622333444")) is not None, "nothing changed"
    # WhatsApp said the old number is not on WhatsApp: that was the old number's fate.
    await Contact.filter(id=luis.id).update(unreachable="telegram,whatsapp")
    card = await _answer(chat, card, f"ctc:phone:{luis.id}", "699 111 222")
    assert "Phone: +34699111222" in (card.text or "")
    row = await Contact.get(id=luis.id)
    assert row.unreachable == "telegram"
    assert row.phone_hash == phone_key(harness, "+34699111222")
    assert sealer(harness).open(row.phone) == "+34699111222"
    assert sealer(harness).open(row.whatsapp) == "+34699111222", "WhatsApp was the phone"
    assert row.whatsapp_hash is None
    assert row.timezone == "Europe/Madrid"
    assert await contact_with_phone(harness, "+34622333444") is None
    await chat.send("/contact 699111222")
    assert button_data(await chat.next()) == [f"ctc:open:{luis.id}"]
    card = await _answer(chat, card, f"ctc:phone:{luis.id}", "+81 3 3210 1234")
    assert "Timezone: Asia/Tokyo" in (card.text or ""), "the zone came from the old number"

    await chat.press(card, f"ctc:lang:{luis.id}")
    languages = await chat.next()
    assert f"ctc:setlang:{luis.id}:fr" in button_data(languages)
    await chat.press(languages, f"ctc:setlang:{luis.id}:fr")
    card = await chat.next()
    assert "Language: fr" in (card.text or "")
    assert (await Contact.get(id=luis.id)).language == "fr"

    card = await _answer(chat, card, f"ctc:tags:{luis.id}", "vip, madrid,, vip ")
    assert "Tags: vip, madrid" in (card.text or "")
    assert (await Contact.get(id=luis.id)).tags == ["vip", "madrid"]


async def test_someone_elses_contact_cannot_be_changed(harness: Harness) -> None:
    owner = harness.chat(Platform.TELEGRAM)
    await onboard(owner, timezone="Europe/Madrid")
    await _import(owner, "c.csv", CUSTOMERS, list_name="Private")
    intruder = harness.chat(Platform.LINE)
    await onboard(intruder)
    ana = await contact_with_phone(harness, "+34612345678")
    assert ana is not None
    for payload in (
        f"ctc:name:{ana.id}",
        f"ctc:phone:{ana.id}",
        f"ctc:tags:{ana.id}",
        f"ctc:lang:{ana.id}",
        f"ctc:setlang:{ana.id}:fr",
    ):
        await harness.sandbox.line.press_postback(intruder.user_id, payload)
        answer = (await intruder.next()).text or ""
        assert "expired" in answer
        assert "Ana" not in answer
    await intruder.send("Mallory")  # no dialog was opened: not taken as a name
    await intruder.next()
    row = await Contact.get(id=ana.id)
    assert sealer(harness).open(row.first_name) == "Ana"
    assert row.language != "fr"
    assert row.tags == []
