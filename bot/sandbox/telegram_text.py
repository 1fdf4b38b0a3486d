"""Telegram's text handling: HTML parse mode, command entities and UTF-16 offsets.

Telegram parses `parse_mode=HTML` on its side and returns the plain text plus entities;
malformed markup is a 400 ("can't parse entities"), which is exactly the bug a bot makes
when it forgets to escape a member's input, so the sandbox parses it the same way.
Entity offsets and lengths count UTF-16 code units, as Telegram's do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

MAX_TEXT = 4096
MAX_CAPTION = 1024

# tag -> entity type; "a", "code", "span", "tg-emoji", "blockquote" need attributes.
_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}
_TAGS = {*_SIMPLE_TAGS, "a", "span", "tg-emoji", "blockquote"}
_START_TAG = re.compile(r"([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^>]*?)?)\s*/?")
_ATTRIBUTE = re.compile(r"([a-zA-Z][\w-]*)\s*(?:=\s*(\"[^\"]*\"|'[^']*'|[^\s\"']+))?")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_CHAR_REF = re.compile(r"&(?:#(\d+)|#[xX]([0-9a-fA-F]+)|([a-zA-Z]+));")
_COMMAND = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")


class EntityParseError(ValueError):
    """Markup Telegram would refuse; the message is Telegram's wording after the prefix."""


def utf16_len(text: str) -> int:
    """Length of `text` in UTF-16 code units (how Telegram measures offsets)."""
    return len(text.encode("utf-16-le")) // 2


def command_entities(text: str) -> list[dict[str, Any]]:
    """The bot_command entities Telegram attaches to a user's message."""
    return [
        {
            "type": "bot_command",
            "offset": utf16_len(text[: match.start()]),
            "length": utf16_len(match.group()),
        }
        for match in _COMMAND.finditer(text)
    ]


def _unescape(text: str) -> str:
    # Telegram knows numeric references and only four named ones; others stay literal.
    def replace(match: re.Match[str]) -> str:
        if match[1] or match[2]:
            code = int(match[1]) if match[1] else int(match[2], 16)
            return chr(code) if 0 < code <= 0x10FFFF else match[0]
        return _NAMED.get(match[3], match[0])

    return _CHAR_REF.sub(replace, text)


@dataclass
class _Open:
    name: str
    entity: dict[str, Any]
    start: int


@dataclass
class _Builder:
    source: str
    pieces: list[str] = field(default_factory=list)
    position: int = 0
    entities: list[dict[str, Any]] = field(default_factory=list)
    stack: list[_Open] = field(default_factory=list)

    def offset(self, index: int) -> int:
        return len(self.source[:index].encode("utf-8"))

    def text(self, raw: str) -> None:
        plain = _unescape(raw)
        self.pieces.append(plain)
        self.position += utf16_len(plain)

    def start_tag(self, body: str, index: int) -> None:
        match = _START_TAG.fullmatch(body)
        name = match[1].lower() if match else body.split(" ", 1)[0]
        if match is None or name not in _TAGS:
            raise EntityParseError(
                f'Unsupported start tag "{name}" at byte offset {self.offset(index)}'
            )
        attributes = {
            key.lower(): (value or "").strip("\"'")
            for key, value in _ATTRIBUTE.findall(match[2] or "")
        }
        entity = self._entity(name, attributes, index)
        self.stack.append(_Open(name, entity, self.position))

    def _entity(self, name: str, attributes: dict[str, str], index: int) -> dict[str, Any]:
        if name == "a":
            return {"type": "text_link", "url": attributes.get("href", "")}
        if name == "span":
            if attributes.get("class") != "tg-spoiler":
                raise EntityParseError(
                    f'Unsupported start tag "span" at byte offset {self.offset(index)}'
                )
            return {"type": "spoiler"}
        if name == "tg-emoji":
            return {"type": "custom_emoji", "custom_emoji_id": attributes.get("emoji-id", "")}
        if name == "blockquote":
            expandable = "expandable" in attributes
            return {"type": "expandable_blockquote" if expandable else "blockquote"}
        entity: dict[str, Any] = {"type": _SIMPLE_TAGS[name]}
        language = attributes.get("class", "")
        if name == "code" and self.stack and self.stack[-1].name == "pre":
            # <pre><code class="language-x"> is one pre entity with a language.
            if language.startswith("language-"):
                self.stack[-1].entity["language"] = language.removeprefix("language-")
            entity["skip"] = True
        return entity

    def end_tag(self, body: str, index: int) -> None:
        name = body[1:].strip().lower()
        if not self.stack:
            raise EntityParseError(f"Unexpected end tag at byte offset {self.offset(index)}")
        opened = self.stack.pop()
        if name and name != opened.name:
            raise EntityParseError(
                f"Unmatched end tag at byte offset {self.offset(index)}, expected "
                f'"</{opened.name}>", found "</{name}>"'
            )
        length = self.position - opened.start
        if length > 0 and not opened.entity.pop("skip", False):
            self.entities.append({**opened.entity, "offset": opened.start, "length": length})


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Plain text and entities of an HTML-formatted message; EntityParseError if invalid."""
    builder = _Builder(source)
    index = 0
    while (lt := source.find("<", index)) != -1:
        builder.text(source[index:lt])
        gt = source.find(">", lt)
        if gt == -1:
            raise EntityParseError(f"Unclosed start tag at byte offset {builder.offset(lt)}")
        body = source[lt + 1 : gt]
        if body.startswith("/"):
            builder.end_tag(body, lt)
        else:
            builder.start_tag(body, lt)
        index = gt + 1
    builder.text(source[index:])
    if builder.stack:
        raise EntityParseError(
            f'Can\'t find end tag corresponding to start tag "{builder.stack[-1].name}"'
        )
    entities = sorted(builder.entities, key=lambda e: (e["offset"], -e["length"]))
    return "".join(builder.pieces), entities


def strip_text(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Telegram trims surrounding whitespace from a message; entities follow the text."""
    stripped = text.strip()
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    end = utf16_len(stripped)
    kept = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        stop = min(entity["offset"] + entity["length"] - lead, end)
        if stop > start:
            kept.append({**entity, "offset": start, "length": stop - start})
    return stripped, kept


def format_text(
    text: str, parse_mode: str | None, entities: list[dict[str, Any]] | None
) -> tuple[str, list[dict[str, Any]]]:
    """What Telegram stores for a text or caption sent with this parse mode.

    Markdown modes are passed through unparsed (the sandbox only implements HTML).
    """
    if parse_mode and parse_mode.lower() == "html":
        text, entities = parse_html(text)
    return strip_text(text, entities or [])
