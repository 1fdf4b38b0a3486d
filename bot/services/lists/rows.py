"""One file row to one contact: the mapping applied, each value checked and normalised."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

import phonenumbers

from bot.services.imports.mapping import Field, attribute_keys
from bot.services.imports.phones import PhoneNormalizer, region_timezone
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
        self._mapping = sorted(mapping.items())
        # Unique keys: two "Note" columns become {note} and {note_2}, never a field's name.
        self._attribute_keys = attribute_keys(columns, mapping)
        self._phones = normalizer
        self._home_prefix, self._home_zone = None, None
        if home is not None:
            self._home_prefix = f"+{phonenumbers.country_code_for_region(home[0])}"
            self._home_zone = home[1]

    def read(self, cells: list[str]) -> ContactRow | RowProblem:
        """The contact a row describes, or why it cannot be imported."""
        row = ContactRow()
        for index, mapped in self._mapping:
            value = cells[index].strip() if index < len(cells) else ""
            if not value:
                continue
            problem = self._apply(row, index, mapped, value)
            if problem is not None:
                return problem
        if row.phone is None and row.telegram_id is None and row.line_id is None:
            return RowProblem.NO_ADDRESS
        if row.whatsapp is None:
            row.whatsapp = row.phone
        if row.timezone is None and row.phone is not None:
            row.timezone = region_timezone(row.phone) or self._home_timezone(row.phone)
        return row

    def _home_timezone(self, phone: str) -> str | None:
        if self._home_prefix and phone.startswith(self._home_prefix):
            return self._home_zone
        return None

    def _apply(self, row: ContactRow, index: int, mapped: Field, value: str) -> RowProblem | None:
        match mapped:
            case Field.PHONE:
                row.phone = self._phones.normalize(value)
                return RowProblem.INVALID_PHONE if row.phone is None else None
            case Field.WHATSAPP:
                row.whatsapp = self._phones.normalize(value)
                return RowProblem.INVALID_WHATSAPP if row.whatsapp is None else None
            case Field.TELEGRAM_ID:
                if not value.lstrip("-").isdigit() or len(value) > 19:
                    return RowProblem.INVALID_TELEGRAM_ID
                row.telegram_id = int(value)
            case Field.LINE_ID:
                if not _LINE_ID.fullmatch(value):
                    return RowProblem.INVALID_LINE_ID
                row.line_id = value
            case Field.FIRST_NAME:
                row.first_name = _text(value)
            case Field.LAST_NAME:
                row.last_name = _text(value)
            case Field.FULL_NAME:
                first, _, last = " ".join(value.split()).partition(" ")
                row.first_name = row.first_name or _text(first)
                row.last_name = row.last_name or _text(last)
            case Field.LANGUAGE:
                language = value.lower().replace("_", "-").split("-", 1)[0]
                # Recipients may speak languages members' menus don't (fr, de, ...): keep any code.
                row.language = language if language.isalpha() and len(language) <= 3 else None
            case Field.TIMEZONE:
                try:
                    row.timezone = resolve_timezone(value)
                except UnknownTimezoneError:
                    row.timezone = None
            case Field.TAGS:
                row.tags = [
                    tag for part in _TAG_SEPARATORS.split(value) if (tag := _text(part, 64))
                ]
            case Field.ATTRIBUTE | Field.EMAIL:
                key = "email" if mapped is Field.EMAIL else self._attribute_keys[index]
                row.attributes[key] = value[:MAX_ATTRIBUTE_VALUE]
            case Field.IGNORE:
                pass
        return None
