"""The fuzz targets: one per parser that takes what people or platforms send.

Each target takes the fuzzer's bytes, feeds them to the parser as production would, and
returns normally when the parser gives a result or its own clear error (the exceptions in
CLEAR). Anything else escapes: that is a crash. Seeds are real inputs (the test fixtures, the
sandbox's webhook bodies) for the fuzzer to mutate from.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from functools import cache
from pathlib import Path

from bot.platforms import MalformedWebhook
from bot.services.campaigns.placeholders import MessageTemplate, PlaceholderError
from bot.services.imports.readers import UnreadableFile, open_table
from bot.services.optout.keywords import KeywordMatcher, KeywordRefused

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "imports" / "fixtures"
CLEAR = (UnreadableFile, PlaceholderError, KeywordRefused, MalformedWebhook)


def _read_through(name: str, data: bytes) -> None:
    try:
        table = open_table(name, data)
        table.preview()
        table.count_rows()
    except UnreadableFile:
        return


def fuzz_csv(data: bytes) -> None:
    """Any bytes as an uploaded .csv."""
    _read_through("list.csv", data)


def fuzz_vcard(data: bytes) -> None:
    """Any bytes as an uploaded .vcf."""
    _read_through("list.vcf", data)


@cache
def _workbook_parts() -> tuple[tuple[str, bytes], ...]:
    from tests.imports.mutations import workbook

    with zipfile.ZipFile(io.BytesIO(workbook())) as archive:
        return tuple((info.filename, archive.read(info)) for info in archive.infolist())


def fuzz_xlsx(data: bytes) -> None:
    """A valid workbook with one XML part (chosen by the first byte) replaced by the rest: a
    ZIP that opens, so the fuzzer reaches the XML readers rather than the ZIP's checksums."""
    if not data:
        return
    parts = _workbook_parts()
    target = data[0] % len(parts)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (name, content) in enumerate(parts):
            archive.writestr(name, data[1:] if index == target else content)
    _read_through("list.xlsx", buffer.getvalue())


def _text(data: bytes) -> str:
    # surrogatepass: webhooks carry lone surrogates as JSON escapes; let them through too.
    return data.decode("utf-8", "surrogatepass") if _utf8(data) else data.decode("latin-1")


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return False
    return True


def fuzz_keywords(data: bytes) -> None:
    """The first line as a member's own keyword, the rest as a recipient's reply."""
    keyword, _, reply = _text(data).partition("\n")
    try:
        matcher = KeywordMatcher(extra={"stop": [keyword]} if keyword else None)
    except KeywordRefused:
        matcher = KeywordMatcher()
    matcher.match(reply)


def fuzz_placeholders(data: bytes) -> None:
    """A campaign text, rendered for a contact whose values hold braces and format syntax."""
    try:
        template = MessageTemplate.parse(_text(data))
    except PlaceholderError:
        return
    values = {"first_name": "{0.__class__}", "city": "{{x}}", "a": "%s"}
    template.render(values)


def fuzz_telegram(data: bytes) -> None:
    """A signed Telegram webhook body: the Update, then the neutral event of its message."""
    from bot.platforms.telegram import message_to_event
    from bot.platforms.telegram_webhook import parse_update

    try:
        update = parse_update(data, bot=None)
    except MalformedWebhook:
        return
    if update.message is not None:
        message_to_event(update.message, bot_id=1)


@cache
def _line_parser() -> object:
    from linebot.v3 import WebhookParser

    return WebhookParser("secret", skip_signature_verification=lambda: True)


def fuzz_line(data: bytes) -> None:
    """A signed LINE webhook body: the events, then the neutral event of each."""
    from bot.platforms.line import event_to_incoming, parse_events, unfollowed_by

    try:
        events = parse_events(_line_parser(), data)  # type: ignore[arg-type]
    except MalformedWebhook:
        return
    for event in events:
        unfollowed_by(event)
        event_to_incoming(event)


def fuzz_whatsapp(data: bytes) -> None:
    """A signed WhatsApp webhook body: the changes and everything read from each."""
    from bot.platforms import whatsapp

    try:
        values = whatsapp.parse_body(data)
    except MalformedWebhook:
        return
    for value in values:
        whatsapp.count(value, "messages")
        list(whatsapp.statuses(value))
        list(whatsapp.text_messages(value))
        list(whatsapp.marketing_preferences(value))


def _fixtures(*suffixes: str) -> list[bytes]:
    return [path.read_bytes() for path in sorted(FIXTURES.iterdir()) if path.suffix in suffixes]


def _bodies(name: str) -> list[bytes]:
    from tests.platforms import examples

    return [json.dumps(body).encode() for body in getattr(examples, name)]


def _xlsx_seeds() -> list[bytes]:
    return [bytes([index]) + content for index, (_, content) in enumerate(_workbook_parts())]


# name: (target, seeds)
TARGETS: dict[str, tuple[Callable[[bytes], None], Callable[[], list[bytes]]]] = {
    "csv": (fuzz_csv, lambda: _fixtures(".csv", ".txt")),
    "xlsx": (fuzz_xlsx, _xlsx_seeds),
    "vcard": (fuzz_vcard, lambda: _fixtures(".vcf")),
    "keywords": (fuzz_keywords, lambda: [b"BAJA\nSTOP", "配信停止\n ＳＴＯＰ 🙏".encode()]),
    "placeholders": (
        fuzz_placeholders,
        lambda: [b"Hi {first_name|there}, {{x}} {city}", b"{0.__class__} {a!r} {b:>9}"],
    ),
    "telegram": (fuzz_telegram, lambda: _bodies("TELEGRAM")),
    "line": (fuzz_line, lambda: _bodies("LINE")),
    "whatsapp": (fuzz_whatsapp, lambda: _bodies("WHATSAPP")),
}
