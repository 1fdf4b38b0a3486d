"""A stolen database file reveals no one: numbers and names are sealed at rest (issue 6)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from models import Delivery, DeliveryStatus, InboundReply, Member, Platform, Suppression
from tests.conftest import server_configuration
from tests.conversation.test_campaigns import choose_time, picture, to_schedule
from tests.conversation.test_lists import _document, _import
from tests.support.harness import Harness
from tests.support.onboarding import onboard

# (as the file has it, E.164, first name, last name, Telegram id): a national number of the
# member's own country (Spain), an international one, and one reached on Telegram.
PEOPLE = (
    ("612 345 678", "+34612345678", "Esperanza", "Quintanilla", ""),
    ("+44 7911 123456", "+447911123456", "Bartolome", "Zorrilla", ""),
    ("0034 698 765 432", "+34698765432", "Leocadia", "Villalobos", "5101"),
)
TEXT = "Hola, ¿abrís el domingo?"

pytestmark = pytest.mark.skipif(
    server_configuration() != "embedded", reason="reads the embedded database's file"
)


def _forms(person: tuple[str, str, str, str, str]) -> set[str]:
    """Every way the number and names could be written: as typed, E.164, digits only, the
    national significant number, and the names."""
    typed, e164, first, last, _ = person
    national = e164.removeprefix("+34").removeprefix("+44")
    return {typed, e164, e164.lstrip("+"), national, first, last}


async def test_the_database_file_holds_no_number_and_no_name(
    harness: Harness, worker: None, database_url: str
) -> None:
    chat = harness.chat(Platform.TELEGRAM)
    await onboard(chat, timezone="Europe/Madrid")
    harness.sandbox.telegram.add_user(5101, language_code="es")
    rows = "\n".join(",".join((typed, first, last, tg)) for typed, _, first, last, tg in PEOPLE)
    content = f"phone,first_name,last_name,telegram_id\n{rows}\n".encode()
    report = await _import(chat, "clientes.csv", content, list_name="VIP")
    assert "Contacts created: 3" in report
    member = await Member.get()
    [list_id] = await member.lists.all().values_list("id", flat=True)

    schedule = await to_schedule(
        chat,
        list_id,
        "Rebajas {first_name}",
        "telegram",
        "whatsapp",
        template=("sale", "es", "first_name"),
    )
    await choose_time(chat, schedule, None)
    await chat.press(await chat.next(), "new:go")
    await picture(chat)  # the report: the campaign has ended
    assert await Delivery.filter(status=DeliveryStatus.SENT).count() == 3
    whatsapp = harness.sandbox.whatsapp
    [received] = whatsapp.inbox("447911123456")
    assert "Bartolome" in str(received.text), "the dispatcher opened the name to send it"

    await whatsapp.send_text("34612345678", "STOP", name="Esperanza")
    await whatsapp.send_text("447911123456", TEXT, name="Bartolome")
    async with asyncio.timeout(10):  # the STOP's confirmation, the reply's notice
        while len(whatsapp.inbox("34612345678")) < 2 or not await InboundReply.exists():  # noqa: ASYNC110
            await asyncio.sleep(0.02)
    notice = await chat.next()
    assert "Bartolome" in str(notice.text), "the member reads who replied"
    assert await Suppression.filter(member=member, channel="phone").exists()

    database = Path(database_url.removeprefix("sqlite://"))
    files = [path for path in database.parent.iterdir() if path.name.startswith(database.name)]
    assert {path.name for path in files} >= {database.name, database.name + "-wal"}
    stored = b"".join(path.read_bytes() for path in files)
    forms = set().union(*(_forms(person) for person in PEOPLE))
    assert [form for form in forms if form.encode() in stored] == []

    # Their member still reads them: the opt-out's number, the list's numbers and names.
    await chat.send("/optouts")
    optouts = (await _document(harness, await chat.next())).decode("utf-8-sig")
    assert "'+34612345678,phone,keyword,STOP" in optouts
    await chat.send("/lists")
    await chat.press(await chat.next(), f"lst:open:{list_id}")
    await chat.press(await chat.next(), f"lst:export:csv:{list_id}")
    exported = (await _document(harness, await chat.next())).decode("utf-8-sig")
    assert all(e164 in exported and first in exported for _, e164, first, _, _ in PEOPLE)
