"""What every reader returns: a table of strings, previewed at once and streamed on demand."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from enum import StrEnum

# (row number as the member sees it in the file, counting the header; the cells)
Row = tuple[int, list[str]]


class TableFormat(StrEnum):
    """The kind of file a table was read from."""

    CSV = "csv"
    XLSX = "xlsx"
    VCARD = "vcard"


class Table:
    """A readable file: its columns, a preview, and its rows as a stream.

    `rows()` reads the file again from the start each time it is called and keeps one row at a
    time, so a million rows cost no more memory than ten. Text files (CSV, vCard) are read in
    full when opened (a second or so for 20 MB), so every problem they hold is raised by
    `open_table`. A workbook is only read to its preview when opened (openpyxl is far slower),
    so `rows()` can raise `UnreadableFile` part-way through one (a row of 300 columns at row
    500,000, a corrupt part), which the importer must treat as a failed import:
    `count_rows()` reads it through first, without keeping anything.
    """

    __slots__ = ("_count", "_preview", "_source", "columns", "format", "has_header")

    def __init__(
        self,
        *,
        format: TableFormat,
        columns: list[str],
        has_header: bool,
        preview: list[list[str]],
        source: Callable[[], Iterator[Row]],
        row_count: int | None = None,
    ) -> None:
        self.format = format
        self.columns = columns
        self.has_header = has_header
        self._preview = preview
        self._source = source
        self._count = row_count  # known when the reader already read the whole file

    def preview(self, n: int = 5) -> list[list[str]]:
        """The first `n` data rows (at most the PREVIEW_ROWS read at open), as copies."""
        return [list(cells) for cells in self._preview[: max(n, 0)]]

    def rows(self) -> Iterator[Row]:
        """Every data row, streamed: (row number in the file, cells).

        Blank rows are skipped but counted, so numbers match what the member sees in a
        spreadsheet. Rows are yielded as they are (short, long, odd): validating them is the
        caller's job. Close the iterator (or exhaust it) to release the file promptly.
        """
        return self._source()

    @property
    def known_rows(self) -> int | None:
        """The row count if the file was read through already (text files, at open)."""
        return self._count

    def count_rows(self) -> int:
        """How many rows `rows()` yields (for a progress bar), reading the file if need be.

        Raises UnreadableFile if any part of the file is unreadable, so calling it before an
        import means the import cannot fail half-way for a reason the file holds.
        """
        if self._count is None:
            count = 0
            for _ in self.rows():
                count += 1
            self._count = count
        return self._count

    def __repr__(self) -> str:
        return f"<Table {self.format} columns={len(self.columns)} header={self.has_header}>"
