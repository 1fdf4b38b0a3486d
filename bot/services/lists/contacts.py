"""Single contacts: find, delete (restorable for RESTORE_WINDOW) and purge."""

from __future__ import annotations

from tortoise.expressions import Q

from bot.services.clock import Clock
from bot.services.imports.phones import PhoneNormalizer
from bot.services.lists.service import RESTORE_WINDOW
from models import Contact, Member

MAX_RESULTS = 10


class ContactNotFoundError(LookupError):
    """No such contact for this member."""


class ContactService:
    """A member's contacts one at a time; every lookup is scoped to the member."""

    def __init__(self, *, clock: Clock) -> None:
        self._clock = clock

    async def find(self, member: Member, query: str, *, region: str) -> list[Contact]:
        """Live contacts whose phone is the number typed, or whose name contains the text."""
        query = " ".join(query.split())[:64]
        if not query:
            return []
        condition = Q(first_name__icontains=query) | Q(last_name__icontains=query)
        if (phone := PhoneNormalizer(region).normalize(query)) is not None:
            condition |= Q(phone=phone)
        return (
            await Contact.filter(condition, member=member, deleted_at=None)
            .order_by("id")
            .limit(MAX_RESULTS)
        )

    async def get(self, member: Member, contact_id: int) -> Contact:
        """The member's live contact with this id."""
        contact = await Contact.filter(id=contact_id, member=member, deleted_at=None).first()
        if contact is None:
            raise ContactNotFoundError(contact_id)
        return contact

    async def delete(self, member: Member, contact_id: int) -> Contact:
        """Hide a contact from every list at once; restorable for RESTORE_WINDOW."""
        contact = await self.get(member, contact_id)
        contact.deleted_at = self._clock()
        await contact.save(update_fields=["deleted_at"])
        return contact

    async def trash(self, member: Member) -> list[Contact]:
        """Deleted contacts that can still be restored."""
        since = self._clock() - RESTORE_WINDOW
        return await Contact.filter(member=member, deleted_at__gt=since).order_by("-deleted_at")

    async def restore(self, member: Member, contact_id: int) -> Contact:
        """Bring a deleted contact back while its restore window is open."""
        since = self._clock() - RESTORE_WINDOW
        contact = await Contact.filter(id=contact_id, member=member, deleted_at__gt=since).first()
        if contact is None:
            raise ContactNotFoundError(contact_id)
        contact.deleted_at = None
        await contact.save(update_fields=["deleted_at"])
        return contact

    async def purge_expired(self) -> int:
        """Delete for good the contacts deleted more than RESTORE_WINDOW ago.

        Suppression entries are separate rows and stay: an opt-out outlives the contact.
        """
        return await Contact.filter(deleted_at__lte=self._clock() - RESTORE_WINDOW).delete()
