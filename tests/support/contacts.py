"""Contacts as the tests write and read them: numbers and names sealed under the running
bot's key (bot/crypto.py), as the importer leaves them; read back opened."""

from __future__ import annotations

from typing import Any

from bot.crypto import Sealer
from bot.services.lists.sealed import opened, sealed_values
from models import Contact
from tests.support.harness import Harness

_PLAIN = ("phone", "whatsapp", "first_name", "last_name")


def sealer(harness: Harness) -> Sealer:
    """The running bot's sealer."""
    return harness.app.services.sealer


def sealed(harness: Harness, fields: dict[str, Any]) -> dict[str, Any]:
    """Contact fields with the plaintext numbers and names given as the database holds them."""
    plain = {name: fields[name] for name in _PLAIN if name in fields}
    rest = {name: value for name, value in fields.items() if name not in _PLAIN}
    return {**sealed_values(sealer(harness), **plain), **rest}


async def create_contact(harness: Harness, **fields: Any) -> Contact:
    """Contact.create with the numbers and names sealed."""
    return await Contact.create(**sealed(harness, fields))


def phone_key(harness: Harness, phone: str) -> str:
    """A number's keyed hash: its contact's phone_hash, its suppression key."""
    return sealer(harness).lookup(phone) or ""


async def contact_with_phone(harness: Harness, phone: str) -> Contact | None:
    """The contact with this number (any member's), opened; None if there is none."""
    contact = await Contact.filter(phone_hash=phone_key(harness, phone)).first()
    return opened(contact, sealer(harness)) if contact is not None else None


async def readable(harness: Harness, contacts: list[Contact]) -> list[Contact]:
    """The contacts opened."""
    return [opened(contact, sealer(harness)) for contact in contacts]
