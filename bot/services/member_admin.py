"""The operator's view of members: find them, see their card, open their data, delete and
restore their accounts.

A member's lists, contacts and campaigns are theirs: the methods that return them write the
audit entry first (who, what, why), so no caller can read them without leaving a trace. The
card's counts are not the member's content and are not audited. Every id comes from a
button an operator pressed: each is read again here, never trusted for what it claims.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from bot.crypto import Sealer
from bot.services.audit import AuditService
from bot.services.lists.sealed import opened
from bot.services.lists.service import ListService, ListSummary
from bot.services.privacy.accounts import AccountService
from models import Campaign, ChatAccount, Contact, ContactList, Member, MemberStatus

SEARCH_LIMIT = 10  # members a search shows
SHOWN_CONTACTS = 20  # contacts "open contacts" shows
SHOWN_CAMPAIGNS = 10  # campaigns "open campaigns" shows, newest first


@dataclass(frozen=True, slots=True)
class MemberCard:
    """Who a member is, with counts of what they hold (not its content)."""

    member: Member
    accounts: list[ChatAccount]
    lists: int
    contacts: int
    campaigns: int
    restorable_until: datetime | None  # a deleted account's last day to restore


@dataclass(frozen=True, slots=True)
class ContactPage:
    """The first contacts of a member, and how many there are."""

    total: int
    contacts: list[Contact]


class MemberDirectory:
    """Find members and open their data on the operator's behalf, audited."""

    def __init__(
        self,
        *,
        audit: AuditService,
        lists: ListService,
        accounts: AccountService,
        sealer: Sealer,
    ) -> None:
        """`sealer` opens the contacts' sealed numbers and names, once the access is audited."""
        self._audit = audit
        self._lists = lists
        self._accounts = accounts
        self._sealer = sealer

    async def search(self, query: str) -> list[Member]:
        """Members by id, by a chat account's id, or by part of a display name."""
        query = query.strip()[:128]
        if not query:
            return []
        match = Q(display_name__icontains=query) | Q(accounts__display_name__icontains=query)
        match |= Q(accounts__external_id=query)
        if query.isdigit():
            match |= Q(id=int(query))
        return await Member.filter(match).distinct().order_by("id").limit(SEARCH_LIMIT)

    async def get(self, member_id: int) -> Member | None:
        """The member with this id, if there is one."""
        return await Member.get_or_none(id=member_id)

    async def card(self, member_id: int) -> MemberCard | None:
        """The member's card, or None when there is no such member."""
        member = await Member.get_or_none(id=member_id)
        if member is None:
            return None
        return MemberCard(
            member=member,
            accounts=await ChatAccount.filter(member_id=member_id).order_by("id"),
            lists=await ContactList.filter(member_id=member_id, deleted_at=None).count(),
            contacts=await Contact.filter(member_id=member_id, deleted_at=None).count(),
            campaigns=await Campaign.filter(member_id=member_id).count(),
            restorable_until=self._accounts.purge_date(member)
            if member.status is MemberStatus.DELETED
            else None,
        )

    async def open_lists(
        self, member_id: int, *, operator: str, reason: str
    ) -> list[ListSummary] | None:
        """The member's lists with their counts, audited; None when there is no such member."""
        member = await self._audited(member_id, operator, "view_lists", reason)
        if member is None:
            return None
        return [
            await self._lists.summary(member, found) for found in await self._lists.live(member)
        ]

    async def open_contacts(
        self, member_id: int, *, operator: str, reason: str
    ) -> ContactPage | None:
        """The member's first contacts, audited; None when there is no such member."""
        member = await self._audited(member_id, operator, "view_contacts", reason)
        if member is None:
            return None
        return await self._page(Contact.filter(member_id=member.id, deleted_at=None))

    async def list_owner(self, list_id: int) -> int | None:
        """The member whose live list this is, if it is one."""
        owners = await ContactList.filter(id=list_id, deleted_at=None).values_list(
            "member_id", flat=True
        )
        return owners[0] if owners else None

    async def open_list(
        self, list_id: int, *, operator: str, reason: str
    ) -> tuple[ContactList, ContactPage] | None:
        """The first contacts of one list, audited as its member's contacts opened; None when
        there is no such live list."""
        found = await ContactList.get_or_none(id=list_id, deleted_at=None)
        if found is None:
            return None
        await self._audit.record(
            operator=operator,
            member_id=found.member_id,  # type: ignore[attr-defined]
            action="view_contacts",
            subject=f"list:{list_id}",
            reason=reason,
        )
        contacts = Contact.filter(memberships__contact_list_id=list_id, deleted_at=None)
        return found, await self._page(contacts)

    async def _page(self, contacts: QuerySet[Contact]) -> ContactPage:
        first = await contacts.order_by("id").limit(SHOWN_CONTACTS)
        return ContactPage(
            total=await contacts.count(),
            contacts=[opened(contact, self._sealer) for contact in first],
        )

    async def open_campaigns(
        self, member_id: int, *, operator: str, reason: str
    ) -> list[Campaign] | None:
        """The member's newest campaigns with their text, audited; None when there is no
        such member."""
        member = await self._audited(member_id, operator, "view_campaigns", reason)
        if member is None:
            return None
        newest = Campaign.filter(member_id=member.id).order_by("-created_at", "-id")
        return await newest.limit(SHOWN_CAMPAIGNS)

    async def delete(self, member_id: int, *, operator: str, reason: str) -> datetime | None:
        """Delete the account as the member's own /deleteaccount does (restorable for the
        window), audited; when it will be purged, or None when there is no such member or it
        is deleted already."""
        member = await Member.get_or_none(id=member_id)
        if member is None or member.status is MemberStatus.DELETED:
            return None
        await self._audit.record(
            operator=operator, member_id=member_id, action="delete", reason=reason
        )
        return await self._accounts.delete(member)

    async def restore(self, member_id: int, *, operator: str, reason: str) -> Member | None:
        """Undo a deletion, audited; None when there is nothing to restore."""
        member = await Member.get_or_none(id=member_id)
        if member is None or not await self._accounts.restore(member):
            return None
        await self._audit.record(
            operator=operator, member_id=member_id, action="restore", reason=reason
        )
        return member

    async def _audited(
        self, member_id: int, operator: str, action: str, reason: str
    ) -> Member | None:
        # The entry is written before anything is read, so an access that fails halfway is
        # still on record.
        member = await Member.get_or_none(id=member_id)
        if member is not None:
            await self._audit.record(
                operator=operator, member_id=member_id, action=action, reason=reason
            )
        return member
