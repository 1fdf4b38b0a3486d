"""Hypothesis strategies for hostile files: arbitrary bytes, and valid files broken by mutation.

Random bytes mostly test the first check a reader makes (binary, encoding); files that are
almost right reach the parsers behind it. Shared by the property tests of the readers.
"""

from __future__ import annotations

import io
import zipfile
from functools import cache
from pathlib import Path

from hypothesis import strategies as st
from openpyxl import Workbook

FIXTURES = Path(__file__).parent / "fixtures"
# Bytes that mean something to one of the readers: delimiters, quotes, line ends, vCard syntax,
# XML, encodings' marks.
_SYNTAX = [
    b",", b";", b"\t", b'"', b"\n", b"\r", b"\r\n", b"=", b":", b";", b"\\", b" ", b"\x00",
    b"BEGIN:VCARD\r\n", b"END:VCARD\r\n", b"TEL:", b"ENCODING=QUOTED-PRINTABLE:", b"=C3",
    b"<", b">", b"</", b'r="A1"', b'r="XFD1048577"', b't="s"', b"<v>", b"</v>", b"&amp;",
    b"\xef\xbb\xbf", b"\xff\xfe", b"\xc3", b"\xe2\x80\xae", b"9" * 40,
]  # fmt: skip


@cache
def text_fixtures() -> dict[str, bytes]:
    """Every CSV and vCard fixture, by file name."""
    return {path.name: path.read_bytes() for path in sorted(FIXTURES.iterdir())}


@cache
def workbook() -> bytes:
    """A small valid workbook: a header, numbers, a date, a formula, shared strings."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Name", "Phone", "City", "Since"])
    sheet.append(["Ana", 34612345678, "Madrid", 45000])
    sheet.append(["Luis", "+34 698 765 432", "=A2&B2", None])
    buffer = io.BytesIO()
    book.save(buffer)
    book.close()
    return buffer.getvalue()


def _mutate(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    # Each edit: at a position (modulo the length), drop `cut` bytes and put `insert` there.
    for position, cut, insert in edits:
        at = position % (len(data) + 1)
        data = data[:at] + insert + data[at + cut :]
    return data


_EDITS = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=1 << 20),
        st.integers(min_value=0, max_value=64),
        st.one_of(st.sampled_from(_SYNTAX), st.binary(max_size=8)),
    ),
    min_size=1,
    max_size=6,
)


@st.composite
def broken_text_files(draw: st.DrawFn) -> tuple[str, bytes]:
    """A CSV or vCard fixture with a few edits, under its own name or another reader's."""
    name = draw(st.sampled_from(sorted(text_fixtures())))
    data = _mutate(text_fixtures()[name], draw(_EDITS))
    if draw(st.booleans()):
        data = data[: draw(st.integers(min_value=0, max_value=len(data)))]  # cut short
    return draw(st.sampled_from([name, "list.csv", "list.vcf", "list.txt"])), data


@st.composite
def broken_workbooks(draw: st.DrawFn) -> bytes:
    """The workbook with one of its XML parts edited (a valid ZIP with broken content), or
    with its ZIP bytes edited."""
    original = workbook()
    if draw(st.booleans()):
        return _mutate(original, draw(_EDITS))
    with zipfile.ZipFile(io.BytesIO(original)) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    target = draw(st.sampled_from(sorted(parts)))
    parts[target] = _mutate(parts[target], draw(_EDITS))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as rebuilt:
        for name, content in parts.items():
            rebuilt.writestr(name, content)
    return buffer.getvalue()


ANY_NAME = st.sampled_from(["list.csv", "list.xlsx", "list.vcf", "list.txt", "list"])
