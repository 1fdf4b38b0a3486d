"""Guesses about the start of a file: its delimiter, and whether its first row is a header."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from itertools import islice

from bot.services.imports.limits import SNIFF_RECORDS
from bot.services.imports.phones import is_phone_shaped
from bot.services.imports.vocabulary import is_known_header

DELIMITERS = (",", ";", "\t", "|")
LINE_ID = re.compile(r"U[0-9a-f]{32}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_NUMBER = re.compile(r"[-+]?[\d\s.,/:()-]*\d[\d\s.,/:()-]*")
# A delimiter must split at least this share of the sampled records into its usual count.
_CONSISTENT = 0.8


def sniff_delimiter(sample: str, *, complete: bool, preferred: str | None = None) -> str:
    """The delimiter that splits the sample into the most consistent number of columns.

    Each candidate splits the sample with the csv module itself, so a delimiter inside quotes
    ("Doe, John";612...) is not counted: that is where csv.Sniffer goes wrong. Candidates are
    ranked by: splitting at least 80% of records into the same count (2 or more); then more
    columns ("a,b;c" in every row of a comma file is 3 columns, not 2); then consistency;
    then fewer cells starting with a space (", " is prose, not a delimiter); then the file
    extension's delimiter (.tsv), then comma, semicolon, tab, pipe. With no candidate (a
    single column), comma. `complete` is False when the sample is cut from a longer file:
    its last record may be partial and is not counted.
    """
    order = sorted(DELIMITERS, key=lambda d: (d != preferred, DELIMITERS.index(d)))
    best, best_score = ",", None
    for priority, delimiter in enumerate(order):
        # newline="": lines end at \r, \n or \r\n, as the file is read (text.open_text). The
        # default splits at \n only, and the csv module raises on a lone \r inside a line: a
        # file from Excel's "CSV (Macintosh)" was an exception instead of a list.
        reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
        records = list(islice(reader, SNIFF_RECORDS + 1))
        if not complete and len(records) > 1:
            records = records[:-1]
        counts = [len(r) for r in records if any(cell.strip() for cell in r)]
        if not counts:
            continue
        modal, frequency = Counter(counts).most_common(1)[0]
        if modal < 2:
            continue
        consistency = frequency / len(counts)
        spaced = sum(cell[:1] == " " for r in records for cell in r[1:])
        cells = max(1, sum(len(r) - 1 for r in records))
        score = (consistency >= _CONSISTENT, modal, consistency, -spaced / cells, -priority)
        if best_score is None or score > best_score:
            best, best_score = delimiter, score
    return best


def is_value(cell: str) -> bool:
    """A cell that holds data rather than a name: a number, phone, e-mail or LINE id."""
    text = cell.strip()
    return bool(
        text
        and (
            is_phone_shaped(text)
            or _NUMBER.fullmatch(text) is not None
            or EMAIL.fullmatch(text) is not None
            or LINE_ID.fullmatch(text) is not None
        )
    )


def looks_like_header(rows: list[list[str]]) -> bool:
    """Whether rows[0] names the columns of the rows below it.

    No, if any of its cells is data (a phone number, an e-mail, a number). Yes, if any cell
    is a header we know in one of our languages ("Teléfono", "Фамилия", "Phone 1 - Value").
    Otherwise yes if some column has a text cell on top of mostly data cells below ("Client"
    over phone numbers), and no when nothing tells (a list of names alone): the member can
    say otherwise, and a header read as a contact is easier to spot than a lost first row.
    """
    if not rows:
        return False
    first = [cell.strip() for cell in rows[0]]
    if not any(first) or any(is_value(cell) for cell in first if cell):
        return False
    if any(is_known_header(cell) for cell in first if cell):
        return True
    body = rows[1:]
    for index, head in enumerate(first):
        if not head or any(char.isdigit() for char in head):
            continue
        values = [r[index] for r in body if index < len(r) and r[index].strip()]
        if values and sum(map(is_value, values)) >= 0.5 * len(values):
            return True
    return False


def column_names(header: list[str] | None, width: int) -> list[str]:
    """Header names (blank ones and extra columns named "Column N"), or all "Column N"."""
    names = [cell.strip() for cell in header] if header else []
    names += [""] * (width - len(names))
    return [name or f"Column {index}" for index, name in enumerate(names, start=1)]
