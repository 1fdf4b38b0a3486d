"""CSV, TSV and plain-text lists: any of four delimiters, with or without a header."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from functools import partial
from itertools import chain

from bot.services.imports.limits import MAX_CELL_CHARS, MAX_COLUMNS, PREVIEW_ROWS, SNIFF_CHARS
from bot.services.imports.problems import ImportProblem, UnreadableFile
from bot.services.imports.sniff import column_names, looks_like_header, sniff_delimiter
from bot.services.imports.table import Row, Table, TableFormat
from bot.services.imports.text import detect_encoding, open_text

# Fed to the csv parser after the last line. In a well-formed file it starts a record of its
# own, which parses to _SENTINEL_RECORD; after a quote left open it closes that quote instead,
# and the record it ends is anything but. Without it, the csv module (not strict) silently
# returns everything after an unmatched quote as one last cell.
_SENTINEL_LINE = '"\x1e\n'
_SENTINEL_RECORD = ["\x1e\n"]


def open_csv(
    name: str, data: bytes, *, has_header: bool | None = None, known_rows: int | None = None
) -> Table:
    """Read a delimited text file through; raise UnreadableFile if it cannot be imported.

    Two passes: decoding (text.check_text: binary, encoding, line length), then parsing
    (columns, cell length, a quote never closed); the start of the second decides the
    delimiter and the header. `known_rows` (see open_table) skips the read-through.
    """
    encoding = detect_encoding(data)
    with open_text(data, encoding) as stream:
        sample = stream.read(SNIFF_CHARS)
        complete = not stream.read(1)
    if not sample.strip():
        raise UnreadableFile(ImportProblem.EMPTY, "only whitespace")
    preferred = "\t" if name.lower().endswith(".tsv") else None
    delimiter = sniff_delimiter(sample, complete=complete, preferred=preferred)
    head: list[list[str]] = []
    records = _records(data, encoding, delimiter)
    try:
        for record in records:
            if any(record):
                head.append(record)
                if len(head) > PREVIEW_ROWS:
                    break
    finally:
        records.close()
    if not head:
        raise UnreadableFile(ImportProblem.EMPTY, "only blank lines")
    header = looks_like_header(head) if has_header is None else has_header
    body = head[1:] if header else head
    if not body:
        raise UnreadableFile(ImportProblem.NO_ROWS, "a header and nothing else")
    preview = body[:PREVIEW_ROWS]
    width = max(len(row) for row in (head[0], *preview))
    source = partial(_rows, data, encoding, delimiter, header)
    # Read it all now (about a second for 20 MB): a quote left open at the end, or a row of
    # 500 columns far down, is refused before the member maps columns, not mid-import.
    count = known_rows if known_rows is not None else sum(1 for _ in source())
    return Table(
        format=TableFormat.CSV,
        columns=column_names(head[0] if header else None, width),
        has_header=header,
        preview=preview,
        source=source,
        row_count=count,
    )


def _rows(data: bytes, encoding: str, delimiter: str, has_header: bool) -> Iterator[Row]:
    """The data rows: blank records skipped but numbered, the header (if any) left out."""
    number = 0
    skip_header = has_header
    for record in _records(data, encoding, delimiter):
        number += 1
        if not any(record):
            continue
        if skip_header:
            skip_header = False
            continue
        yield number, record


def _records(data: bytes, encoding: str, delimiter: str) -> Iterator[list[str]]:
    """Every record of the file, checked against the limits, including blank ones."""
    number = 0
    with open_text(data, encoding) as stream:
        reader = csv.reader(chain(stream, (_SENTINEL_LINE,)), delimiter=delimiter)
        try:
            pending = next(reader)
            for record in reader:
                # `pending` is not the last record, so it is not the sentinel: a real one.
                number += 1
                if len(pending) > MAX_COLUMNS:
                    raise UnreadableFile(
                        ImportProblem.TOO_MANY_COLUMNS,
                        f"{len(pending)} columns (limit {MAX_COLUMNS})",
                        row=number,
                    )
                if pending and max(map(len, pending)) > MAX_CELL_CHARS:
                    raise UnreadableFile(
                        ImportProblem.CELL_TOO_LONG, f"limit {MAX_CELL_CHARS}", row=number
                    )
                yield pending
                pending = record
        except csv.Error as error:
            # The parser's own field limit (128 KiB) is far above ours: a cell that long.
            problem = ImportProblem.CELL_TOO_LONG if "field larger" in str(error) else None
            raise UnreadableFile(
                problem or ImportProblem.CORRUPT, str(error), row=number + 1
            ) from error
        except UnicodeDecodeError as error:  # pragma: no cover - check_text decoded it all
            raise UnreadableFile(ImportProblem.ENCODING, str(error), row=number + 1) from error
    if pending != _SENTINEL_RECORD:
        raise UnreadableFile(ImportProblem.TRUNCATED, "a quote is never closed", row=number + 1)
