"""Checks on files members upload, before anything reads them as data.

The limit is Telegram's Bot API download limit, applied to both platforms so a member gets the
same answer wherever they upload.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import PurePosixPath, PureWindowsPath

from bot.conversation.events import FileRef

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
ACCEPTED_SUFFIXES = frozenset({".csv", ".tsv", ".txt", ".xlsx", ".vcf"})
MAX_NAME_CHARS = 128
_MAX_SUFFIX_CHARS = 10
_SNIFF_BYTES = 64 * 1024
_ZIP_MAGIC = b"PK\x03\x04"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class UploadProblem(StrEnum):
    """Why an uploaded file is refused."""

    TOO_LARGE = "too_large"
    UNSUPPORTED_TYPE = "unsupported_type"
    EMPTY = "empty"
    NOT_READABLE = "not_readable"


def safe_name(name: str) -> str:
    """The bare file name, without any directories a client put in it ("../../x.csv" -> "x.csv"),
    control and formatting characters (NUL, a right-to-left override) or more than
    MAX_NAME_CHARS; it is shown to the member and never used as a path."""
    bare = PureWindowsPath(PurePosixPath(name).name).name
    cleaned = "".join(ch for ch in bare if ch.isprintable()).strip(" .")
    if len(cleaned) > MAX_NAME_CHARS:
        # Cut the stem, not the type: a long-named .csv lost its suffix here and was refused
        # as a file of no type we read.
        suffix = PurePosixPath(cleaned).suffix
        suffix = suffix if len(suffix) <= _MAX_SUFFIX_CHARS else ""
        cleaned = cleaned[: MAX_NAME_CHARS - len(suffix)].rstrip(" .") + suffix
    return cleaned or "upload"


def precheck(file: FileRef) -> UploadProblem | None:
    """What can be refused from the platform's description alone, before downloading."""
    if file.size is not None and file.size > MAX_UPLOAD_BYTES:
        return UploadProblem.TOO_LARGE
    if PurePosixPath(safe_name(file.name)).suffix.lower() not in ACCEPTED_SUFFIXES:
        return UploadProblem.UNSUPPORTED_TYPE
    return None


def inspect(name: str, content: bytes) -> UploadProblem | None:
    """What can be refused from the bytes: empty, oversize, or not what the name claims."""
    if not content:
        return UploadProblem.EMPTY
    if len(content) > MAX_UPLOAD_BYTES:
        return UploadProblem.TOO_LARGE
    head = content[:_SNIFF_BYTES]
    if PurePosixPath(safe_name(name)).suffix.lower() == ".xlsx":
        return None if head.startswith(_ZIP_MAGIC) else UploadProblem.NOT_READABLE
    # A text file holds no NUL bytes, except UTF-16, which announces itself with a BOM.
    if b"\x00" in head and not head.startswith(_UTF16_BOMS):
        return UploadProblem.NOT_READABLE
    return None
