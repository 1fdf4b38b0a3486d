"""Every member-facing string is in every catalog, translated, with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import (
    DOMAIN,
    LOCALES_DIR,
    RECIPIENT_DOMAIN,
    RECIPIENT_LOCALES,
    SUPPORTED_LOCALES,
    I18n,
)

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
# What recipients read: its own domain, in more languages (bot/i18n.py, babel-recipients.cfg).
RECIPIENT_SOURCE = "handlers/recipients.py"


def _source_messages(domain: str = DOMAIN) -> set[str]:
    if domain == RECIPIENT_DOMAIN:
        method_map = [(RECIPIENT_SOURCE, "python")]
    else:
        method_map = [
            (RECIPIENT_SOURCE, "ignore"),
            ("bot/**.py", "python"),
            ("handlers/**.py", "python"),
        ]
    return {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map=method_map
        )
        if isinstance(message, str)
    }


CATALOGS = [(DOMAIN, locale) for locale in SUPPORTED_LOCALES if locale != "en"] + [
    (RECIPIENT_DOMAIN, locale) for locale in RECIPIENT_LOCALES if locale != "en"
]


@pytest.mark.parametrize(("domain", "locale"), CATALOGS)
def test_catalog_translates_every_message(domain: str, locale: str) -> None:
    with (LOCALES_DIR / locale / "LC_MESSAGES" / f"{domain}.po").open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    missing = []
    for message_id in sorted(_source_messages(domain)):
        entry = catalog.get(message_id)
        if entry is None or not entry.string or entry.fuzzy:
            missing.append(message_id)
            continue
        wanted = sorted(PLACEHOLDER.findall(message_id))
        assert sorted(PLACEHOLDER.findall(str(entry.string))) == wanted, (locale, message_id)
    assert not missing, f"{locale} lacks translations for: {missing}"


def test_recipients_are_answered_in_every_keyword_language() -> None:
    i18n = I18n()
    stop = "You will receive messages from {name} again. Reply STOP at any time to stop them."
    answers = {
        locale: i18n.recipient_translator(locale).gettext(stop) for locale in RECIPIENT_LOCALES
    }
    assert answers["en"] == stop
    assert "BASTA" in answers["it"]
    assert "STOPP" in answers["de"]
    assert "PARAR" in answers["pt"]
    assert len(set(answers.values())) == len(RECIPIENT_LOCALES)  # each in its own words
    # Members are not offered the recipient-only languages.
    assert i18n.translator("fr").locale == "en"


def test_source_has_messages() -> None:
    assert len(_source_messages()) > 20
    assert len(_source_messages(RECIPIENT_DOMAIN)) == 5


def test_translator_formats_in_locale_and_timezone() -> None:
    from datetime import UTC, datetime

    translator = I18n().translator("ru", "Europe/Moscow")
    moment = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    assert "13:00" in translator.datetime(moment)
    assert translator.number(1234567.5) == "1\xa0234\xa0567,5"
    assert I18n().translator("xx").locale == "en"
