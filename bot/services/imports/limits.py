"""Every limit the import readers enforce, in one place.

A file past any of these is refused with a reason (`UnreadableFile`), never read in part: a member
must not believe a list was imported when only its first half was.
"""

from __future__ import annotations

# The upload limit (Telegram's Bot API download limit, applied on both chat platforms). It is
# bot.services.uploads.MAX_UPLOAD_BYTES; repeated here so this pure package imports nothing from
# the chat side, and a test holds the two equal.
MAX_FILE_BYTES = 20 * 1024 * 1024

# A distribution list has a handful of columns; Google and Outlook exports have about 90.
MAX_COLUMNS = 200
# Longer than any name, note or address; a cell past it is a broken or hostile file.
MAX_CELL_CHARS = 10_000
# A physical line of a text file, in characters. Checked before the CSV parser sees the line, so a
# 10 MB line without delimiters never becomes one giant field.
MAX_LINE_CHARS = 1024 * 1024

# How much of the start of a text file decides its delimiter and header.
SNIFF_CHARS = 64 * 1024
SNIFF_RECORDS = 50
# Rows kept at open time for the preview and for guessing the mapping from values.
PREVIEW_ROWS = 20
# Share of control characters (other than tab and line breaks) in the first decoded characters
# above which a "text" file is binary in disguise.
MAX_CONTROL_SHARE = 0.01
CONTROL_SAMPLE_CHARS = 8192

# XLSX: checked on the ZIP directory before any part is decompressed. Real workbooks compress
# their XML 5-30x; deflate cannot exceed about 1030x, which is what bombs use.
MAX_XLSX_UNCOMPRESSED_BYTES = 400 * 1024 * 1024
MAX_XLSX_RATIO = 200
# Parts smaller than this are not judged by their ratio (tiny, very regular XML compresses well).
XLSX_RATIO_MIN_BYTES = 1024 * 1024
MAX_XLSX_PARTS = 2_000
# openpyxl loads the shared strings, styles and workbook parts whole (only sheets stream):
# 64 MiB of shared-string XML is over a million distinct names, and a few hundred MB in Python.
MAX_XLSX_LOADED_PART_BYTES = 64 * 1024 * 1024
# Excel's own sheet limit: a row number past it is a corrupt file, not data.
MAX_XLSX_ROWS = 1_048_576
