"""Placeholders in campaign messages: what a member writes, parsed once, rendered per recipient.

The syntax, as a member types it in chat:
- `{first_name}`: the recipient's value, or nothing when the recipient has none;
- `{first_name|there}`: the same with a fallback, literal text used when the value is missing or
  empty (spaces and any script allowed, kept exactly as written; no braces and no "|");
- `{{` and `}}`: a literal "{" and "}". A lone "}" is an error, like a lone "{", so that every
  brace in a text is either a placeholder's or written twice and nothing is guessed.

Names are first_name, last_name, full_name, phone (`BUILT_IN_NAMES`) and the key of any imported
attribute (see `bot.services.imports.mapping.attribute_key`). A name is folded the way those keys
are made, so `{First_Name}`, `{ first_name }` and `{Cumpleaños}` (key "cumpleanos") all work;
`names` holds the folded forms, the ones `contact_values` uses.

This is not `str.format`: nothing in a placeholder is ever evaluated. Attribute and item access
(`{a.b}`, `{a[0]}`), conversions (`{a!r}`) and format specs (`{a:>10}`) are parse errors, and a
value is inserted verbatim, never expanded again, whatever braces it holds.

`PlaceholderError.code` says what is wrong, for the handler to explain in the member's language:
  too_long           the text is longer than MAX_TEXT characters
  too_many           more than MAX_PLACEHOLDERS placeholders
  unopened           a lone "}" (write "}}" for a literal one)
  unclosed           a "{" never closed (write "{{" for a literal one)
  nested             a "{" inside a placeholder
  empty              no name: `{}`, `{ }`, `{|there}`
  attribute          attribute or item access: `{a.b}`, `{a[0]}`
  conversion         a conversion: `{a!r}`
  format_spec        a format spec: `{a:>10}`
  bad_name           a name of other characters than letters, digits and "_", or starting
                     with a digit (`{0}`, `{first name}`)
  name_too_long      a name longer than MAX_NAME characters
  bad_fallback       a second "|" in one placeholder
  fallback_too_long  a fallback longer than MAX_FALLBACK characters
`PlaceholderError.position` is the 0-based index in the text of the offending character, or of
the placeholder's "{" when the problem is its whole name or fallback.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from bot.services.imports.vocabulary import fold

__all__ = [
    "BUILT_IN_NAMES",
    "ERROR_CODES",
    "MessageTemplate",
    "PlaceholderError",
    "contact_values",
]

# Telegram's limit for one message, the strictest of our channels; a campaign's text longer than
# that could not go out as one message anywhere.
MAX_TEXT = 4096
MAX_PLACEHOLDERS = 50
MAX_NAME = 64  # as attribute keys (mapping.MAX_ATTRIBUTE_KEY)
MAX_FALLBACK = 128

BUILT_IN_NAMES = frozenset({"first_name", "last_name", "full_name", "phone"})
ERROR_CODES = frozenset(
    {
        "too_long",
        "too_many",
        "unopened",
        "unclosed",
        "nested",
        "empty",
        "attribute",
        "conversion",
        "format_spec",
        "bad_name",
        "name_too_long",
        "bad_fallback",
        "fallback_too_long",
    }
)

_BRACE = re.compile(r"[{}]")
# What str.format would treat as syntax inside a field; here each is an error with its own code.
_FORMAT_SYNTAX = re.compile(r"[.\[!:]")
_FORMAT_CODES = {".": "attribute", "[": "attribute", "!": "conversion", ":": "format_spec"}


class PlaceholderError(ValueError):
    """A malformed message text: `code` says what (see the module docstring), `position` where.

    The message names the code and the position only, never the text: it may end up in a log.
    """

    def __init__(self, code: str, position: int) -> None:
        super().__init__(code, position)
        self.code = code
        self.position = position

    def __str__(self) -> str:
        return f"{self.code} at position {self.position}"


class MessageTemplate:
    """A campaign message parsed once, rendered for each recipient.

    Rendering fills a precompiled list: literal text stays in place, each placeholder's slot gets
    the recipient's value or its fallback, and the list is joined.
    """

    __slots__ = ("_names", "_parts", "_slots")

    def __init__(self, parts: list[str], slots: tuple[tuple[int, str, str], ...]) -> None:
        """Use `parse`; `parts` holds the literal text, `slots` (index, name, fallback) the rest."""
        self._parts = parts
        self._slots = slots
        self._names = frozenset(name for _, name, _ in slots)

    @classmethod
    def parse(cls, text: str) -> MessageTemplate:
        """The template of `text`; raises PlaceholderError when the text is malformed."""
        if len(text) > MAX_TEXT:
            raise PlaceholderError("too_long", MAX_TEXT)
        parts: list[str] = []
        slots: list[tuple[int, str, str]] = []
        literal: list[str] = []  # pieces of the literal text since the last placeholder
        position = 0
        while (match := _BRACE.search(text, position)) is not None:
            brace, start = match.group(), match.start()
            literal.append(text[position:start])
            if text.startswith(brace, start + 1):  # "{{" or "}}"
                literal.append(brace)
                position = start + 2
                continue
            if brace == "}":
                raise PlaceholderError("unopened", start)
            close = _BRACE.search(text, start + 1)
            if close is None:
                raise PlaceholderError("unclosed", start)
            if close.group() == "{":
                raise PlaceholderError("nested", close.start())
            if len(slots) == MAX_PLACEHOLDERS:
                raise PlaceholderError("too_many", start)
            name, fallback = _field(text[start + 1 : close.start()], start)
            if piece := "".join(literal):
                parts.append(piece)
            literal.clear()
            slots.append((len(parts), name, fallback))
            parts.append(fallback)  # overwritten on render; keeps the list its final length
            position = close.end()
        literal.append(text[position:])
        if piece := "".join(literal):
            parts.append(piece)
        return cls(parts, tuple(slots))

    @property
    def names(self) -> frozenset[str]:
        """The (folded) placeholder names the text uses."""
        return self._names

    @property
    def is_personal(self) -> bool:
        """True when the text has a placeholder, so that recipients may get different texts.

        The LINE sender multicasts only texts that are the same for every recipient.
        """
        return bool(self._slots)

    def render(self, values: Mapping[str, str]) -> str:
        """The text for one recipient: `values` as made by `contact_values`, keyed by folded name.

        A missing or empty value gives the placeholder's fallback, or "" when it has none.
        """
        parts = self._parts.copy()
        for index, name, fallback in self._slots:
            parts[index] = values.get(name) or fallback
        return "".join(parts)

    def __repr__(self) -> str:
        # Names only: the text itself is a member's message and stays out of logs.
        return f"MessageTemplate(names={sorted(self._names)!r})"


def contact_values(
    first_name: str | None,
    last_name: str | None,
    phone: str | None,
    attributes: Mapping[str, object] | None,
) -> dict[str, str]:
    """The placeholder values of one contact: the built-in names and every attribute.

    Values are stripped and blank ones left out, so that the fallback applies to them too.
    Attribute keys are used as stored: the importer makes them already folded
    (`attribute_key`). A built-in name wins over an attribute of the same key.
    """
    values: dict[str, str] = {}
    for key, value in (attributes or {}).items():
        # The attributes are a JSON column: anything other than text is shown as text.
        if value is not None and (text := str(value).strip()):
            values[key] = text
    first = (first_name or "").strip()
    last = (last_name or "").strip()
    built_in = {
        "first_name": first,
        "last_name": last,
        "full_name": " ".join(f"{first} {last}".split()),
        "phone": (phone or "").strip(),
    }
    for key, text in built_in.items():
        if text:
            values[key] = text
        else:
            values.pop(key, None)
    return values


def _field(content: str, start: int) -> tuple[str, str]:
    """The folded name and the fallback of a placeholder's `content` (what is between braces)."""
    raw_name, bar, fallback = content.partition("|")
    if (syntax := _FORMAT_SYNTAX.search(raw_name)) is not None:
        raise PlaceholderError(_FORMAT_CODES[syntax.group()], start + 1 + syntax.start())
    if bar and (second := fallback.find("|")) >= 0:
        raise PlaceholderError("bad_fallback", start + 2 + len(raw_name) + second)
    if len(fallback) > MAX_FALLBACK:
        raise PlaceholderError("fallback_too_long", start)
    name = raw_name.strip()
    if not name:
        raise PlaceholderError("empty", start)
    if len(name) > MAX_NAME:
        raise PlaceholderError("name_too_long", start)
    folded = "_".join(fold(name).split())  # as attribute_key makes keys, so that keys match
    if not _is_name(name) or not folded:
        raise PlaceholderError("bad_name", start)
    return folded, fallback


def _is_name(name: str) -> bool:
    """A Python identifier, as every attribute key is (mapping.attribute_key): letters and
    digits of any script, combining marks (Thai vowels, Devanagari signs), "_"; no digit
    first. The same rule on both sides, so every imported column can be named."""
    return name.isidentifier()
