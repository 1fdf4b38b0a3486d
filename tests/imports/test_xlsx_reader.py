"""Excel workbooks, generated here with openpyxl."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime

import pytest
from openpyxl import Workbook, load_workbook

from bot.services.imports.limits import MAX_COLUMNS
from bot.services.imports.readers import ImportProblem, UnreadableFile, open_table
from bot.services.imports.sheet_xml import cell_text
from bot.services.imports.table import TableFormat


def _save(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    book.close()
    return buffer.getvalue()


def _contacts() -> Workbook:
    # Excel has no timezones: the datetimes a workbook holds are naive, so are these.
    registered = datetime(2024, 3, 5)  # noqa: DTZ001
    called = datetime(2024, 3, 5, 14, 30)  # noqa: DTZ001
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Contacts"
    sheet.append(["Nombre", "Móvil", "Fijo", "Alta", "Saldo", "Nombre completo", "Activo"])
    sheet.append(["Ana", 34612345678, "'0612345678", registered, 10.5, None, True])
    sheet.append(["Luis", "+34 698 765 432", 911234567, date(2023, 12, 31), 3, None, False])
    sheet.append([])
    sheet.append(["Eva", 612345678.0, "+34622111222", called, 1e20])
    sheet["F2"] = '=A2&" "&"García"'
    sheet["C4"] = 612999999
    sheet["C4"].number_format = "0000000000"
    return book


def test_numbers_keep_their_digits_dates_are_iso_formulas_are_never_text() -> None:
    table = open_table("contacts.xlsx", _save(_contacts()))
    assert table.format == TableFormat.XLSX
    assert table.has_header
    assert table.columns == [
        "Nombre",
        "Móvil",
        "Fijo",
        "Alta",
        "Saldo",
        "Nombre completo",
        "Activo",
    ]
    rows = list(table.rows())
    assert rows[0] == (
        2,
        # openpyxl saves no computed value for the formula, so the cell reads as empty.
        ["Ana", "34612345678", "'0612345678", "2024-03-05", "10.5", "", "TRUE"],
    )
    assert rows[1] == (3, ["Luis", "+34 698 765 432", "911234567", "2023-12-31", "3", "", "FALSE"])
    # The blank row 4 is skipped but the numbering keeps to the sheet's; the "0000000000"
    # number format restores the leading zero Excel shows.
    assert rows[2] == (4, ["", "", "0612999999"])
    assert rows[3] == (5, ["Eva", "612345678", "+34622111222", "2024-03-05T14:30:00", "1e+20"])
    assert table.count_rows() == 4


def test_a_formula_with_a_saved_value_reads_as_that_value() -> None:
    data = _save(_contacts())
    # What Excel does on save: keep the formula and the value it computed.
    patched = _rewrite(
        data,
        "xl/worksheets/sheet1.xml",
        lambda xml: re.sub(
            rb'<c r="F2"><f>(.*?)</f><v */></c>',
            lambda m: b'<c r="F2" t="str"><f>%s</f><v>Ana Garc\xc3\xada</v></c>' % m[1],
            xml,
        ),
    )
    assert next(open_table("contacts.xlsx", patched).rows())[1][5] == "Ana García"


def test_the_first_visible_sheet_is_read() -> None:
    book = Workbook()
    hidden = book.active
    assert hidden is not None
    hidden.append(["secret", "data"])
    hidden.sheet_state = "hidden"
    visible = book.create_sheet("Visible")
    visible.append(["Phone"])
    visible.append(["+66812345678"])
    table = open_table("list.xlsx", _save(book))
    assert list(table.rows()) == [(2, ["+66812345678"])]


def test_a_sheet_without_header_keeps_its_first_row() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([612345678, "Ana"])
    sheet.append([698765432, "Luis"])
    table = open_table("list.xlsx", _save(book))
    assert not table.has_header
    assert table.columns == ["Column 1", "Column 2"]
    assert next(table.rows()) == (1, ["612345678", "Ana"])


def test_an_empty_workbook_has_no_rows() -> None:
    with pytest.raises(UnreadableFile) as caught:
        open_table("empty.xlsx", _save(Workbook()))
    assert caught.value.problem is ImportProblem.NO_ROWS


def test_too_many_columns_are_refused() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["x"] * (MAX_COLUMNS + 1))
    with pytest.raises(UnreadableFile) as caught:
        open_table("wide.xlsx", _save(book))
    assert (caught.value.problem, caught.value.row) == (ImportProblem.TOO_MANY_COLUMNS, 1)


def test_a_zip_bomb_is_refused_before_anything_is_inflated() -> None:
    data = _save(_contacts())
    row = b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
    bomb = b"<worksheet><sheetData>" + row * (20 * 1024 * 1024 // len(row)) + b"</sheetData>"
    patched = _rewrite(data, "xl/worksheets/sheet1.xml", lambda _: bomb)
    assert len(patched) < 1024 * 1024
    with pytest.raises(UnreadableFile) as caught:
        open_table("bomb.xlsx", patched)
    assert caught.value.problem is ImportProblem.ZIP_BOMB


def test_a_cut_workbook_is_truncated() -> None:
    data = _save(_contacts())
    with pytest.raises(UnreadableFile) as caught:
        open_table("cut.xlsx", data[: len(data) // 2])
    assert caught.value.problem is ImportProblem.TRUNCATED


def test_a_corrupt_part_is_corrupt() -> None:
    data = _rewrite(_save(_contacts()), "xl/worksheets/sheet1.xml", lambda x: x[: len(x) // 2])
    with pytest.raises(UnreadableFile) as caught:
        open_table("broken.xlsx", data)
    assert caught.value.problem is ImportProblem.CORRUPT


def test_row_numbers_going_backwards_are_corrupt_not_silently_dropped() -> None:
    data = _rewrite(
        _save(_contacts()), "xl/worksheets/sheet1.xml", lambda x: x.replace(b'r="5"', b'r="2"')
    )
    with pytest.raises(UnreadableFile) as caught:
        open_table("odd.xlsx", data).count_rows()
    assert caught.value.problem is ImportProblem.CORRUPT


def test_a_zip_that_is_no_workbook_is_unsupported() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(UnreadableFile) as caught:
        open_table("doc.xlsx", buffer.getvalue())
    assert caught.value.problem is ImportProblem.UNSUPPORTED


def _rewrite(data: bytes, part: str, change) -> bytes:
    """The same workbook with one part's bytes changed."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            target.writestr(info.filename, change(content) if info.filename == part else content)
    return buffer.getvalue()


@pytest.mark.parametrize("write_only", [False, True], ids=["shared strings", "inline strings"])
def test_cells_read_as_openpyxl_reads_them(write_only: bool) -> None:
    book = Workbook(write_only=write_only)
    sheet = book.create_sheet() if write_only else book.active
    assert sheet is not None
    values = ["Ann", 612345678, 0.1, -3, 1.5e-7, True, date(2020, 2, 29), "ünï", None, "x"]
    for index in range(50):
        sheet.append([*values[index % 3 :], f"row {index}"])
    data = _save(book)
    ours = [cells for _, cells in open_table("list.xlsx", data, has_header=False).rows()]
    reference = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        rows = reference.worksheets[0].iter_rows(values_only=True)
        theirs = [[cell_text(value) for value in row] for row in rows]
    finally:
        reference.close()
    # openpyxl pads every row to the sheet's width; we drop trailing empty cells.
    assert ours == [row[: max(i + 1 for i, text in enumerate(row) if text)] for row in theirs]


def test_rich_text_runs_are_joined_and_furigana_left_out() -> None:
    cell = (
        b'<c r="A2" t="inlineStr"><is><r><t>\xe5\xb1\xb1</t></r><r><t>\xe7\x94\xb0</t></r>'
        b'<rPh sb="0" eb="2"><t>\xe3\x83\xa4\xe3\x83\x9e\xe3\x83\x80</t></rPh></is></c>'
    )
    data = _rewrite(
        _save(_contacts()),
        "xl/worksheets/sheet1.xml",
        lambda xml: re.sub(rb'<c r="A2"[^>]*>.*?</c>', lambda _: cell, xml, count=1),
    )
    assert next(open_table("names.xlsx", data).rows())[1][0] == "山田"


def test_a_sheet_with_a_dtd_is_refused() -> None:
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    )
    data = _rewrite(
        _save(_contacts()),
        "xl/worksheets/sheet1.xml",
        lambda xml: laughs + xml[xml.index(b"<worksheet") :],
    )
    with pytest.raises(UnreadableFile) as caught:
        open_table("laughs.xlsx", data)
    assert caught.value.problem is ImportProblem.CORRUPT


def test_a_number_too_large_for_its_date_format_stays_a_number() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Phone"])
    sheet.append([34612345678])
    sheet["A2"].number_format = "yyyy-mm-dd"
    assert next(open_table("odd.xlsx", _save(book)).rows())[1] == ["34612345678"]


def test_a_part_too_large_to_load_whole_is_refused() -> None:
    # Shared strings, styles: openpyxl loads those parts whole, unlike sheets.
    data = _rewrite(
        _save(_contacts()),
        "xl/styles.xml",
        lambda xml: xml + b"<!--" + b"0123456789abcdef" * (65 * 1024 * 1024 // 16) + b"-->",
    )
    with pytest.raises(UnreadableFile) as caught:
        open_table("big.xlsx", data)
    assert caught.value.problem is ImportProblem.TOO_LARGE


def test_a_workbook_whose_content_types_name_no_workbook_is_refused() -> None:
    # Found by the property tests: openpyxl raises OSError when [Content_Types].xml names no
    # workbook part, which escaped as a crash instead of a refusal.
    source = io.BytesIO(_save(_contacts()))
    broken = io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(broken, "w") as copy:
        for item in original.infolist():
            content = original.read(item)
            if item.filename == "[Content_Types].xml":
                content = content.replace(b'="application/', b'=",application/')
            copy.writestr(item, content)
    with pytest.raises(UnreadableFile) as refused:
        open_table("list.xlsx", broken.getvalue())
    assert refused.value.problem is ImportProblem.CORRUPT
