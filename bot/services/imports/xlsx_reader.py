"""Excel workbooks (.xlsx): the first visible sheet, every cell as the text Excel shows.

openpyxl, in read-only mode, opens the workbook (its sheets, shared strings and styles);
sheet_xml streams the sheet's XML, so memory stays flat. Before anything is opened, the ZIP
directory is checked against decompression bombs (`guard_archive`).
Formula cells give the value Excel last computed and saved (a workbook written by a script
that never ran Excel has none, and those cells read as empty): a formula is never returned as
text, so "=HYPERLINK(...)" never travels on into a list.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from xml.etree.ElementTree import ParseError

from openpyxl import load_workbook
from openpyxl.cell.read_only import ReadOnlyCell
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from bot.services.imports.limits import (
    MAX_XLSX_LOADED_PART_BYTES,
    MAX_XLSX_PARTS,
    MAX_XLSX_RATIO,
    MAX_XLSX_UNCOMPRESSED_BYTES,
    PREVIEW_ROWS,
    XLSX_RATIO_MIN_BYTES,
)
from bot.services.imports.problems import ImportProblem, UnreadableFile
from bot.services.imports.sheet_xml import sheet_rows
from bot.services.imports.sniff import column_names, looks_like_header
from bot.services.imports.table import Row, Table, TableFormat

# What a damaged workbook makes openpyxl or zipfile raise.
_BROKEN = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    KeyError,
    ValueError,
    TypeError,
    IndexError,
    ParseError,
    EOFError,
    InvalidFileException,
    OSError,  # openpyxl: "File contains no valid workbook part" (a broken [Content_Types].xml)
)


def guard_archive(data: bytes) -> None:
    """Refuse a ZIP that is cut off, encrypted, not a workbook, or would inflate too much.

    Sizes come from the central directory. A part that lies about its size cannot get past
    this either: zipfile stops reading at the declared size and fails the CRC check.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except zipfile.BadZipFile as error:
        raise UnreadableFile(ImportProblem.TRUNCATED, "ZIP directory missing") from error
    names = {part.filename for part in parts}
    if "xl/workbook.xml" not in names:
        detail = "OpenDocument" if "mimetype" in names else "ZIP without a workbook"
        raise UnreadableFile(ImportProblem.UNSUPPORTED, detail)
    if len(parts) > MAX_XLSX_PARTS:
        raise UnreadableFile(ImportProblem.ZIP_BOMB, f"{len(parts)} parts")
    if any(part.flag_bits & 0x1 for part in parts):
        raise UnreadableFile(ImportProblem.UNSUPPORTED, "encrypted ZIP")
    total = sum(part.file_size for part in parts)
    if total > MAX_XLSX_UNCOMPRESSED_BYTES:
        raise UnreadableFile(ImportProblem.ZIP_BOMB, f"{total} bytes uncompressed")
    for part in parts:
        streamed = part.filename.startswith("xl/worksheets/")
        if not streamed and part.file_size > MAX_XLSX_LOADED_PART_BYTES:
            raise UnreadableFile(ImportProblem.TOO_LARGE, f"{part.file_size} bytes in one part")
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size >= XLSX_RATIO_MIN_BYTES and ratio > MAX_XLSX_RATIO:
            raise UnreadableFile(ImportProblem.ZIP_BOMB, f"a part inflates {ratio:.0f}x")


def open_xlsx(data: bytes, *, has_header: bool | None = None) -> Table:
    """Read the start of the first visible sheet; raise UnreadableFile if it cannot be read."""
    guard_archive(data)
    head: list[tuple[int, list[str]]] = []
    with _workbook(data) as workbook:
        sheet_index = _first_visible_sheet(workbook)
        rows = _sheet_rows(workbook, sheet_index)
        try:
            for row in rows:
                head.append(row)
                if len(head) > PREVIEW_ROWS:
                    break
        finally:
            rows.close()
    if not head:
        raise UnreadableFile(ImportProblem.NO_ROWS, "empty sheet")
    cells = [row for _, row in head]
    header = looks_like_header(cells) if has_header is None else has_header
    body = cells[1:] if header else cells
    if not body:
        raise UnreadableFile(ImportProblem.NO_ROWS, "a header and nothing else")
    preview = body[:PREVIEW_ROWS]
    header_row = head[0][0] if header else None
    return Table(
        format=TableFormat.XLSX,
        columns=column_names(cells[0] if header else None, max(map(len, (cells[0], *preview)))),
        has_header=header,
        preview=preview,
        source=partial(_data_rows, data, sheet_index, header_row),
    )


def _data_rows(data: bytes, sheet_index: int, header_row: int | None) -> Iterator[Row]:
    with _workbook(data) as workbook:
        for number, cells in _sheet_rows(workbook, sheet_index):
            if number != header_row:
                yield number, cells


@contextmanager
def _workbook(data: bytes) -> Iterator[Workbook]:
    """load_workbook in read-only mode, closed on exit, with its errors translated."""
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except _BROKEN as error:
        raise UnreadableFile(ImportProblem.CORRUPT, type(error).__name__) from error
    try:
        yield book
    finally:
        book.close()


def _first_visible_sheet(workbook: Workbook) -> int:
    for index, sheet in enumerate(workbook.worksheets):
        if getattr(sheet, "sheet_state", "visible") == "visible":
            return index
    raise UnreadableFile(ImportProblem.NO_ROWS, "no visible sheet")


def _sheet_rows(workbook: Workbook, sheet_index: int) -> Iterator[Row]:
    """(row number, cells) of the rows with a value, read by sheet_xml from the sheet's XML.

    openpyxl's own row iterator pads every row to the sheet's declared width, invents a row
    for every gap (a row numbered 10**9 would mean a billion empty rows) and silently drops
    rows whose numbers go backwards; it is also ten times slower than sheet_xml.
    """
    sheet = workbook.worksheets[sheet_index]
    assert isinstance(sheet, ReadOnlyWorksheet)

    def number_format(style_id: int) -> str:
        return ReadOnlyCell(sheet, 1, 1, None, style_id=style_id).number_format

    try:
        # The sheet's XML stream and shared strings, as openpyxl's read-only sheet holds them.
        with sheet._get_source() as source:
            yield from sheet_rows(
                source, sheet._shared_strings, epoch=workbook.epoch, number_format=number_format
            )
    except _BROKEN as error:
        raise UnreadableFile(ImportProblem.CORRUPT, type(error).__name__) from error
