"""The rules for a member's distribution lists.

Every lookup is scoped to the member asking: a list id from a button payload is only ever
resolved together with the member, so a forged id naming someone else's list finds nothing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from tortoise.expressions import Q, Subquery
from tortoise.transactions import in_transaction

from bot.crypto import Sealer
from bot.services.clock import Clock
from bot.services.lists.export import EXPORTERS
from models import Contact, ContactList, ListMembership, Member, Suppression

# A deleted list (or contact) can be restored for this long, then it is purged for good.
RESTORE_WINDOW = timedelta(days=30)
MAX_LIST_NAME = 64


class ListNotFoundError(LookupError):
    """No such list for this member (it never existed, is deleted, or is someone else's)."""


@dataclass(frozen=True, slots=True)
class ListSummary:
    """A list with the counts /lists shows."""

    id: int
    name: str
    tags: list[str]
    total: int
    telegram: int
    line: int
    whatsapp: int
    opted_out: int


def clean_name(name: str) -> str:
    """A list name as stored: single-spaced, printable, at most MAX_LIST_NAME characters."""
    cleaned = " ".join("".join(ch for ch in name if ch.isprintable()).split())
    return cleaned[:MAX_LIST_NAME]


class ListService:
    """Create, find, count, rename, delete, restore and purge distribution lists."""

    def __init__(self, *, clock: Clock, sealer: Sealer) -> None:
        self._clock = clock
        self._sealer = sealer

    async def export(self, contact_list: ContactList, file_format: str) -> bytes:
        """The list as a file ("csv" or "xlsx", see EXPORTERS), readable for its member."""
        return await EXPORTERS[file_format](contact_list, self._sealer)

    async def create(self, member: Member, name: str) -> ContactList:
        """A new, empty list with its own opt-in token."""
        return await ContactList.create(
            member=member, name=clean_name(name) or "?", opt_in_token=secrets.token_urlsafe(16)
        )

    async def get(self, member: Member, list_id: int) -> ContactList:
        """The member's live list with this id, or ListNotFoundError."""
        found = await ContactList.filter(id=list_id, member=member, deleted_at=None).first()
        if found is None:
            raise ListNotFoundError(list_id)
        return found

    async def live(self, member: Member) -> list[ContactList]:
        """The member's lists that are not deleted, oldest first."""
        return await ContactList.filter(member=member, deleted_at=None).order_by("id")

    async def summary(self, member: Member, contact_list: ContactList) -> ListSummary:
        """Counts for one list: contacts, reachable per channel, opted out."""
        contacts = Contact.filter(
            memberships__contact_list_id=contact_list.id, deleted_at=None, member=member
        )
        suppressed_keys = Suppression.filter(Q(member=member) | Q(member=None)).values("key")
        return ListSummary(
            id=contact_list.id,
            name=contact_list.name,
            tags=list(contact_list.tags),
            total=await contacts.count(),
            telegram=await contacts.filter(telegram_id__not_isnull=True).count(),
            line=await contacts.filter(line_id__not_isnull=True).count(),
            whatsapp=await contacts.filter(whatsapp__not_isnull=True).count(),
            # A phone's suppression key is its keyed hash (see suppression_key).
            opted_out=await contacts.filter(phone_hash__in=Subquery(suppressed_keys)).count(),
        )

    async def rename(self, member: Member, list_id: int, name: str) -> ContactList:
        """Give a list a new name."""
        contact_list = await self.get(member, list_id)
        contact_list.name = clean_name(name) or contact_list.name
        await contact_list.save(update_fields=["name"])
        return contact_list

    async def set_tags(self, member: Member, list_id: int, tags: list[str]) -> ContactList:
        """Replace a list's tags (trimmed, de-duplicated, in the order given)."""
        contact_list = await self.get(member, list_id)
        contact_list.tags = list(dict.fromkeys(clean_name(tag) for tag in tags if clean_name(tag)))
        await contact_list.save(update_fields=["tags"])
        return contact_list

    async def delete(self, member: Member, list_id: int) -> ContactList:
        """Hide a list at once; it stays restorable for RESTORE_WINDOW."""
        contact_list = await self.get(member, list_id)
        contact_list.deleted_at = self._clock()
        await contact_list.save(update_fields=["deleted_at"])
        return contact_list

    async def trash(self, member: Member) -> list[ContactList]:
        """Deleted lists that can still be restored, most recently deleted first."""
        since = self._clock() - RESTORE_WINDOW
        return await ContactList.filter(
            member=member, deleted_at__not_isnull=True, deleted_at__gt=since
        ).order_by("-deleted_at")

    async def restore(self, member: Member, list_id: int) -> ContactList:
        """Bring a deleted list back, if its restore window is still open."""
        since = self._clock() - RESTORE_WINDOW
        contact_list = await ContactList.filter(
            id=list_id, member=member, deleted_at__not_isnull=True, deleted_at__gt=since
        ).first()
        if contact_list is None:
            raise ListNotFoundError(list_id)
        contact_list.deleted_at = None
        await contact_list.save(update_fields=["deleted_at"])
        return contact_list

    async def purge_expired(self) -> int:
        """Delete for good the lists deleted more than RESTORE_WINDOW ago.

        Their contacts go too when they are on no other list; suppression entries stay, so an
        opted-out person is never messaged again even if the same data comes back.
        """
        cutoff = self._clock() - RESTORE_WINDOW
        expired = await ContactList.filter(deleted_at__lte=cutoff).values_list("id", flat=True)
        for list_id in expired:
            # Subqueries, not id lists: a list can hold a million contacts.
            on_list = ListMembership.filter(contact_list_id=list_id).values("contact_id")
            elsewhere = (
                ListMembership.filter(contact_id__in=Subquery(on_list))
                .exclude(contact_list_id=list_id)
                .values("contact_id")
            )
            async with in_transaction():
                await (
                    Contact.filter(id__in=Subquery(on_list))
                    .exclude(id__in=Subquery(elsewhere))
                    .delete()
                )
                await ContactList.filter(id=list_id).delete()
        return len(expired)
