"""Single contacts: find, correct, delete (restorable for RESTORE_WINDOW) and purge."""

from __future__ import annotations

import phonenumbers
from tortoise.exceptions import IntegrityError

from bot.crypto import Sealer
from bot.i18n import RECIPIENT_LOCALES
from bot.services.clock import Clock
from bot.services.imports.phones import PhoneNormalizer
from bot.services.lists.sealed import SEALED_FIELDS, opened, sealed_values
from bot.services.lists.service import RESTORE_WINDOW
from models import Channel, Contact, Member

MAX_RESULTS = 10
# Names are sealed, so a search by name opens the member's contacts in Python, a batch at a
# time (a few microseconds each: 100,000 contacts in well under a second).
_SEARCH_BATCH = 5000
MAX_NAME = 128
MAX_TAG = 64
MAX_TAGS = 20


def clean_text(text: str, limit: int) -> str:
    """Single-spaced and printable; longer than `limit` is the caller's to refuse or cut."""
    return " ".join("".join(ch for ch in text if ch.isprintable()).split())[: limit + 1]


class ContactNotFoundError(LookupError):
    """No such contact for this member."""


class InvalidNameError(ValueError):
    """A name that is empty or longer than MAX_NAME."""


class InvalidPhoneError(ValueError):
    """Not a valid phone number in the member's region (or with its country code)."""


class InvalidLanguageError(ValueError):
    """Not a language the bot writes to recipients in."""


class DuplicatePhoneError(ValueError):
    """Another contact of the member has this number (phone_hash is unique per member)."""

    def __init__(self, other: Contact) -> None:
        super().__init__(other.id)
        self.other = other


class ContactService:
    """A member's contacts one at a time; every lookup is scoped to the member."""

    def __init__(self, *, clock: Clock, sealer: Sealer) -> None:
        self._clock = clock
        self._sealer = sealer

    async def find(self, member: Member, query: str, *, region: str) -> list[Contact]:
        """Live contacts whose phone is the number typed (found by its keyed hash), or whose
        name contains the text; opened for the member."""
        query = " ".join(query.split())[:64]
        if not query:
            return []
        if (phone := PhoneNormalizer(region).normalize(query)) is not None:
            by_phone = await Contact.filter(
                member=member, deleted_at=None, phone_hash=self._sealer.lookup(phone)
            )
            if by_phone:
                return [opened(contact, self._sealer) for contact in by_phone]
        return await self._find_by_name(member, query.casefold())

    async def _find_by_name(self, member: Member, text: str) -> list[Contact]:
        found: list[Contact] = []
        last_id = 0
        while len(found) < MAX_RESULTS:
            batch = (
                await Contact.filter(member=member, deleted_at=None, id__gt=last_id)
                .order_by("id")
                .limit(_SEARCH_BATCH)
            )
            if not batch:
                break
            last_id = batch[-1].id
            for contact in batch:
                names = (
                    self._sealer.open(contact.first_name),
                    self._sealer.open(contact.last_name),
                )
                if any(name and text in name.casefold() for name in names):
                    found.append(opened(contact, self._sealer))
        return found[:MAX_RESULTS]

    async def get(self, member: Member, contact_id: int) -> Contact:
        """The member's live contact with this id, opened for the member."""
        contact = await Contact.filter(id=contact_id, member=member, deleted_at=None).first()
        if contact is None:
            raise ContactNotFoundError(contact_id)
        return opened(contact, self._sealer)

    async def rename(self, member: Member, contact_id: int, text: str) -> Contact:
        """Set the names from "First Last" (first word, then the rest) or a single word."""
        name = clean_text(text, MAX_NAME)
        if not name or len(name) > MAX_NAME:
            raise InvalidNameError(contact_id)
        contact = await self.get(member, contact_id)
        first, _, last = name.partition(" ")
        await self._reseal(contact, {}, first_name=first, last_name=last or None)
        return await self.get(member, contact_id)

    async def change_phone(
        self, member: Member, contact_id: int, raw: str, *, region: str
    ) -> Contact:
        """Set a new phone number, validated in the member's region.

        The WhatsApp number follows when it was the phone; the timezone follows when it was
        the one the old number gave. Opt-outs are kept by number, so they need nothing here.
        """
        normalizer = PhoneNormalizer(region)
        number = normalizer.normalize_with_timezone(raw.strip()[:64])
        if number is None:
            raise InvalidPhoneError(contact_id)
        phone, zone = number
        contact = await self.get(member, contact_id)
        if phone == contact.phone:
            return contact
        other = (
            await Contact.filter(member=member, phone_hash=self._sealer.lookup(phone))
            .exclude(id=contact_id)
            .first()
        )
        if other is not None:
            raise DuplicatePhoneError(opened(other, self._sealer))
        # The WhatsApp number was the phone (whatsapp_hash None): it stays the phone. None
        # with no phone follows too, as an imported row's WhatsApp defaults to its phone.
        whatsapp = phone if contact.whatsapp == contact.phone else contact.whatsapp
        home = (region, member.timezone)
        new_zone = _derived_zone(phone, zone, home=home)
        old = normalizer.normalize_with_timezone(contact.phone) if contact.phone else None
        old_zone = _derived_zone(*old, home=home) if old is not None else None
        extra: dict[str, str | None] = {}
        if new_zone is not None and contact.timezone in (None, old_zone):
            extra["timezone"] = new_zone  # the zone came from the old number: it follows
        if whatsapp != contact.whatsapp and contact.unreachable:
            # "Not on WhatsApp" was said of the old number, not of the new one.
            kept = [c for c in contact.unreachable.split(",") if c and c != Channel.WHATSAPP]
            extra["unreachable"] = ",".join(kept) or None
        try:
            await self._reseal(contact, extra, phone=phone, whatsapp=whatsapp)
        except IntegrityError:
            # Another contact took the number since the check (phone_hash is unique per member).
            other = await Contact.filter(
                member=member, phone_hash=self._sealer.lookup(phone)
            ).first()
            if other is None:
                raise
            raise DuplicatePhoneError(opened(other, self._sealer)) from None
        return await self.get(member, contact_id)

    async def set_language(self, member: Member, contact_id: int, language: str) -> Contact:
        """Set the language the contact is written to in: one the bot supports."""
        if language not in RECIPIENT_LOCALES:
            raise InvalidLanguageError(language)
        contact = await self.get(member, contact_id)
        contact.language = language
        await contact.save(update_fields=["language"])
        return contact

    async def set_tags(self, member: Member, contact_id: int, tags: list[str]) -> Contact:
        """Replace the contact's tags (trimmed, de-duplicated, in the order given)."""
        contact = await self.get(member, contact_id)
        cleaned = (clean_text(tag, MAX_TAG)[:MAX_TAG] for tag in tags)
        contact.tags = list(dict.fromkeys(tag for tag in cleaned if tag))[:MAX_TAGS]
        await contact.save(update_fields=["tags"])
        return contact

    async def _reseal(
        self, contact: Contact, extra: dict[str, str | None], **plain: str | None
    ) -> None:
        """Write the contact's numbers and names sealed (hashes included) with `plain` changed,
        and the `extra` fields. By query: the contact in hand is opened, never to be saved."""
        values = {name: getattr(contact, name) for name in SEALED_FIELDS} | plain
        await Contact.filter(id=contact.id).update(**sealed_values(self._sealer, **values), **extra)

    async def delete(self, member: Member, contact_id: int) -> Contact:
        """Hide a contact from every list at once; restorable for RESTORE_WINDOW."""
        contact = await self.get(member, contact_id)
        contact.deleted_at = self._clock()
        await contact.save(update_fields=["deleted_at"])
        return contact

    async def trash(self, member: Member) -> list[Contact]:
        """Deleted contacts that can still be restored."""
        since = self._clock() - RESTORE_WINDOW
        contacts = await Contact.filter(member=member, deleted_at__gt=since).order_by("-deleted_at")
        return [opened(contact, self._sealer) for contact in contacts]

    async def restore(self, member: Member, contact_id: int) -> Contact:
        """Bring a deleted contact back while its restore window is open."""
        since = self._clock() - RESTORE_WINDOW
        contact = await Contact.filter(id=contact_id, member=member, deleted_at__gt=since).first()
        if contact is None:
            raise ContactNotFoundError(contact_id)
        contact.deleted_at = None
        await contact.save(update_fields=["deleted_at"])
        return opened(contact, self._sealer)

    async def purge_expired(self) -> int:
        """Delete for good the contacts deleted more than RESTORE_WINDOW ago.

        Suppression entries are separate rows and stay: an opt-out outlives the contact.
        """
        return await Contact.filter(deleted_at__lte=self._clock() - RESTORE_WINDOW).delete()


def _derived_zone(phone: str, zone: str | None, *, home: tuple[str, str]) -> str | None:
    """The zone the importer gives a number: its area's, or the member's for a number of the
    member's own country (see RowReader._phone)."""
    region, home_zone = home
    return zone or (
        home_zone if phone.startswith(f"+{phonenumbers.country_code_for_region(region)}") else None
    )
