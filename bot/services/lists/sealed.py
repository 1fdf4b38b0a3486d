"""A contact's sealed columns: what to write for plaintext values, and reading them back.

The numbers and names are sealed in the database (bot/crypto.py); the services open them
for the member who owns them (their /contact card, their exports) and nowhere else.
"""

from __future__ import annotations

from typing import Any

from bot.crypto import Sealer
from models import Contact
from models.sealed import SEALED_COLUMNS

SEALED_FIELDS = SEALED_COLUMNS["Contact"]


def sealed_values(
    sealer: Sealer,
    *,
    phone: str | None = None,
    whatsapp: str | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
) -> dict[str, Any]:
    """The Contact fields to write for these plaintext values, hashes included."""
    return {
        "phone": sealer.seal(phone),
        "phone_hash": sealer.lookup(phone),
        "whatsapp": sealer.seal(whatsapp),
        # None where it is the phone (see Contact.whatsapp_hash).
        "whatsapp_hash": sealer.lookup(whatsapp) if whatsapp != phone else None,
        "first_name": sealer.seal(first_name),
        "last_name": sealer.seal(last_name),
        "key_version": 1,
    }


def opened(contact: Contact, sealer: Sealer) -> Contact:
    """The contact with its numbers and names readable, in memory only: never save those
    fields of it (save others with update_fields, as every caller does)."""
    for name in SEALED_FIELDS:
        setattr(contact, name, sealer.open(getattr(contact, name)))
    return contact


def opened_row(row: dict[str, Any], sealer: Sealer, *, prefix: str = "") -> dict[str, Any]:
    """A `.values()` row with the contact's sealed fields (named `prefix` + field) opened."""
    for name in SEALED_FIELDS:
        if prefix + name in row:
            row[prefix + name] = sealer.open(row[prefix + name])
    return row
