"""Single contacts: find, delete (restorable for RESTORE_WINDOW) and purge."""

from __future__ import annotations

from bot.crypto import Sealer
from bot.services.clock import Clock
from bot.services.imports.phones import PhoneNormalizer
from bot.services.lists.sealed import opened
from bot.services.lists.service import RESTORE_WINDOW
from models import Contact, Member

MAX_RESULTS = 10
# Names are sealed, so a search by name opens the member's contacts in Python, a batch at a
# time (a few microseconds each: 100,000 contacts in well under a second).
_SEARCH_BATCH = 5000


class ContactNotFoundError(LookupError):
    """No such contact for this member."""


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
