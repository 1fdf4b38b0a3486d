"""The operator's do-not-contact list: addresses no member may message, whatever their lists
say. Suppression rows without a member; imports and the dispatcher read them with every
member's own (models/suppression.py suppressed_keys), so an entry holds from the moment it
is written.

The operator types numbers in any notation, but always with their country code: the list
belongs to no member, so there is no home region to read a national number in, and a wrong
guess would block a stranger. Telegram and LINE ids go in their suppression-key form
("telegram:123456789", "line:U...").
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import UTC
from enum import StrEnum

import phonenumbers
from phonenumbers import NumberParseException, ValidationResult

from bot.crypto import Sealer
from bot.services.clock import Clock
from bot.services.imports.phones import clean_phone
from bot.services.lists.export import spreadsheet_safe
from models import Suppression, SuppressionSource, suppression_key

MAX_ENTRIES = 500  # per message; a Telegram message (4096 characters) holds fewer numbers
_SEPARATORS = re.compile(r"[\n,;]+")
_CHANNEL_IDS = {
    "telegram": re.compile(r"telegram:(\d{1,20})", re.IGNORECASE),
    "line": re.compile(r"line:(U[0-9a-f]{32})", re.IGNORECASE),
}
_INTERNATIONAL_PREFIXES = ("+", "00", "011")  # "+", then the most common dialling prefixes


class Refusal(StrEnum):
    """Why a typed entry is not an address."""

    NOT_A_NUMBER = "not_a_number"  # letters, an extension, two numbers in one
    NO_COUNTRY_CODE = "no_country_code"
    UNKNOWN_COUNTRY = "unknown_country"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    NOT_IN_SERVICE = "not_in_service"  # the right length, but no such range in that country


@dataclass(frozen=True, slots=True)
class Address:
    """An entry as the operator reads it: an E.164 number ("phone") or a channel id."""

    value: str
    channel: str

    def __str__(self) -> str:
        return self.value if self.channel == "phone" else suppression_key(self.channel, self.value)


@dataclass(frozen=True, slots=True)
class Refused:
    """A typed entry that is not an address, and why."""

    typed: str
    reason: Refusal


@dataclass(slots=True)
class Added:
    """What adding a message's entries did."""

    added: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)
    too_many: int = 0  # entries beyond MAX_ENTRIES, not read


def split_entries(text: str) -> list[str]:
    """The entries of a message: one a line, or separated by commas or semicolons (spaces
    belong to how people write numbers)."""
    return [part.strip() for part in _SEPARATORS.split(text) if part.strip()]


def read_address(typed: str) -> Address | Refused:
    """The address an entry names: an E.164 number, or a Telegram or LINE id."""
    for channel, pattern in _CHANNEL_IDS.items():
        if match := pattern.fullmatch(typed.strip()):
            value = match.group(1) if channel == "telegram" else "U" + match.group(1)[1:].lower()
            return Address(value, channel)
    cleaned = clean_phone(typed)
    if cleaned is None:
        return Refused(typed, Refusal.NOT_A_NUMBER)
    prefix = next((p for p in _INTERNATIONAL_PREFIXES if cleaned.startswith(p)), None)
    if prefix is None:
        return Refused(typed, Refusal.NO_COUNTRY_CODE)
    try:
        number = phonenumbers.parse("+" + cleaned.removeprefix(prefix), None)
    except NumberParseException as error:
        return Refused(typed, _PARSE_REFUSALS.get(error.error_type, Refusal.NOT_A_NUMBER))
    if not phonenumbers.is_valid_number(number):
        possible = phonenumbers.is_possible_number_with_reason(number)
        return Refused(typed, _LENGTH_REFUSALS.get(possible, Refusal.NOT_IN_SERVICE))
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return Address(e164, "phone")


_PARSE_REFUSALS = {
    NumberParseException.INVALID_COUNTRY_CODE: Refusal.UNKNOWN_COUNTRY,
    NumberParseException.TOO_SHORT_NSN: Refusal.TOO_SHORT,
    NumberParseException.TOO_SHORT_AFTER_IDD: Refusal.TOO_SHORT,
    NumberParseException.TOO_LONG: Refusal.TOO_LONG,
}
_LENGTH_REFUSALS = {
    ValidationResult.INVALID_COUNTRY_CODE: Refusal.UNKNOWN_COUNTRY,
    ValidationResult.TOO_SHORT: Refusal.TOO_SHORT,
    ValidationResult.TOO_LONG: Refusal.TOO_LONG,
}


class DoNotContactService:
    """Reads and edits the operator-wide do-not-contact list.

    Filed as every suppression is: a number under its keyed hash with a sealed copy beside it
    (the table never holds a number in the clear), a channel id as it is.
    """

    def __init__(self, *, clock: Clock, sealer: Sealer) -> None:
        self._clock = clock
        self._sealer = sealer

    def _key(self, address: Address) -> str:
        if address.channel == "phone":
            return self._sealer.lookup(address.value) or ""
        return suppression_key(address.channel, address.value)

    def readable(self, entry: Suppression) -> str:
        """An entry as the operator reads it: the number opened, or the channel id."""
        return self._sealer.open(entry.address) or entry.key

    async def count(self) -> int:
        """How many addresses are on the list."""
        return await Suppression.filter(member=None).count()

    async def latest(self, *, limit: int = 5) -> list[Suppression]:
        """The newest entries."""
        return await Suppression.filter(member=None).order_by("-created_at", "-id").limit(limit)

    async def add(self, text: str, *, operator: str) -> Added:
        """Add every address the message names; `operator` (audit.operator_name) is kept
        with each entry as who put it there."""
        outcome = Added()
        entries = split_entries(text)
        outcome.too_many = max(0, len(entries) - MAX_ENTRIES)
        seen: set[str] = set()
        for typed in entries[:MAX_ENTRIES]:
            address = read_address(typed)
            if isinstance(address, Refused):
                outcome.refused.append(address)
                continue
            key = self._key(address)
            if key in seen:
                continue
            seen.add(key)
            # The unique index over (member, key) does not hold for a NULL member: look first.
            if await Suppression.filter(member=None, key=key).exists():
                outcome.already.append(str(address))
                continue
            await Suppression.create(
                member=None,
                key=key,
                address=self._sealer.seal(address.value) if address.channel == "phone" else None,
                channel=address.channel,
                source=SuppressionSource.OPERATOR,
                detail=operator[:64],
                created_at=self._clock(),
            )
            outcome.added.append(str(address))
        return outcome

    async def remove(self, typed: str) -> Address | Refused | None:
        """Take one address off the list: the address, why the entry is not one, or None
        when it was not on the list."""
        address = read_address(typed)
        if isinstance(address, Refused):
            return address
        removed = await Suppression.filter(member=None, key=self._key(address)).delete()
        return address if removed else None

    async def export_csv(self) -> tuple[int, bytes]:
        """The whole list as CSV (UTF-8 with BOM, every cell safe in a spreadsheet): address,
        channel, added by, since (UTC); with its row count."""
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["address", "channel", "source", "added_by", "since_utc"])
        entries = await Suppression.filter(member=None).order_by("created_at", "id")
        for entry in entries:
            since = entry.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
            cells = [
                self.readable(entry),
                entry.channel,
                entry.source.value,
                entry.detail or "",
                since,
            ]
            writer.writerow([spreadsheet_safe(cell) for cell in cells])
        return len(entries), buffer.getvalue().encode("utf-8-sig")
