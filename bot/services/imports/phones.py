"""Phone numbers from imported files, as E.164, validated by phonenumbers' rules.

What `PhoneNormalizer.normalize` accepts, beyond digits:
- a leading "+", or an international prefix: the member's region's own (00 in Spain, 810 in
  Russia, 010 in Japan, 011 in the US...), and "00" or "011" from anywhere, because people
  copy numbers written for other countries (tried only when the number is not valid as dialled);
- spaces (also non-breaking and ideographic), dashes (also Unicode ones), dots, slashes,
  parentheses and brackets;
- a leading "tel:" (vCard 4, links), a leading apostrophe (spreadsheets' "keep as text" mark),
  and Excel's ="0612345678" guard for leading zeros;
- full-width digits and signs (Japanese input methods) and any other Unicode decimal digits
  (Thai ๐-๙, Arabic-Indic...).
What it refuses (None):
- letters, including extension markers ("ext. 12", "x12", "#12", "доб. 12"): an extension cannot
  receive a message, and dropping it would merge everyone behind one switchboard into one
  contact; vanity numbers ("1-800-FLOWERS") for the same reason;
- several numbers in one cell ("612 345 678 / 698 765 432"), except Google Contacts'
  "612 345 678 ::: 698 765 432" (two numbers with the same label), which gives the first valid;
- anything phonenumbers' is_valid_number rejects: too short, too long, unknown country codes,
  ranges not in service. We do not guess a missing "+" on a number that is invalid as dialled:
  a wrong guess would message a stranger.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime
from functools import cache, lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from babel.core import get_global
from phonenumbers import timezone as phone_timezones

from bot.services.imports.phone_rules import (
    Kind,
    PhoneRules,
    Valid,
    parse_international,
    valid_kind,
)

_SEPARATORS = str.maketrans("", "", " -.()/[]\t")
_MAX_RAW_CHARS = 250  # phonenumbers' own limit on what it parses
_MAX_DIGITS = 30  # beyond any prefix + country code + 17-digit national number
_DROPPED_CATEGORIES = ("Zs", "Pd", "Cf")  # spaces, dashes, invisible direction marks
_FALLBACK_PREFIXES = ("00", "011")
_GOOGLE_SEPARATOR = ":::"
# A winter and a summer moment on both hemispheres, to compare zones' clocks.
_SEASONS = (datetime(2025, 1, 15, 12, tzinfo=UTC), datetime(2025, 7, 15, 12, tzinfo=UTC))
# Phone-shaped, for guessing a column: 7-15 digits, E.164's range once a prefix is removed.
_SHAPE_DIGITS = range(7, 16)
_DATE = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.](?:\d{2}|\d{4})")


def clean_phone(raw: str) -> str | None:
    """The digits of `raw`, with a leading "+" if it had one; None if anything else is there."""
    text = raw.strip()
    if text.isdigit() and text.isascii():
        return text  # already clean, as most numbers from spreadsheets are
    if len(text) > _MAX_RAW_CHARS:
        return None
    if not text.isascii():
        ascii_text = _to_ascii(text)
        if ascii_text is None:
            return None
        text = ascii_text
    if text[:1] == "'":
        text = text[1:]
    elif text[:2] == '="' and text[-1:] == '"':
        text = text[2:-1]
    if text[:4].lower() == "tel:":
        text = text[4:]
    text = text.translate(_SEPARATORS)
    body = text[1:] if text[:1] == "+" else text
    return text if body.isdigit() else None


def is_phone_shaped(raw: str) -> bool:
    """True when `raw` looks like a phone number, whatever the region (for guessing columns).

    Seven to fifteen digits once a "+" or "00" is removed, and not written like a date.
    """
    if _DATE.fullmatch(raw.strip()):
        return False
    cleaned = clean_phone(raw)
    if cleaned is None:
        return False
    digits = cleaned.lstrip("+")
    if digits.startswith("00"):
        digits = digits[2:]
    return len(digits) in _SHAPE_DIGITS


class PhoneNormalizer:
    """E.164 numbers for one member's default region (ISO 3166 code: "ES", "TH"...).

    Cheap to build (the compiled rules are shared by all instances): make one per import.
    """

    def __init__(self, default_region: str, *, cache_size: int = 4_096) -> None:
        region = default_region.strip().upper()
        if region not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(f"unknown region {default_region!r}")
        self.default_region = region
        self._rules = PhoneRules(region)
        # Lists repeat cells: placeholders ("n/a", "-") and the same customer twice in a row.
        # A repeat costs a dictionary lookup. Small on purpose: on the 1M-row benchmark, 65,536
        # entries held 24 MB and answered 9,258 rows, 4,096 held 3 MB and answered 7,444, for
        # the same CPU time (the rules are fast). Per instance: nothing at import time.
        self._cached = lru_cache(maxsize=cache_size)(self._parse)

    def normalize(self, raw: str) -> str | None:
        """The number as E.164 ("+34612345678"), or None when it is not a valid number."""
        parsed = self._cached(raw)
        return None if parsed is None else f"+{parsed[0]}{parsed[1]}"

    def normalize_with_timezone(self, raw: str) -> tuple[str, str | None] | None:
        """normalize(raw) and region_timezone of the result, from one parse of the number."""
        parsed = self._cached(raw)
        if parsed is None:
            return None
        return f"+{parsed[0]}{parsed[1]}", _number_timezone(*parsed)

    def _parse(self, raw: str) -> Valid | None:
        """(country code, national significant number, kind) of a valid number, else None."""
        if _GOOGLE_SEPARATOR in raw:
            # Google Contacts puts two numbers with one label in one cell: the first valid.
            for part in raw.split(_GOOGLE_SEPARATOR):
                if (parsed := self._parse(part)) is not None:
                    return parsed
            return None
        cleaned = clean_phone(raw)
        if cleaned is None:
            return None
        plus = cleaned[0] == "+"
        digits = cleaned[1:] if plus else cleaned
        if len(digits) > _MAX_DIGITS:
            return None
        parsed = self._rules.valid(digits, plus=plus)
        if parsed is None and not plus:
            for prefix in _FALLBACK_PREFIXES:
                if digits.startswith(prefix):
                    return self._rules.valid(digits[len(prefix) :], plus=True)
        return parsed


def region_timezone(e164: str) -> str | None:
    """The IANA timezone of the area a number belongs to, or None.

    None when the number is invalid, or when its area spans zones that keep different times
    (a Russian mobile, a Spanish mobile which may be in the Canaries): guessing would send
    messages hours off for many people. Where every zone keeps the same time all year (a UK
    mobile: London, Jersey, Guernsey, Man), the main country's (Europe/London).
    """
    # phone_timezones.time_zones_for_number(phonenumbers.parse(e164)), through the fast rules:
    # importers call this once a row.
    if e164[:1] != "+" or not e164.isascii() or not e164[1:].isdigit():
        return None
    parsed = parse_international(e164[1:])
    valid = None if parsed is None else valid_kind(*parsed)
    return None if valid is None else _number_timezone(*valid)


def _number_timezone(country_code: int, national: str, kind: Kind) -> str | None:
    """region_timezone of a valid number, parsed. Its E.164 form parses back to the same
    (country code, national number), so PhoneNormalizer.normalize_with_timezone passes what its
    validation found (the kind among it) rather than parsing and matching it again."""
    if kind == "fixed" or (kind == "mobile" and _geographical_mobiles(country_code)):
        zones = _zones_for_prefix(f"{country_code}{national}", shortest=1)
        return _one_zone(country_code, zones)
    # A toll-free or non-geographic mobile number (most of a list in many countries): the
    # country's zone.
    return _country_zone(country_code)


@cache
def _country_zone(country_code: int) -> str | None:
    """The zone of a country's non-geographic numbers: looked up once per country, not per
    number (it was a third of a mobile number's timezone, on a million-row import)."""
    return _one_zone(country_code, _zones_for_prefix(str(country_code), shortest=2))


@cache
def _geographical_mobiles(country_code: int) -> bool:
    mobile = phonenumbers.PhoneNumberType.MOBILE
    return bool(phonenumbers.is_number_type_geographical(mobile, country_code))


@cache
def _one_zone(country_code: int, zones: tuple[str, ...]) -> str | None:
    """The zone, if the zones keep one clock; of equivalent ones, the main country's own
    (Europe/London rather than Guernsey)."""
    if not zones or zones[0] == phone_timezones.UNKNOWN_TIMEZONE or not _one_clock(zones):
        return None
    region = phonenumbers.region_code_for_country_code(country_code)
    for zone in get_global("territory_zones").get(region, ()):
        if zone in zones:
            return zone
    return zones[0]


def _one_clock(zones: tuple[str, ...]) -> bool:
    """Whether the zones keep the same time all year (London, Jersey, Guernsey, Man)."""
    try:
        offsets = {
            tuple(moment.astimezone(ZoneInfo(zone)).utcoffset() for moment in _SEASONS)
            for zone in zones
        }
    except ZoneInfoNotFoundError:
        return False
    return len(offsets) == 1


def _zones_for_prefix(digits: str, *, shortest: int) -> tuple[str, ...]:
    """phonenumbers' longest-prefix lookup in its timezone table (its country-level lookup
    stops at two digits, its geographical one at one)."""
    data = phone_timezones.TIMEZONE_DATA
    longest = min(phone_timezones.TIMEZONE_LONGEST_PREFIX, len(digits))
    for length in range(longest, min(shortest, len(digits)) - 1, -1):
        zones = data.get(digits[:length])
        if zones is not None:
            return tuple(zones)
    return ()


def _to_ascii(text: str) -> str | None:
    """NFKC folds full-width forms; other scripts' digits are mapped one by one."""
    kept: list[str] = []
    for char in unicodedata.normalize("NFKC", text):
        if char.isascii():
            kept.append(char)
            continue
        digit = unicodedata.decimal(char, None)
        if digit is not None:
            kept.append(str(digit))
        elif unicodedata.category(char) not in _DROPPED_CATEGORIES:
            return None
    return "".join(kept)
