"""Open an uploaded contact file as a table: CSV/TSV/TXT, XLSX or vCard.

Pure and synchronous (CPU-bound): callers in async code run `open_table` and the iteration of
`Table.rows()` in a worker thread.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from bot.services.imports.csv_reader import open_csv
from bot.services.imports.limits import MAX_FILE_BYTES
from bot.services.imports.problems import ImportProblem, UnreadableFile
from bot.services.imports.table import Row, Table, TableFormat
from bot.services.imports.vcard_reader import looks_like_vcard, open_vcard

__all__ = ["ImportProblem", "Row", "Table", "TableFormat", "UnreadableFile", "open_table"]

_ZIP_MAGIC = b"PK\x03\x04"
_EMPTY_ZIP_MAGIC = b"PK\x05\x06"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and password-protected .xlsx


def open_table(
    name: str,
    data: bytes,
    *,
    has_header: bool | None = None,
    max_bytes: int = MAX_FILE_BYTES,
    known_rows: int | None = None,
) -> Table:
    """Open `data` (the file named `name`) as a table, or raise UnreadableFile saying why.

    The content decides the format, the name only breaks ties: a ZIP is a workbook whatever
    its name, text starting with BEGIN:VCARD is a vCard, any other text is delimited. A .xlsx
    or .vcf whose content is something else is refused rather than read as CSV.
    `has_header` overrides the guess of whether the first row names the columns (the member
    can correct it); it does not apply to vCards, whose columns are fixed.
    `max_bytes` is the upload limit (a benchmark lifts it for files larger than a chat allows).
    `known_rows`: the `known_rows` of a table opened from these very bytes before (the staged
    upload, at import): a delimited file is then not read through again.
    """
    if not data or data.isspace():
        raise UnreadableFile(ImportProblem.EMPTY)
    if len(data) > max_bytes:
        raise UnreadableFile(ImportProblem.TOO_LARGE, f"{len(data)} bytes")
    suffix = PurePosixPath(name).suffix.lower()
    if data.startswith((_ZIP_MAGIC, _EMPTY_ZIP_MAGIC)):
        # Imported here, when a workbook comes: openpyxl (with numpy, which it loads when it is
        # installed) weighs 30 MB, which the import worker need not carry for a CSV file.
        from bot.services.imports.xlsx_reader import open_xlsx

        return open_xlsx(data, has_header=has_header)
    if data.startswith(_OLE2_MAGIC):
        raise UnreadableFile(ImportProblem.UNSUPPORTED, "legacy .xls or encrypted workbook")
    if suffix == ".xlsx":
        raise UnreadableFile(ImportProblem.CORRUPT, ".xlsx that is not a ZIP archive")
    if looks_like_vcard(data):
        return open_vcard(data)
    if suffix == ".vcf":
        raise UnreadableFile(ImportProblem.UNSUPPORTED, ".vcf without BEGIN:VCARD")
    return open_csv(name, data, has_header=has_header, known_rows=known_rows)
