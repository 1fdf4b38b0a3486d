"""Hostile uploads: a 20 MB file of one line, and file names with path tricks.

tests/conversation/test_bad_input.py already refuses a file over the limit before download
and shows "../../etc/passwd.csv" as passwd.csv; tests/imports/test_hostile_files.py refuses a
10 MB line in the reader. Here a file at the very limit that is one line travels the whole
way, in Spanish, and every kind of name trick is shown and stored as a bare name."""

from __future__ import annotations

import os

import pytest

from bot.i18n import I18n
from bot.services.imports.readers import ImportProblem
from bot.services.uploads import MAX_NAME_CHARS, MAX_UPLOAD_BYTES, safe_name
from handlers.import_texts import unreadable_text
from models import Platform, Upload
from tests.security.snapshots import DEDUP_LOG, snapshot
from tests.support.harness import Harness
from tests.support.onboarding import onboard

CONTACTS = b"name,phone\nAna,+34600000000\n"


@pytest.mark.parametrize(
    "line",
    [b"A", b";", b'"', b"\xc3\xa9"],
    ids=["letters", "delimiters", "an open quote", "two-byte characters"],
)
async def test_a_twenty_megabyte_line_is_refused_in_the_members_language(
    harness: Harness, line: bytes
) -> None:
    chat = harness.chat(Platform.TELEGRAM, language="es")
    await onboard(chat, locale="es")
    before = await snapshot(skip=(DEDUP_LOG,))
    content = b"nombre,telefono\n" + line * ((MAX_UPLOAD_BYTES - 16) // len(line))
    assert len(content) <= MAX_UPLOAD_BYTES  # at the limit: the reader must refuse it, not the size
    await chat.upload("una.csv", content)
    answer = (await chat.next()).text or ""
    spanish = unreadable_text(I18n().translator("es"), "una.csv", ImportProblem.LINE_TOO_LONG)
    assert answer == spanish
    assert answer != unreadable_text(
        I18n().translator("en"), "una.csv", ImportProblem.LINE_TOO_LONG
    )
    assert await snapshot(skip=(DEDUP_LOG,)) == before, "nothing staged, nothing imported"


# (name as the client sends it, the bare name shown and stored)
NAMES = [
    ("/etc/passwd.csv", "passwd.csv"),
    ("..\\..\\Windows\\System32\\drivers\\etc\\hosts.csv", "hosts.csv"),
    ("C:\\Users\\Public\\list.csv", "list.csv"),
    ("list\x00.csv", "list.csv"),
    ("invoice\u202ecsv.exe.csv", "invoicecsv.exe.csv"),  # RIGHT-TO-LEFT OVERRIDE dropped
    ("\u2066\u200blist.csv", "list.csv"),  # isolates and zero widths too
    ("list\r\n/start.csv", "start.csv"),
    ("<b>bold</b> & co.csv", "b> & co.csv"),
    ("A" * 300 + ".csv", "A" * (MAX_NAME_CHARS - 4) + ".csv"),  # kept its type: a fix
]


async def test_file_names_with_path_tricks_are_shown_and_kept_bare(
    harness: Harness, platform: Platform
) -> None:
    chat = harness.chat(platform)
    await onboard(chat)
    listing = set(os.listdir())
    for number, (sent, shown) in enumerate(NAMES):
        # Each its own content: the same bytes again would be the same staged upload.
        await chat.upload(sent, CONTACTS + f"Eva,+3460000010{number}\n".encode())
        answer = (await chat.next()).text or ""
        assert answer.startswith(f"{shown}: 2 columns."), (sent, answer)
        for trick in ("/", "\\", "..", "\x00", "\u202e", "\u2066", "\u200b"):
            assert trick not in answer.split(":")[0], (sent, trick)
    stored = await Upload.all().values_list("name", flat=True)
    assert sorted(stored) == sorted(shown for _, shown in NAMES)
    # Nothing was written anywhere by those names: uploads live in the database.
    assert set(os.listdir()) == listing


def test_a_long_file_name_keeps_its_type() -> None:
    # safe_name cut names at 128 characters, suffix and all: a CSV with a long name was
    # refused as "I can't read AAAA…" (found by the name tricks above).
    assert safe_name("A" * 300 + ".csv") == "A" * (MAX_NAME_CHARS - 4) + ".csv"
    assert safe_name("A" * 300) == "A" * MAX_NAME_CHARS
    assert len(safe_name("A" * 200 + "." + "b" * 40)) == MAX_NAME_CHARS  # no such type to keep
