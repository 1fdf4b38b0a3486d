"""One file row to one contact: the mapping applied, each value checked and normalised."""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial

import phonenumbers

from bot.services.imports.mapping import Field, attribute_keys
from bot.services.imports.phones import PhoneNormalizer
from bot.services.timezones import UnknownTimezoneError, resolve_timezone

_LINE_ID = re.compile(r"U[0-9a-f]{32}")
_TAG_SEPARATORS = re.compile(r"[,;|]")
MAX_NAME = 128
MAX_ATTRIBUTE_VALUE = 500


class RowProblem(StrEnum):
    """Why a row was rejected; each has a translated explanation in the report."""

    NO_ADDRESS = "no_address"  # neither a phone nor a channel id
    INVALID_PHONE = "invalid_phone"
    INVALID_TELEGRAM_ID = "invalid_telegram_id"
    INVALID_LINE_ID = "invalid_line_id"
    INVALID_WHATSAPP = "invalid_whatsapp"


@dataclass(slots=True)
class ContactRow:
    """A valid row, ready to become (or merge into) a contact."""

    phone: str | None = None
    telegram_id: int | None = None
    line_id: str | None = None
    whatsapp: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    language: str | None = None
    timezone: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        """The identity a contact is unique by: phone, else Telegram id, else LINE id."""
        if self.phone:
            return self.phone
        if self.telegram_id is not None:
            return f"telegram:{self.telegram_id}"
        return f"line:{self.line_id}"


def _text(value: str, limit: int = MAX_NAME) -> str | None:
    cleaned = " ".join(value.split())
    return cleaned[:limit] or None


# What one mapped, non-empty cell does to the row: fills it in, or says why the row is refused.
Step = Callable[[ContactRow, str], RowProblem | None]


class RowReader:
    """Applies a column mapping to rows; built once per import."""

    def __init__(
        self,
        mapping: dict[int, Field],
        columns: list[str],
        normalizer: PhoneNormalizer,
        *,
        home: tuple[str, str] | None = None,
    ) -> None:
        """`home` is the member's (region, timezone): the zone for numbers of their own
        country whose prefix alone spans several zones (Spain's mainland and Canaries)."""
        # Unique keys: two "Note" columns become {note} and {note_2}, never a field's name.
        keys = attribute_keys(columns, mapping)
        # Each column's step, chosen once here rather than matched per cell: a million-row
        # file has four million cells.
        self._steps: list[tuple[int, Step]] = [
            (index, self._step(mapped, keys.get(index)))
            for index, mapped in sorted(mapping.items())
            if mapped is not Field.IGNORE
        ]
        self._phones = normalizer
        self._home_prefix, self._home_zone = None, None
        if home is not None:
            self._home_prefix = f"+{phonenumbers.country_code_for_region(home[0])}"
            self._home_zone = home[1]

    def read(self, cells: list[str]) -> ContactRow | RowProblem:
        """The contact a row describes, or why it cannot be imported."""
        row = ContactRow()
        width = len(cells)
        for index, step in self._steps:
            value = cells[index].strip() if index < width else ""
            if value and (problem := step(row, value)) is not None:
                return problem
        if row.phone is None and row.telegram_id is None and row.line_id is None:
            return RowProblem.NO_ADDRESS
        if row.whatsapp is None:
            row.whatsapp = row.phone
        return row

    def _home_timezone(self, phone: str) -> str | None:
        if self._home_prefix and phone.startswith(self._home_prefix):
            return self._home_zone
        return None

    def _step(self, mapped: Field, attribute_key: str | None) -> Step:
        if mapped is Field.ATTRIBUTE and attribute_key is not None:
            return partial(_attribute, attribute_key)
        steps: dict[Field, Step] = {
            Field.PHONE: self._phone,
            Field.WHATSAPP: self._whatsapp,
            Field.TELEGRAM_ID: _telegram_id,
            Field.LINE_ID: _line_id,
            Field.FIRST_NAME: _first_name,
            Field.LAST_NAME: _last_name,
            Field.FULL_NAME: _full_name,
            Field.LANGUAGE: _language,
            Field.TIMEZONE: _timezone,
            Field.TAGS: _tags,
            Field.EMAIL: partial(_attribute, "email"),
        }
        return steps[mapped]

    def _phone(self, row: ContactRow, value: str) -> RowProblem | None:
        number = self._phones.normalize_with_timezone(value)
        if number is None:
            return RowProblem.INVALID_PHONE
        row.phone, zone = number
        if row.timezone is None:
            # The zone of the number's area, unless a timezone column gave one (which wins,
            # before or after this column: see _timezone).
            row.timezone = zone or self._home_timezone(row.phone)
        return None

    def _whatsapp(self, row: ContactRow, value: str) -> RowProblem | None:
        row.whatsapp = self._phones.normalize(value)
        return RowProblem.INVALID_WHATSAPP if row.whatsapp is None else None


def _telegram_id(row: ContactRow, value: str) -> RowProblem | None:
    if not value.lstrip("-").isdigit() or len(value) > 19:
        return RowProblem.INVALID_TELEGRAM_ID
    row.telegram_id = int(value)
    return None


def _line_id(row: ContactRow, value: str) -> RowProblem | None:
    if not _LINE_ID.fullmatch(value):
        return RowProblem.INVALID_LINE_ID
    row.line_id = value
    return None


def _first_name(row: ContactRow, value: str) -> None:
    row.first_name = _text(value)


def _last_name(row: ContactRow, value: str) -> None:
    row.last_name = _text(value)


def _full_name(row: ContactRow, value: str) -> None:
    first, _, last = " ".join(value.split()).partition(" ")
    row.first_name = row.first_name or _text(first)
    row.last_name = row.last_name or _text(last)


def _language(row: ContactRow, value: str) -> None:
    language = value.lower().replace("_", "-").split("-", 1)[0]
    # Recipients may speak languages members' menus don't (fr, de, ...): keep any code.
    row.language = language if language.isalpha() and len(language) <= 3 else None


def _timezone(row: ContactRow, value: str) -> None:
    # An unknown name leaves what the phone number gave, if its column came first.
    with suppress(UnknownTimezoneError):
        row.timezone = resolve_timezone(value)


def _tags(row: ContactRow, value: str) -> None:
    row.tags = [tag for part in _TAG_SEPARATORS.split(value) if (tag := _text(part, 64))]


def _attribute(key: str, row: ContactRow, value: str) -> None:
    row.attributes[key] = value[:MAX_ATTRIBUTE_VALUE]
