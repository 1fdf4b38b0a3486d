"""Deleting an account: disabled at once, restorable for RESTORE_WINDOW, then purged for good.

Deleting cancels every campaign that could still send (scheduled, running, paused: the
workers stop within a second, as for any cancel) and shuts the member out of everything
but /restore and /mydata. The purge deletes the member and all that hangs from them; their
usage records stay (billing law), and so do their recipients' opt-outs, as keyed hashes of
each address paired with keyed hashes of the chat accounts the member wrote from: should
the business come back from one of those accounts, the new member inherits them, and an
imported list with the same people still skips them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from bot.services.campaigns.service import CampaignService
from bot.services.campaigns.states import TransitionError
from bot.services.clock import Clock
from bot.services.privacy.forgotten import account_key
from models import (
    Campaign,
    CampaignStatus,
    ChatAccount,
    ForgottenOptOut,
    Member,
    MemberStatus,
    Suppression,
)
from models.suppression import HASHED

RESTORE_WINDOW = timedelta(days=30)
# Held for review too: an operator's later approval must not send for a deleted account.
_STOPPABLE = (
    CampaignStatus.SCHEDULED,
    CampaignStatus.RUNNING,
    CampaignStatus.PAUSED,
    CampaignStatus.REVIEW,
)


class AccountService:
    """Delete, restore and purge members' accounts; hand purged opt-outs on."""

    def __init__(
        self, *, clock: Clock, campaigns: CampaignService, hasher: Callable[[str], str]
    ) -> None:
        self._clock = clock
        self._campaigns = campaigns
        self._hash = hasher

    async def delete(self, member: Member) -> datetime:
        """Disable the account now and stop its campaigns; returns when it will be purged.
        Deleting a deleted account again changes nothing (the window does not restart)."""
        now = self._clock()
        changed = (
            await Member.filter(id=member.id)
            .exclude(status=MemberStatus.DELETED)
            .update(status=MemberStatus.DELETED, deleted_at=now)
        )
        if not changed:
            return self.purge_date(await Member.get(id=member.id)) or now
        member.status, member.deleted_at = MemberStatus.DELETED, now
        for campaign in await Campaign.filter(member_id=member.id, status__in=_STOPPABLE):
            try:
                await self._campaigns.cancel(campaign)
            except TransitionError:
                continue  # it ended meanwhile
        return now + RESTORE_WINDOW

    async def restore(self, member: Member) -> bool:
        """Undo a deletion within the window; False when there is nothing to restore. The
        cancelled campaigns stay cancelled (each can be duplicated). A member the operator had
        suspended comes back suspended: deleting is no way out of a suspension."""
        if member.status is not MemberStatus.DELETED:
            return False
        status = MemberStatus.SUSPENDED if member.suspended_at else MemberStatus.ACTIVE
        await Member.filter(id=member.id).update(status=status, deleted_at=None)
        member.status, member.deleted_at = status, None
        return True

    def purge_date(self, member: Member) -> datetime | None:
        """When a deleted account goes for good."""
        return member.deleted_at + RESTORE_WINDOW if member.deleted_at is not None else None

    async def purge_expired(self) -> int:
        """Purge the accounts deleted longer ago than the window; returns how many went."""
        cutoff = self._clock() - RESTORE_WINDOW
        expired = await Member.filter(
            status=MemberStatus.DELETED, deleted_at__lt=cutoff
        ).values_list("id", flat=True)
        for member_id in expired:
            await self._purge(member_id)
        return len(expired)

    async def _purge(self, member_id: int) -> None:
        accounts = await ChatAccount.filter(member_id=member_id).values_list(
            "platform", "external_id"
        )
        keys = await Suppression.filter(member_id=member_id).values_list("key", flat=True)
        now = self._clock()
        forgotten = {
            (self._hash(account_key(platform, external_id)), _key_hash(key, self._hash))
            for platform, external_id in accounts
            for key in keys
        }
        async with in_transaction():
            await ForgottenOptOut.bulk_create(
                [
                    ForgottenOptOut(account_hash=account, key_hash=key, created_at=now)
                    for account, key in forgotten
                ],
                ignore_conflicts=True,
            )
            # The database cascades to lists, contacts, campaigns, deliveries, opt-outs...
            await Member.filter(id=member_id).delete()


def _key_hash(key: str, hasher: Callable[[str], str]) -> str:
    """A suppression key's hash; an inherited entry is a hash already."""
    return key.removeprefix(HASHED) if key.startswith(HASHED) else hasher(key)
