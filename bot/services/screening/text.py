"""Reading a campaign's text the way screening compares it: normalised, and its links found.

Matching ignores case, accents and width (NFKC, casefold, marks dropped from Latin, Greek
and Cyrillic letters only: in Thai and Japanese the marks are letters' own parts, and are
kept). Placeholders ({first_name}) are not the member's words and are left out.
"""

from __future__ import annotations

import re
import unicodedata

_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
# A host name, with or without a scheme, a user part or a path around it; validated below.
_HOST = re.compile(r"(?:[a-z][a-z0-9+.-]*://)?(?:[^\s/@]+@)?([\w-]+(?:\.[\w-]+)+)", re.IGNORECASE)
_LINK = re.compile(r"(?:[a-z][a-z0-9+.-]*://)?[\w-]+(?:\.[\w-]+)+(?:[/?#]\S*)?", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
# Marks on letters below this code point (Latin, Greek, Cyrillic) are accents; above, parts.
_ACCENTED_SCRIPTS_END = 0x0530
# Scripts written without spaces between words: their phrases match anywhere.
_UNSPACED = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff66-\uff9f]")


def without_placeholders(text: str) -> str:
    """The text with every {placeholder} replaced by a space."""
    return _PLACEHOLDER.sub(" ", text)


def without_links(text: str) -> str:
    """The text with every link (or bare host name) replaced by a space."""
    return _LINK.sub(" ", text)


def normalise(text: str) -> str:
    """Case-, accent- and width-insensitive form, with runs of spaces made one."""
    decomposed = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", text).casefold())
    kept: list[str] = []
    base = 0
    for char in decomposed:
        if unicodedata.combining(char):
            if base >= _ACCENTED_SCRIPTS_END:
                kept.append(char)
            continue
        base = ord(char)
        kept.append(char)
    return _SPACES.sub(" ", unicodedata.normalize("NFC", "".join(kept))).strip()


def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """A pattern finding the (normalised) phrase in a normalised text: as whole words in
    scripts with spaces, anywhere in Thai and Japanese."""
    words = [re.escape(word) for word in phrase.split(" ") if word]
    body = r"\s+".join(words)
    if _UNSPACED.search(phrase):
        return re.compile(body)
    return re.compile(rf"(?<!\w){body}(?!\w)")


def hosts(text: str) -> list[str]:
    """The host names of the links in the text (with or without a scheme, in e-mail
    addresses too), lower-case, in order, each once. A name needs a top-level part of two or
    more letters (or punycode), so "3.14" or "e.g" are not hosts."""
    found: dict[str, None] = {}
    for match in _HOST.finditer(unicodedata.normalize("NFKC", text)):
        host = match.group(1).strip(".-").casefold()
        labels = host.split(".")
        top = labels[-1]
        if any(not label for label in labels) or not (top.isalpha() or top.startswith("xn--")):
            continue
        if len(top) < 2:
            continue
        found[host] = None
    return list(found)


def share_of_capitals(text: str, *, at_least: int) -> float | None:
    """The share of capitals among the letters that have case; None below `at_least` of them."""
    letters = [char for char in text if char.isupper() or char.islower()]
    if len(letters) < at_least:
        return None
    return sum(char.isupper() for char in letters) / len(letters)


def share_of_symbols(text: str, *, at_least: int) -> float | None:
    """The share of punctuation and symbols (emoji included) among the characters that are not
    spaces; None below `at_least` characters."""
    chars = [char for char in text if not char.isspace()]
    if len(chars) < at_least:
        return None
    symbols = sum(unicodedata.category(char)[0] in "PS" for char in chars)
    return symbols / len(chars)
