"""Translations and locale-aware formatting with Babel.

Catalogs live in locales/<locale>/LC_MESSAGES/<domain>.po and are compiled to .mo by
`pybabel compile` (the bootstrap script does it). Two domains: `messages`, what members read,
in the languages the bot speaks with members; `recipients`, the few answers recipients get to
their keywords, in every language whose keywords we match (a French recipient who replies
ARRÊT is answered in French). A Translator is bound to one locale and timezone, so handlers
never pass them around by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_datetime, format_skeleton
from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations, Translations
from babel.units import format_unit

DOMAIN = "messages"
RECIPIENT_DOMAIN = "recipients"
DEFAULT_LOCALE = "en"
SUPPORTED_LOCALES: tuple[str, ...] = ("en", "es", "ru", "th", "ja")
# The member languages and the other languages of the default keywords (optout/keywords.py).
RECIPIENT_LOCALES: tuple[str, ...] = (*SUPPORTED_LOCALES, "fr", "de", "pt", "it")
LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"


def language_name(locale: str) -> str:
    """The language's own name for itself, as shown on the language buttons."""
    return Locale.parse(locale).get_display_name(locale).capitalize()


@dataclass(frozen=True, slots=True)
class Translator:
    """Gettext and Babel formatting for one locale and timezone."""

    locale: str
    timezone: ZoneInfo
    translations: NullTranslations

    def gettext(self, message: str) -> str:
        """Translate one message id."""
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        """Translate a message whose form depends on a count."""
        return self.translations.ngettext(singular, plural, count)

    def datetime(self, moment: datetime, *, fmt: str = "medium") -> str:
        """A timezone-aware moment shown in the member's timezone and locale."""
        return format_datetime(moment, fmt, tzinfo=self.timezone, locale=self.locale)

    def month(self, day: date) -> str:
        """The month and year of `day` as the locale writes them ("November 2026")."""
        return format_skeleton("yMMMM", day, locale=self.locale)

    def number(self, value: float) -> str:
        """A number with the locale's grouping and decimal signs."""
        return format_decimal(value, locale=self.locale)

    def percent(self, share: float) -> str:
        """A share (0.25) as the locale writes a percentage ("25%", "25 %")."""
        return format_percent(share, locale=self.locale)

    def file_size(self, size: int) -> str:
        """A byte count as bytes, kB or MB in the locale's own unit names."""
        if size < 1024:
            value, unit = float(size), "digital-byte"
        elif size < 1024 * 1024:
            value, unit = size / 1024, "digital-kilobyte"
        else:
            value, unit = size / (1024 * 1024), "digital-megabyte"
        return format_unit(value, unit, length="short", format="#,##0.#", locale=self.locale)


class I18n:
    """The loaded catalogs for every supported locale."""

    def __init__(self, path: Path = LOCALES_DIR) -> None:
        self._catalogs: dict[str, NullTranslations] = {
            locale: Translations.load(str(path), [locale], DOMAIN) for locale in SUPPORTED_LOCALES
        }
        self._recipient_catalogs: dict[str, NullTranslations] = {
            locale: Translations.load(str(path), [locale], RECIPIENT_DOMAIN)
            for locale in RECIPIENT_LOCALES
        }

    def translator(self, locale: str | None, timezone: str | None = None) -> Translator:
        """A translator for a locale (falling back to English) and an IANA timezone."""
        locale = self.negotiate(locale)
        return Translator(locale, zone_or_utc(timezone), self._catalogs[locale])

    def recipient_translator(self, language: str | None) -> Translator:
        """A translator of the answers recipients get, in their language where we have it."""
        locale = self.negotiate(language, RECIPIENT_LOCALES)
        return Translator(locale, zone_or_utc(None), self._recipient_catalogs[locale])

    @staticmethod
    def negotiate(language_code: str | None, locales: tuple[str, ...] = SUPPORTED_LOCALES) -> str:
        """The locale of `locales` closest to a platform's language code ("es-MX" -> "es")."""
        if not language_code:
            return DEFAULT_LOCALE
        try:
            language = Locale.parse(language_code.replace("-", "_")).language
        except (ValueError, UnknownLocaleError):
            return DEFAULT_LOCALE
        return language if language in locales else DEFAULT_LOCALE


def zone_or_utc(name: str | None) -> ZoneInfo:
    """The named IANA zone, or UTC when the name is empty or unknown."""
    try:
        return ZoneInfo(name or "UTC")
    except (ValueError, KeyError):
        return ZoneInfo("UTC")


# Offered as buttons when a member picks a timezone; anything else can be typed by name.
SUGGESTED_TIMEZONES: dict[str, tuple[str, ...]] = {
    "en": ("UTC", "Europe/London", "America/New_York", "America/Los_Angeles", "Asia/Singapore"),
    "es": ("Europe/Madrid", "America/Mexico_City", "America/Bogota", "America/Buenos_Aires", "UTC"),
    "ru": ("Europe/Moscow", "Europe/Kaliningrad", "Asia/Yekaterinburg", "Asia/Novosibirsk", "UTC"),
    "th": ("Asia/Bangkok", "UTC"),
    "ja": ("Asia/Tokyo", "UTC"),
}
