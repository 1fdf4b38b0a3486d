"""Why a file cannot be imported: reasons the chat translates, never a traceback."""

from __future__ import annotations

from enum import StrEnum


class ImportProblem(StrEnum):
    """A file-level reason to refuse an upload. Row-level problems are not file problems."""

    EMPTY = "empty"  # no bytes, or only whitespace
    TOO_LARGE = "too_large"  # more bytes than the upload limit
    BINARY = "binary"  # not text: an image, an archive, an executable named .csv
    ENCODING = "encoding"  # text in no encoding we can identify
    TOO_MANY_COLUMNS = "too_many_columns"
    LINE_TOO_LONG = "line_too_long"
    CELL_TOO_LONG = "cell_too_long"
    TRUNCATED = "truncated"  # ends mid-way: an unterminated quote, a cut ZIP, an open vCard
    CORRUPT = "corrupt"  # broken structure: malformed XML, bad checksums, impossible row numbers
    ZIP_BOMB = "zip_bomb"  # a workbook that would decompress to far more than it weighs
    NO_ROWS = "no_rows"  # readable, but nothing to import (a header alone, an empty sheet)
    UNSUPPORTED = "unsupported"  # a format we do not read: .xls, .ods, encrypted workbooks


class UnreadableFile(Exception):
    """The file cannot be imported; `problem` says why, for a translated answer.

    `detail` is for logs and support: it names sizes, counts and row numbers, never the file's
    content (which holds people's data). `row`, when known, is where the problem was found, as the
    member numbers the rows of the file.
    """

    def __init__(
        self, problem: ImportProblem, detail: str | None = None, *, row: int | None = None
    ) -> None:
        super().__init__(problem.value if detail is None else f"{problem.value}: {detail}")
        self.problem = problem
        self.detail = detail
        self.row = row
