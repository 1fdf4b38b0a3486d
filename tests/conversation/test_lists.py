"""Distribution lists from chat: import, report, dedup, suppression, export, delete, ownership."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from urllib.parse import unquote

import aiohttp

from bot.sandbox import SentMessage
from models import Contact, ContactList, ListMembership, Member, Platform, Suppression
from models.suppression import SuppressionSource
from tests.support.chats import MemberChat, button_data
from tests.support.contacts import contact_with_phone, phone_key, readable
from tests.support.harness import Harness
from tests.support.onboarding import onboard

CUSTOMERS = (
    "Nombre;Teléfono;Ciudad\n"
    "Ana;612 345 678;Madrid\n"
    'Luis;+34 622 333 444;=HYPERLINK("http://evil")\n'
    "Eva;not a phone;Sevilla\n"
    "Ana again;0034612345678;Madrid\n"
).encode("cp1252")


async def _document(harness: Harness, message: SentMessage) -> bytes:
    """A file the bot sent: attached on Telegram, behind a download link on LINE."""
    if message.document is not None:
        return message.document[1]
    match = re.search(r"https?://\S+", message.text or "")
    assert match, message.text
    async with aiohttp.ClientSession() as http, http.get(match.group(0)) as response:
        assert response.status == 200
        return await response.read()


async def _import(chat: MemberChat, name: str, content: bytes, *, list_name: str) -> str:
    """Upload, accept the proposed mapping, import into a new list; returns the report."""
    await chat.upload(name, content)
    card = await chat.next()
    assert "imp:new" in button_data(card), card.text
    await chat.press(card, "imp:new")
    await chat.next()  # "What should the new list be called?"
    await chat.send(list_name)
    while True:
        message = await chat.next()
        if "finished" in (message.text or "") or "stopped" in (message.text or ""):
            return message.text or ""


async def test_import_reports_and_stores_contacts(harness: Harness, platform: Platform) -> None:
    chat = harness.chat(platform)
    await onboard(chat, locale="en", timezone="Europe/Madrid")
    report = await _import(chat, "clientes.csv", CUSTOMERS, list_name="Customers")

    assert "Rows read: 4" in report
    assert "Contacts created: 2" in report
    assert "Duplicates merged: 1" in report
    assert "Invalid rows: 1" in report
    rejected = (await _document(harness, await chat.next())).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(rejected)))
    assert rows[1][:3] == ["4", "invalid phone number", "Eva"]

    contacts = {c.phone: c for c in await readable(harness, await Contact.all())}
    assert set(contacts) == {"+34612345678", "+34622333444"}
    assert contacts["+34612345678"].first_name == "Ana"
    assert contacts["+34612345678"].timezone == "Europe/Madrid"
    assert contacts["+34622333444"].attributes == {"ciudad": '=HYPERLINK("http://evil")'}

    await chat.send("/lists")
    listing = await chat.next()
    assert "Customers: 2 contacts (Telegram 0, LINE 0, WhatsApp 2), 0 opted out" in (
        listing.text or ""
    )


async def test_same_person_on_two_lists_is_one_contact(harness: Harness) -> None:
    chat = harness.chat(Platform.TELEGRAM)
    await onboard(chat, timezone="Europe/Madrid")
    await _import(chat, "a.csv", CUSTOMERS, list_name="First")
    await chat.next()  # rejected rows
    report = await _import(chat, "b.csv", CUSTOMERS, list_name="Second")
    assert "Contacts created: 0" in report
    assert "Duplicates merged: 3" in report
    assert await Contact.all().count() == 2
    assert await ListMembership.all().count() == 4


async def test_opted_out_numbers_are_skipped(harness: Harness) -> None:
    chat = harness.chat(Platform.TELEGRAM)
    await onboard(chat, timezone="Europe/Madrid")
    member = await Member.get()
    await Suppression.create(
        member=member,
        key=phone_key(harness, "+34622333444"),
        channel="phone",
        source=SuppressionSource.KEYWORD,
    )
    report = await _import(chat, "c.csv", CUSTOMERS, list_name="Customers")
    assert "Skipped, opted out: 1" in report
    assert await contact_with_phone(harness, "+34622333444") is None


async def test_export_round_trip_is_spreadsheet_safe(harness: Harness, platform: Platform) -> None:
    chat = harness.chat(platform)
    await onboard(chat, timezone="Europe/Madrid")
    await _import(chat, "c.csv", CUSTOMERS, list_name="Customers")
    await chat.next()  # rejected rows
    contact_list = await ContactList.get()
    await chat.send("/lists")
    await chat.press(await chat.next(), f"lst:open:{contact_list.id}")
    await chat.press(await chat.next(), f"lst:export:csv:{contact_list.id}")
    exported = (await _document(harness, await chat.next())).decode("utf-8-sig")
    rows = {row["first_name"]: row for row in csv.DictReader(io.StringIO(exported))}
    assert rows["Luis"]["ciudad"] == '\'=HYPERLINK("http://evil")'
    assert rows["Ana"]["phone"] == "'+34612345678"

    report = await _import(chat, "export.csv", exported.encode(), list_name="Again")
    assert "Contacts created: 0" in report
    assert "Duplicates merged: 2" in report


async def test_delete_restore_and_purge(harness: Harness, platform: Platform) -> None:
    chat = harness.chat(platform)
    await onboard(chat, timezone="Europe/Madrid")
    await _import(chat, "c.csv", CUSTOMERS, list_name="Customers")
    await chat.next()  # rejected rows
    contact_list = await ContactList.get()

    await chat.send("/lists")
    await chat.press(await chat.next(), f"lst:open:{contact_list.id}")
    await chat.press(await chat.next(), f"lst:delete:{contact_list.id}")
    await chat.press(await chat.next(), f"lst:deleteok:{contact_list.id}")
    assert "/trash" in ((await chat.next()).text or "")
    await chat.send("/lists")
    assert "no lists yet" in ((await chat.next()).text or "")

    await chat.send("/trash")
    trash = await chat.next()
    await chat.press(trash, f"lst:restore:{contact_list.id}")
    assert "Restored" in ((await chat.next()).text or "")

    await harness.app.services.lists.delete(await Member.get(), contact_list.id)
    harness.clock.advance(timedelta(days=29))
    assert await harness.app.services.lists.purge_expired() == 0
    harness.clock.advance(timedelta(days=2))
    assert await harness.app.services.lists.purge_expired() == 1
    assert not await ContactList.exists()
    assert not await Contact.exists(), "contacts on no other list go with it"


async def test_another_members_list_is_refused(harness: Harness) -> None:
    owner = harness.chat(Platform.TELEGRAM)
    await onboard(owner, timezone="Europe/Madrid")
    await _import(owner, "c.csv", CUSTOMERS, list_name="Private")
    intruder = harness.chat(Platform.LINE)
    await onboard(intruder)
    private = await ContactList.get()
    for payload in (
        f"lst:open:{private.id}",
        f"lst:export:csv:{private.id}",
        f"lst:deleteok:{private.id}",
    ):
        await harness.sandbox.line.press_postback(intruder.user_id, payload)
        answer = await intruder.next()
        assert "expired" in (answer.text or "")
        assert "Private" not in (answer.text or "")
    assert (await ContactList.get()).deleted_at is None


async def test_a_damaged_file_imports_nothing(harness: Harness, platform: Platform) -> None:
    chat = harness.chat(platform)
    await onboard(chat)
    await chat.upload("broken.csv", b'name,phone\n"Ana,+34612345678\nLuis,+34622333444\n')
    answer = (await chat.next()).text or ""
    assert "Nothing was imported" in answer
    assert not await Contact.exists()


async def _opt_in_links(harness: Harness, chat: MemberChat) -> tuple[str, str]:
    contact_list = await ContactList.get()
    await chat.send("/lists")
    await chat.press(await chat.next(), f"lst:open:{contact_list.id}")
    await chat.press(await chat.next(), f"lst:optin:{contact_list.id}")
    text = (await chat.next()).text or ""
    telegram = re.search(r"https://t\.me/\S+", text)
    line = re.search(r"https://line\.me/\S+", text)
    assert telegram, text
    assert line, text
    return telegram.group(0), line.group(0)


async def test_opt_in_links_subscribe_on_both_platforms(harness: Harness) -> None:
    member = harness.chat(Platform.TELEGRAM)
    await onboard(member, timezone="Europe/Madrid")
    await _import(member, "c.csv", CUSTOMERS, list_name="Newsletter")
    await member.next()  # rejected rows
    telegram_link, line_link = await _opt_in_links(harness, member)
    qr = await member.next()
    assert qr.document is not None, "the QR code comes as a picture"
    assert qr.document[1].startswith(b"\x89PNG")

    token = telegram_link.rsplit("start=", 1)[1]
    await harness.sandbox.telegram.send_text(2001, f"/start {token}", language_code="es")
    greeting = await harness.sandbox.telegram.next_message(2001)
    assert "Newsletter" in (greeting.text or "")
    assert "STOP" in (greeting.text or "")
    assert "You're subscribed" not in (greeting.text or ""), "greeted in Spanish"
    share = await harness.sandbox.telegram.next_message(2001)
    assert share.buttons, "a button to share the phone number"

    line_user = harness.sandbox.line.new_user_id()
    said = unquote(line_link.rsplit("?", 1)[1])
    assert said.startswith("start ")
    await harness.sandbox.line.send_text(line_user, said)
    assert "Newsletter" in ((await harness.sandbox.line.next_message(line_user)).text or "")

    contact_list = await ContactList.get()
    subscribers = await Contact.filter(memberships__contact_list_id=contact_list.id)
    assert {c.telegram_id for c in subscribers} >= {2001}
    assert {c.line_id for c in subscribers} >= {line_user}
    optin = await Contact.get(telegram_id=2001)
    assert optin.consent_source.value == "opt_in_link"
    assert optin.language == "es"


async def test_shared_phone_matches_the_imported_contact(harness: Harness) -> None:
    member = harness.chat(Platform.TELEGRAM)
    await onboard(member, timezone="Europe/Madrid")
    await _import(member, "c.csv", CUSTOMERS, list_name="Newsletter")
    await member.next()  # rejected rows
    telegram_link, _ = await _opt_in_links(harness, member)
    await member.next()  # QR
    await member.next()  # QR
    token = telegram_link.rsplit("start=", 1)[1]
    await harness.sandbox.telegram.send_text(2002, f"/start {token}")
    await harness.sandbox.telegram.next_message(2002)
    await harness.sandbox.telegram.next_message(2002)

    await harness.sandbox.telegram.share_contact(2002, "34612345678")
    assert "saved" in ((await harness.sandbox.telegram.next_message(2002)).text or "")
    ana = await contact_with_phone(harness, "+34612345678")
    assert ana is not None
    assert ana.telegram_id == 2002, "the imported contact is now reachable on Telegram"
    assert await Contact.filter(telegram_id=2002).count() == 1, "merged, not duplicated"


async def test_a_stale_opt_in_link_is_explained(harness: Harness) -> None:
    await harness.sandbox.telegram.send_text(2003, "/start not-a-token")
    answer = await harness.sandbox.telegram.next_message(2003)
    assert "no longer valid" in (answer.text or "")
