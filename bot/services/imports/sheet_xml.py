"""One worksheet's cells, streamed straight from its XML with expat.

openpyxl builds a dictionary and walks an element tree for every cell (about 10,000 rows a
second); the cells of a contact list need none of that. This reader takes the workbook-level
facts from openpyxl (shared strings, the 1900/1904 epoch, each style's number format) and reads
the sheet's <row>/<c>/<v>/<is> elements itself, about ten times faster, with the same
conversions openpyxl makes (tests/imports/test_xlsx_reader.py compares them). A sheet with a
DTD is refused outright: spreadsheet XML never has one, and entities are how XML bombs work.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime, time
from typing import IO
from xml.parsers import expat

from openpyxl.styles.numbers import is_date_format, is_timedelta_format
from openpyxl.utils.datetime import from_excel, from_ISO8601

from bot.services.imports.limits import MAX_CELL_CHARS, MAX_COLUMNS, MAX_XLSX_ROWS
from bot.services.imports.problems import ImportProblem, UnreadableFile

_NAMESPACES = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",  # "Strict Open XML"
)
_CHUNK = 64 * 1024
_EXACT_FLOAT = 2**53  # past it a float's integer digits are not all real
_ELEMENTS = ("row", "c", "v", "is", "t", "rPh")

# (is a date, is a duration, zero-padded width) for a style's number format
Format = tuple[bool, bool, int]


def sheet_rows(
    source: IO[bytes],
    shared_strings: Sequence[str],
    *,
    epoch: datetime,
    number_format: Callable[[int], str],
) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells as text) for each row with a value; trailing empty cells dropped."""
    reader = _SheetReader(shared_strings, epoch, number_format)
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.CharacterDataHandler = reader.text
    parser.StartDoctypeDeclHandler = _refuse_dtd
    try:
        while chunk := source.read(_CHUNK):
            parser.Parse(chunk, False)
            yield from reader.drain()
        parser.Parse(b"", True)
    except expat.ExpatError as error:
        raise UnreadableFile(ImportProblem.CORRUPT, "malformed sheet XML") from error
    except (ValueError, IndexError, OverflowError) as error:
        detail = type(error).__name__
        raise UnreadableFile(ImportProblem.CORRUPT, detail, row=reader.row) from error
    yield from reader.drain()


def _refuse_dtd(*_: object) -> None:
    raise UnreadableFile(ImportProblem.CORRUPT, "a DTD in a worksheet")


class _SheetReader:
    """The expat callbacks: the state of the row and cell being read."""

    def __init__(
        self, shared: Sequence[str], epoch: datetime, number_format: Callable[[int], str]
    ) -> None:
        self._shared = shared
        self._epoch = epoch
        self._number_format = number_format
        self._formats: dict[int, Format] = {}
        self._columns: dict[str, int] = {}
        self._done: list[tuple[int, list[str]]] = []
        self._cells: dict[int, str] = {}
        self._buffer: list[str] = []
        self._capture = False
        self._inline = False
        self._phonetic = False
        self._kind = "n"
        self._style = 0
        self._column = 0
        self.row = 0
        # Expanded element name -> local name, for the elements we read.
        self._names = {f"{ns} {local}": local for ns in _NAMESPACES for local in _ELEMENTS}

    def drain(self) -> list[tuple[int, list[str]]]:
        done, self._done = self._done, []
        return done

    # One handler per event with the cases inline: this runs a million times a sheet.
    def start(self, name: str, attributes: dict[str, str]) -> None:
        local = self._names.get(name)
        if local == "c":
            reference = attributes.get("r")
            self._column = self._column_of(reference) if reference else self._column + 1
            self._kind = attributes.get("t", "n")
            self._style = int(attributes.get("s", 0))
            self._buffer = []
        elif local == "v":
            self._capture = True
        elif local == "t":
            # Inline strings only; a phonetic guide (<rPh>, Japanese furigana) is not the text.
            self._capture = self._inline and not self._phonetic
        elif local == "row":
            number = int(attributes["r"]) if "r" in attributes else self.row + 1
            if not self.row < number <= MAX_XLSX_ROWS:
                detail = "row numbers out of order"
                raise UnreadableFile(ImportProblem.CORRUPT, detail, row=number)
            self.row = number
            self._cells = {}
            self._column = 0
        elif local == "is":
            self._inline = True
        elif local == "rPh":
            self._phonetic = True

    def end(self, name: str) -> None:
        local = self._names.get(name)
        if local == "c":
            self._end_cell()
        elif local in ("v", "t"):
            self._capture = False
        elif local == "row":
            self._end_row()
        elif local == "is":
            self._inline = False
        elif local == "rPh":
            self._phonetic = False

    def text(self, data: str) -> None:
        if self._capture:
            self._buffer.append(data)

    def _end_cell(self) -> None:
        text = self._convert("".join(self._buffer))
        if text:
            if len(text) > MAX_CELL_CHARS:
                detail = f"limit {MAX_CELL_CHARS}"
                raise UnreadableFile(ImportProblem.CELL_TOO_LONG, detail, row=self.row)
            self._cells[self._column] = text

    def _end_row(self) -> None:
        if not self._cells:
            return
        width = max(self._cells)
        if width > MAX_COLUMNS:
            detail = f"{width} columns (limit {MAX_COLUMNS})"
            raise UnreadableFile(ImportProblem.TOO_MANY_COLUMNS, detail, row=self.row)
        cells = [""] * width
        for column, text in self._cells.items():
            cells[column - 1] = text
        self._done.append((self.row, cells))

    def _column_of(self, reference: str) -> int:
        letters = reference.rstrip("0123456789")
        column = self._columns.get(letters)
        if column is None:
            column = 0
            for letter in letters.upper():
                column = column * 26 + ord(letter) - 64
            self._columns[letters] = column
        return column

    def _convert(self, raw: str) -> str:
        """The text openpyxl's value for this cell shows (see xlsx_reader.cell_text)."""
        kind = self._kind
        if kind == "s":
            index = int(raw)
            if index < 0:
                raise IndexError(index)
            return str(self._shared[index])
        if kind in ("inlineStr", "str", "e"):
            return raw
        if kind == "b":
            return "TRUE" if raw.strip() == "1" else "FALSE" if raw else ""
        if kind == "d":
            return cell_text(from_ISO8601(raw)) if raw else ""
        if not raw:
            return ""  # a formula never calculated
        is_date, is_duration, padded = self._format(self._style)
        number = float(raw) if "." in raw or "E" in raw or "e" in raw else int(raw)
        if is_date:
            try:
                return cell_text(from_excel(number, self._epoch, timedelta=is_duration))
            except (OverflowError, ValueError):
                pass  # no date that far out: the number itself (a phone in a date column)
        text = cell_text(number)
        return text.zfill(padded) if padded and text.isdigit() else text

    def _format(self, style: int) -> Format:
        known = self._formats.get(style)
        if known is None:
            code = self._number_format(style) if style else "General"
            padded = len(code) if code and set(code) == {"0"} else 0
            known = (is_date_format(code), is_timedelta_format(code), padded)
            self._formats[style] = known
        return known


def cell_text(value: object) -> str:
    """A value as the text a member expects: whole numbers without ".0", ISO dates."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < _EXACT_FLOAT:
        value = int(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(timespec="seconds")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)
