"""A delivery's recipient as the dispatcher and the launch read it from the contact table.

Numbers and names are sealed in the database (bot/crypto.py) and the attributes are a JSON
column. Each is opened when it is read, not when the row is: routing a launch asks only which
addresses a person has, and a campaign text without placeholders on Telegram or LINE needs
none of them. Opening all four and parsing the attributes for every row cost a 100,000-recipient
LINE campaign about a tenth of its CPU (four AES-GCM decryptions and a json.loads per row, at
the launch, its estimate and the send).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.crypto import Sealer
from models import Channel

# What recipient_from_row reads, in its order; c. names the contact table in every query.
CONTACT_COLUMNS = (
    "c.id, c.sealed_phone, c.telegram_id, c.line_id, c.whatsapp, c.first_name, c.last_name, "
    "c.attributes, c.timezone, c.unreachable, c.phone_hash, c.whatsapp_hash"
)


@dataclass(slots=True)
class Recipient:
    """What the engine needs of a contact to address and personalise a message, and the
    numbers' keyed hashes for the suppression list.

    `phone`, `whatsapp`, `first_name` and `last_name` open their sealed column on each read
    (a read or two per send). Without a sealer they give the sealed text: enough to tell
    whether there is a number, never what it is (the launch's snapshot)."""

    contact_id: int
    telegram_id: int | None
    line_id: str | None
    timezone: str | None
    unreachable: frozenset[str]
    phone_hash: str | None
    whatsapp_hash: str | None
    sealed_phone: str | None
    sealed_whatsapp: str | None
    sealed_first_name: str | None
    sealed_last_name: str | None
    stored_attributes: Any  # JSON text on SQLite, a dict from PostgreSQL's jsonb
    sealer: Sealer | None = None

    def _opened(self, sealed: str | None) -> str | None:
        return sealed if self.sealer is None else self.sealer.open(sealed)

    @property
    def phone(self) -> str | None:
        """The E.164 number."""
        return self._opened(self.sealed_phone)

    @property
    def whatsapp(self) -> str | None:
        """The WhatsApp number, where it is not the phone."""
        return self._opened(self.sealed_whatsapp)

    @property
    def first_name(self) -> str | None:
        """The given name, as imported."""
        return self._opened(self.sealed_first_name)

    @property
    def last_name(self) -> str | None:
        """The family name, as imported."""
        return self._opened(self.sealed_last_name)

    @property
    def attributes(self) -> dict[str, str]:
        """The imported columns (city, e-mail...), parsed on each read."""
        value = self.stored_attributes
        if isinstance(value, dict):
            return value
        return json.loads(value) if value else {}

    def address(self, channel: Channel) -> str | None:
        """The id or number that channel reaches this person at, if any and not marked dead."""
        if channel.value in self.unreachable:
            return None
        if channel is Channel.TELEGRAM:
            return str(self.telegram_id) if self.telegram_id is not None else None
        if channel is Channel.LINE:
            return self.line_id
        return self.whatsapp or self.phone

    def suppression_entries(self) -> list[tuple[str, str, str | None]]:
        """(key, channel, number) of every address, as the suppression list files them: a
        number under its keyed hash, with the number itself to keep sealed beside it; a
        channel id readable in its key, with no number."""
        numbers = {self.phone_hash: self.phone, self.whatsapp_hash: self.whatsapp}
        entries = [(key, "phone", number) for key, number in numbers.items() if key]
        if self.telegram_id is not None:
            entries.append((f"telegram:{self.telegram_id}", Channel.TELEGRAM.value, None))
        if self.line_id:
            entries.append((f"line:{self.line_id}", Channel.LINE.value, None))
        return entries

    def suppression_keys(self) -> list[str]:
        """Every key an opt-out of this person may be filed under."""
        keys = [key for key in (self.phone_hash, self.whatsapp_hash) if key]
        if self.telegram_id is not None:
            keys.append(f"telegram:{self.telegram_id}")
        if self.line_id:
            keys.append(f"line:{self.line_id}")
        return keys


def recipient_from_row(row: Sequence[Any], sealer: Sealer | None) -> Recipient:
    """A Recipient from a row of CONTACT_COLUMNS whose numbers and names `sealer` opens when
    read. Without a sealer they stay sealed: for the launch's snapshot, which asks only which
    addresses a person has (and their hashes, for the suppression list), never what they say."""
    return Recipient(
        contact_id=row[0],
        telegram_id=row[2],
        line_id=row[3],
        timezone=row[8],
        unreachable=frozenset(row[9].split(",")) if row[9] else frozenset(),
        phone_hash=row[10],
        whatsapp_hash=row[11],
        sealed_phone=row[1],
        sealed_whatsapp=row[4],
        sealed_first_name=row[5],
        sealed_last_name=row[6],
        stored_attributes=row[7],
        sealer=sealer,
    )
