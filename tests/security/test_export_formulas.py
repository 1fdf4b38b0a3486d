"""Cells that a spreadsheet would run as formulas (= + - @, and behind a tab or CR) come out
of a list's export as text, in CSV and in Excel.

tests/conversation/test_lists.py already exports a CSV with =HYPERLINK(...) and a +34 phone
(test_export_round_trip_is_spreadsheet_safe); here every formula start, in names and
attributes, through both formats."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from models import ContactList, Platform
from tests.conversation.test_campaigns import document
from tests.conversation.test_lists import _import
from tests.support.harness import Harness
from tests.support.onboarding import onboard

# What the member's file holds: each would be a formula (or DDE command) in a spreadsheet.
HOSTILE = [
    "=1+1",
    '=HYPERLINK("http://evil","x")',
    "+SUM(A1:A9)",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    "=cmd|' /C calc'!A0",
]
_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _upload() -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(["Name", "Phone", "City", "Note"])
    for number, value in enumerate(HOSTILE):
        writer.writerow([value, f"+3461234560{number}", value, f"x{value}"])
    return buffer.getvalue().encode()


def _cells_of(name: str, data: bytes) -> list[list[str]]:
    if name == "csv":
        return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    book = load_workbook(io.BytesIO(data))
    sheet = book.active
    assert sheet is not None
    # No cell is stored as a formula: openpyxl reads a formula back as data_type "f".
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    rows = [
        ["" if cell.value is None else str(cell.value) for cell in row] for row in sheet.iter_rows()
    ]
    book.close()
    return rows


async def test_formula_cells_are_text_in_both_exports(harness: Harness, platform: Platform) -> None:
    chat = harness.chat(platform)
    await onboard(chat)
    report = await _import(chat, "hostile.csv", _upload(), list_name="Hostile")
    assert f"Contacts created: {len(HOSTILE)}" in report, report
    contact_list = await ContactList.get()
    for file_format in ("csv", "xlsx"):
        await chat.send("/lists")
        await chat.press(await chat.next(), f"lst:open:{contact_list.id}")
        await chat.press(await chat.next(), f"lst:export:{file_format}:{contact_list.id}")
        header, *rows = _cells_of(file_format, await document(chat))
        assert len(rows) == len(HOSTILE)
        for row in rows:
            for cell in row:
                assert not cell.startswith(_STARTS), (file_format, cell)
        names = {row[header.index("first_name")] for row in rows}
        cities = {row[header.index("city")] for row in rows}
        for value in HOSTILE:
            # Kept, behind the apostrophe that makes it text (whitespace the import trimmed).
            assert "'" + value.strip() in names | cities, (file_format, value)
