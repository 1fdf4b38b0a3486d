"""vCard files (.vcf) as phones export them: versions 2.1, 3.0 and 4.0, many contacts each.

A small parser of our own: the libraries we tried (vobject) reject the quoted-printable soft
line breaks every Android phone writes into vCard 2.1 exports. Handled here: line folding
(RFC 6350 3.2), quoted-printable values with their CHARSET, escaped text (\\n \\, \\;), groups
("item1.TEL"), 2.1's bare parameters (TEL;CELL:...), 4.0's quoted lists (TYPE="voice,cell")
and tel: URIs. Each contact is one row with fixed columns; its row number is its position in
the file (1 for the first contact).
"""

from __future__ import annotations

import codecs
import quopri
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import TextIO

from bot.services.imports.limits import MAX_CELL_CHARS, PREVIEW_ROWS
from bot.services.imports.problems import ImportProblem, UnreadableFile
from bot.services.imports.table import Row, Table, TableFormat
from bot.services.imports.text import detect_encoding, open_text

VCARD_COLUMNS = (
    "first_name",
    "last_name",
    "full_name",
    "phone",
    "phones",  # every number of the contact, ";"-joined
    "email",
    "organization",
    "note",
)
_WANTED = frozenset({"BEGIN", "END", "N", "FN", "TEL", "EMAIL", "ORG", "NOTE"})
_MOBILE_TYPES = frozenset({"CELL", "MOBILE", "IPHONE"})
_NOT_PHONES = frozenset({"FAX", "PAGER", "TEXTPHONE"})  # not chosen as the contact's phone
# Quoted-printable triples a value's size: the raw property may be this long at most.
_MAX_PROPERTY_CHARS = 3 * MAX_CELL_CHARS + 1024
_ESCAPE = re.compile(r"\\(.)")
_UNESCAPED = {"n": "\n", "N": "\n"}
_COMPONENT = re.compile(r"(?<!\\);")
_LIST = re.compile(r"(?<!\\),")


def looks_like_vcard(data: bytes) -> bool:
    """True when the file starts (after a BOM and blank lines) with BEGIN:VCARD."""
    head = data[:512]
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if head.startswith(bom):
            text = head.decode(encoding, errors="ignore")
            break
    else:
        text = head.decode("latin-1")
    return text.lstrip("\ufeff\xef\xbb\xbf \t\r\n").upper().startswith("BEGIN:VCARD")


def open_vcard(data: bytes) -> Table:
    """Read a vCard file through; raise UnreadableFile if it cannot be imported."""
    encoding = detect_encoding(data)
    preview: list[list[str]] = []
    cards = _cards(data, encoding)
    try:
        for cells in cards:
            preview.append(cells)
            if len(preview) >= PREVIEW_ROWS:
                break
    finally:
        cards.close()
    if not preview:
        raise UnreadableFile(ImportProblem.NO_ROWS, "no contact in the file")
    source = partial(_rows, data, encoding)
    count = sum(1 for _ in source())  # read it all now: a card left open is refused here
    return Table(
        format=TableFormat.VCARD,
        columns=list(VCARD_COLUMNS),
        has_header=True,  # the columns have names, though the file has no header row
        preview=preview,
        source=source,
        row_count=count,
    )


def _rows(data: bytes, encoding: str) -> Iterator[Row]:
    yield from enumerate(_cards(data, encoding), start=1)


@dataclass(slots=True)
class _Card:
    family: str = ""
    given: str = ""
    full: str = ""
    phones: list[tuple[str, frozenset[str]]] = field(default_factory=list)
    emails: list[tuple[str, frozenset[str]]] = field(default_factory=list)
    organization: str = ""
    note: str = ""

    def add(self, name: str, params: dict[str, list[str]], raw: str) -> None:
        value = _decode(raw, params)
        types = frozenset(t.upper() for t in params.get("TYPE", ()))
        if "PREF" in params:  # vCard 4.0: PREF=1
            types |= {"PREF"}
        if name == "N":
            parts = [*_COMPONENT.split(value), "", ""]
            self.family, self.given = _words(parts[0]), _words(parts[1])
        elif name == "FN":
            self.full = _unescape(value).strip()
        elif name == "TEL":
            number = value.strip()
            if number[:4].lower() == "tel:":
                number = number[4:]
            if number:
                self.phones.append((number, types))
        elif name == "EMAIL" and value.strip():
            self.emails.append((value.strip(), types))
        elif name == "ORG":
            self.organization = _words(_COMPONENT.split(value)[0])
        elif name == "NOTE":
            self.note = _unescape(value).strip()

    def cells(self, number: int) -> list[str]:
        full = self.full or " ".join(part for part in (self.given, self.family) if part)
        cells = [
            self.given,
            self.family,
            full,
            _preferred_phone(self.phones),
            ";".join(phone for phone, _ in self.phones),
            min(self.emails, key=lambda e: "PREF" not in e[1])[0] if self.emails else "",
            self.organization,
            self.note,
        ]
        if max(map(len, cells)) > MAX_CELL_CHARS:
            raise UnreadableFile(ImportProblem.CELL_TOO_LONG, f"limit {MAX_CELL_CHARS}", row=number)
        return cells


def _preferred_phone(phones: list[tuple[str, frozenset[str]]]) -> str:
    """The number to message: a mobile marked preferred, a mobile, a preferred one, the first.

    Fax and pager numbers are never chosen (they stay in the "phones" column).
    """
    candidates = [(n, t) for n, t in phones if not t & _NOT_PHONES]
    if not candidates:
        return ""
    best = min(
        range(len(candidates)),
        key=lambda i: (not candidates[i][1] & _MOBILE_TYPES, "PREF" not in candidates[i][1], i),
    )
    return candidates[best][0]


def _cards(data: bytes, encoding: str) -> Iterator[list[str]]:
    depth = 0
    card = _Card()
    number = 0
    with open_text(data, encoding) as stream:
        for name, params, value in _properties(stream):
            if name == "BEGIN" and value.strip().upper() == "VCARD":
                depth += 1
                if depth == 1:
                    card = _Card()
            elif name == "END" and value.strip().upper() == "VCARD":
                if depth == 1:
                    number += 1
                    yield card.cells(number)
                depth = max(depth - 1, 0)
            elif depth == 1:  # deeper: a 2.1 AGENT card inside this one, not a contact
                card.add(name, params, value)
    if depth:
        raise UnreadableFile(ImportProblem.TRUNCATED, "a vCard is never closed", row=number + 1)


def _properties(stream: TextIO) -> Iterator[tuple[str, dict[str, list[str]], str]]:
    """(NAME, parameters, raw value) of each logical line we use, unfolded."""
    parts: list[str] = []
    size = 0
    wanted = False
    quoted_printable = False
    previous = ""
    for raw in stream:
        line = raw.rstrip("\r\n")
        if parts and line[:1] in (" ", "\t"):  # folded: the continuation of the last line
            line = line[1:]
        elif parts and quoted_printable and previous.endswith("="):
            # A quoted-printable soft line break: the value goes on, unindented (2.1).
            if wanted:
                parts[-1] = parts[-1][:-1]
        else:
            if wanted and (prop := _parse_property("".join(parts))) is not None:
                yield prop
            parts, size = [], 0
            head = line.split(":", 1)[0].upper()
            wanted = head.split(";", 1)[0].rsplit(".", 1)[-1] in _WANTED
            quoted_printable = "QUOTED-PRINTABLE" in head
        if wanted:  # a photo's kilobytes of base64 are skipped, not gathered
            parts.append(line)
            size += len(line)
            if size > _MAX_PROPERTY_CHARS:
                raise UnreadableFile(ImportProblem.CELL_TOO_LONG, f"limit {MAX_CELL_CHARS}")
        elif not parts:
            parts.append("")  # remember that a property is open, to skip its continuations
        previous = line
    if wanted and (prop := _parse_property("".join(parts))) is not None:
        yield prop


def _parse_property(line: str) -> tuple[str, dict[str, list[str]], str] | None:
    colon = _unquoted_colon(line)
    if colon < 0:
        return None  # not a property line: tolerated, as phones write odd things
    head, value = line[:colon], line[colon + 1 :]
    name, *raw_params = head.split(";")
    params: dict[str, list[str]] = {}
    for raw in raw_params:
        key, equals, values = raw.partition("=")
        if not equals:  # vCard 2.1: TEL;CELL;PREF:...
            key, values = "TYPE", key
        for item in values.strip('"').split(","):
            params.setdefault(key.strip().upper(), []).append(item.strip().strip('"'))
    return name.rsplit(".", 1)[-1].strip().upper(), params, value


def _unquoted_colon(line: str) -> int:
    """The colon that ends the name and parameters (a quoted parameter may hold one)."""
    if '"' not in line.split(":", 1)[0]:
        return line.find(":")
    quoted = False
    for index, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            return index
    return -1


def _decode(value: str, params: dict[str, list[str]]) -> str:
    encodings = {e.upper() for e in params.get("ENCODING", []) + params.get("TYPE", [])}
    if "QUOTED-PRINTABLE" not in encodings:
        return value
    charset = (params.get("CHARSET") or ["utf-8"])[0]
    raw = quopri.decodestring(value.encode("utf-8"))
    for candidate in (charset, "utf-8", "cp1252"):
        try:
            return raw.decode(candidate)
        except (UnicodeDecodeError, LookupError):
            continue
    return raw.decode("utf-8", errors="replace")  # pragma: no cover - cp1252 decodes nearly all


def _unescape(text: str) -> str:
    return _ESCAPE.sub(lambda m: _UNESCAPED.get(m.group(1), m.group(1)), text)


def _words(component: str) -> str:
    """A name component, unescaped; vCard 4.0 lists several with commas ("John,Paul")."""
    words = (_unescape(part).strip() for part in _LIST.split(component))
    return " ".join(word for word in words if word)
