"""Text files (CSV, TSV, vCard): which encoding, and a first pass that refuses non-text.

The first pass decodes the whole file in chunks, without keeping it, so that a file which is
binary, mis-encoded or has a monstrous line is refused when it is opened, before the member maps
its columns, rather than after half of it was imported.
"""

from __future__ import annotations

import codecs
import io
import re
import unicodedata

from charset_normalizer.md import mess_ratio

from bot.services.imports.limits import (
    CONTROL_SAMPLE_CHARS,
    MAX_CONTROL_SHARE,
    MAX_LINE_CHARS,
)
from bot.services.imports.problems import ImportProblem, UnreadableFile

# UTF-32 first: its little-endian BOM begins with UTF-16's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Bytes decoded per step of the first pass. Smaller than MAX_LINE_CHARS, so a line longer than
# the limit always spans a chunk boundary and only the boundaries need measuring.
_CHUNK_BYTES = 256 * 1024
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")
# The legacy-encoding guess looks at lines that hold non-ASCII bytes, wherever they are.
_GUESS_SAMPLE_BYTES = 32 * 1024
_FALLBACK_ENCODING = "cp1252"  # what Excel writes on Western European and American Windows
# The code pages Excel writes CSV in, by Windows locale; on a tie, the earlier wins (our
# members' markets first: Western, Cyrillic, Thai, Japanese).
_LEGACY = (
    "cp1252", "cp1251", "cp874", "cp932", "cp1250", "cp1253", "cp1254", "cp1257",
    "cp1258", "cp936", "cp949", "cp950",
)  # fmt: skip
_JAPANESE = frozenset({"CJK", "HIRAGANA", "KATAKANA", "HALFWIDTH", "IDEOGRAPHIC"})
# Runs of anything but spaces, digits and ASCII punctuation: words, with whatever symbols a
# wrong code page put into them.
_WORD = re.compile(r"[^\s\d!-/:-@\[-`{-~]+")
_BREAKS = re.compile(r"[\r\n]")
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def detect_encoding(data: bytes) -> str:
    """The Python codec that decodes all of `data`; raises UnreadableFile when there is none.

    In order: a byte-order mark; UTF-16 without one (recognised by its zero bytes); UTF-8; the
    Windows code pages Excel writes CSV in, by locale (cp1252, cp1251, cp874 (Thai), cp932
    (Shift-JIS)...), most plausible first (see _legacy_candidates); cp1252. Every candidate must
    decode the whole file, and the file must pass `check_text`, or the next one is tried.
    """
    declared = next((encoding for bom, encoding in _BOMS if data.startswith(bom)), None)
    # A byte-order mark, or UTF-16's zero bytes, leave no other candidate: text that does not
    # decode in that encoding (cut at an odd byte, edited in another one) is refused here.
    # It escaped as UnicodeDecodeError before (found by the property tests).
    declared = declared or _bomless_utf16(data[:4096])
    if declared is not None:
        try:
            return _checked(data, declared)
        except UnicodeDecodeError as error:
            detail = f"not valid {declared} at byte {error.start}"
            raise UnreadableFile(ImportProblem.ENCODING, detail) from error
    if b"\x00" in data:
        raise UnreadableFile(ImportProblem.BINARY, "NUL bytes in an 8-bit text file")
    try:
        return _checked(data, "utf-8")
    except UnicodeDecodeError:
        pass
    for encoding in dict.fromkeys([*_legacy_candidates(data), _FALLBACK_ENCODING]):
        try:
            return _checked(data, encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    raise UnreadableFile(ImportProblem.ENCODING, "not UTF-8/16 and no legacy encoding fits")


def open_text(data: bytes, encoding: str) -> io.TextIOWrapper:
    """A text stream over `data` with line endings untouched, as the csv module wants them."""
    return io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")


def check_text(data: bytes, encoding: str) -> None:
    """Decode all of `data` once: refuse control-character soup and over-long lines.

    Raises UnicodeDecodeError when `encoding` is wrong (the caller tries another) and
    UnreadableFile for BINARY or LINE_TOO_LONG.
    """
    decoder = codecs.getincrementaldecoder(encoding)()
    view = memoryview(data)
    run = 0  # characters since the last line break
    lines = 1
    for start in range(0, len(data), _CHUNK_BYTES):
        final = start + _CHUNK_BYTES >= len(data)
        text = decoder.decode(view[start : start + _CHUNK_BYTES], final)
        if start == 0:
            _refuse_control_soup(text)
        elif "\x00" in text:
            raise UnreadableFile(ImportProblem.BINARY, "NUL characters")
        first = _BREAKS.search(text)
        if first is None:
            run += len(text)
        else:
            run += first.start()
            last = max(text.rfind("\n"), text.rfind("\r"))
        if run > MAX_LINE_CHARS:
            raise UnreadableFile(
                ImportProblem.LINE_TOO_LONG, f"line {lines} exceeds {MAX_LINE_CHARS}", row=lines
            )
        if first is not None:
            lines += text.count("\n")
            run = len(text) - last - 1


def _checked(data: bytes, encoding: str) -> str:
    check_text(data, encoding)
    return encoding


def _refuse_control_soup(text: str) -> None:
    head = text[:CONTROL_SAMPLE_CHARS]
    if "\x00" in text or len(_CONTROLS.findall(head)) > MAX_CONTROL_SHARE * max(len(head), 100):
        raise UnreadableFile(ImportProblem.BINARY, "control characters")


def _bomless_utf16(head: bytes) -> str | None:
    """UTF-16 without a BOM: text in Latin scripts has a zero in every other byte."""
    head = head[: len(head) // 2 * 2]
    if len(head) < 8:
        return None
    pairs = len(head) // 2
    even_zeros = head[0::2].count(0)
    odd_zeros = head[1::2].count(0)
    if odd_zeros > 0.4 * pairs and even_zeros < 0.05 * pairs:
        return "utf-16-le"
    if even_zeros > 0.4 * pairs and odd_zeros < 0.05 * pairs:
        return "utf-16-be"
    return None


def _legacy_candidates(data: bytes) -> list[str]:
    """Legacy code pages that decode the lines holding non-ASCII bytes, most likely first.

    Those lines can be anywhere (a list sorted by name reaches "Ñúñez" late); taking whole
    lines keeps multi-byte characters (Shift-JIS, Big5) in one piece.
    """
    sample = bytearray()
    position = 0
    while len(sample) < _GUESS_SAMPLE_BYTES:
        found = _HIGH_BYTE.search(data, position)
        if found is None:
            break
        # Whole lines, but never more than a few KB of one (a huge line is refused later).
        start = max(data.rfind(b"\n", 0, found.start()) + 1, found.start() - 2048)
        end = data.find(b"\n", found.start(), found.start() + 2048)
        end = min(len(data), found.start() + 2048) if end == -1 else end + 1
        sample += data[start:end]
        position = end
    if not sample:
        return []
    raw = bytes(sample)
    scores = {}
    for rank, name in enumerate(_LEGACY):
        try:
            text = raw.decode(name)
        except UnicodeDecodeError:
            continue
        # Believable words first; then charset-normalizer's measure of gibberish (which tells
        # Thai in cp874 from the same bytes as Cyrillic); then our markets' order, which
        # settles identical decodings ("Pérez" is the same in cp1250 and cp1252).
        scores[name] = (_plausibility(text), -mess_ratio(text, 1.0), -rank)
    return sorted(scores, key=scores.__getitem__, reverse=True)


def _plausibility(text: str) -> float:
    """Share of non-ASCII characters that sit in believable words.

    A believable word has only letters (and combining marks) beyond ASCII, from one script;
    Latin accents come with plain letters ("Ñuño", not "Èâàí", which is Russian read as
    cp1252); other scripts come alone ("Иван", not "Josй", which is Spanish read as cp1251).
    """
    good = total = 0
    for word in _WORD.findall(text):
        foreign = [char for char in word if not char.isascii()]
        if not foreign:
            continue
        total += len(foreign)
        scripts = {_script(char) for char in foreign}
        ascii_letters = any(char.isascii() and char.isalpha() for char in word)
        if None in scripts or len(scripts) > 1:
            continue
        latin = scripts == {"LATIN"}
        if (latin and (ascii_letters or len(word) < 3)) or (not latin and not ascii_letters):
            good += len(foreign)
    return good / total if total else 0.0


def _script(char: str) -> str | None:
    """The script of a letter or mark, with Japanese scripts as one; None for anything else."""
    if unicodedata.category(char)[0] not in "LM":
        return None
    script = unicodedata.name(char, "?").split()[0]
    return "JAPANESE" if script in _JAPANESE else script
