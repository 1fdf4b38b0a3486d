"""Members and their chat accounts: registration, preferences, terms, account linking."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from datetime import timedelta
from enum import StrEnum

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from bot.i18n import SUPPORTED_LOCALES
from bot.services.clock import Clock
from bot.services.privacy.forgotten import account_key, inherit_opt_outs
from bot.services.terms import TERMS_VERSION
from bot.services.timezones import resolve_timezone
from models import (
    Campaign,
    CampaignImage,
    ChatAccount,
    ContactList,
    InboundReply,
    LinkCode,
    Member,
    MemberStatus,
    Platform,
    Suppression,
    Upload,
)

LINK_CODE_TTL = timedelta(minutes=10)
ANNOUNCE_BATCH = 500  # members told of new terms per run of the job; the next run goes on
# A redeemed code hands a chat account to the issuing member, so guessing one must be hopeless:
# 10 symbols from 32 (no 0/O or 1/I to misread) are 50 bits, valid for ten minutes.
LINK_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
LINK_CODE_LENGTH = 10


class LinkRefusal(StrEnum):
    """Why a link code did not join two accounts."""

    UNKNOWN = "unknown"  # no such code, or already used
    EXPIRED = "expired"
    SAME_PLATFORM = "same_platform"  # codes join a Telegram account to a LINE one, not two alike
    ALREADY_LINKED = "already_linked"
    # The account is this member's only one and the member holds lists or campaigns: linking
    # would leave them behind (a member is deleted with its last account).
    OWN_DATA = "own_data"


class LinkError(Exception):
    """A link code was refused; `reason` says why, for a translated answer."""

    def __init__(self, reason: LinkRefusal) -> None:
        super().__init__(reason.value)
        self.reason = reason


class MemberService:
    """Everything about who a member is and how they want to be addressed."""

    def __init__(
        self,
        *,
        clock: Clock,
        hasher: Callable[[str], str],
        announce_terms: Callable[[Member], Awaitable[object]] | None = None,
    ) -> None:
        """`hasher`: the installation's keyed hash, to find opt-outs a purged account of the
        same chat account left behind; `announce_terms` tells a member in chat that the terms
        changed and asks them to accept the new ones."""
        self._hasher = hasher
        self._announce_terms = announce_terms
        self._clock = clock

    async def find_account(self, platform: Platform, external_id: str) -> ChatAccount | None:
        """The chat account for a platform user, with its member loaded."""
        return (
            await ChatAccount.filter(platform=platform, external_id=external_id)
            .select_related("member")
            .first()
        )

    async def register(
        self, platform: Platform, external_id: str, *, locale: str, display_name: str | None
    ) -> ChatAccount:
        """Create the member and chat account for a first /start (idempotent)."""
        async with in_transaction():
            account = await self.find_account(platform, external_id)
            if account is not None:
                return account
            member = await Member.create(locale=locale, display_name=display_name)
            account = await ChatAccount.create(
                platform=platform, external_id=external_id, member=member, display_name=display_name
            )
            await self._inherit(member, platform, external_id)
        account.member = member
        return account

    async def set_locale(self, member: Member, locale: str) -> None:
        """Change the member's language."""
        if locale not in SUPPORTED_LOCALES:
            raise ValueError(locale)
        member.locale = locale
        await member.save(update_fields=["locale"])

    async def set_timezone(self, member: Member, name: str) -> str:
        """Change the member's timezone; returns the canonical name stored."""
        member.timezone = resolve_timezone(name)
        await member.save(update_fields=["timezone"])
        return member.timezone

    def may_use_service(self, member: Member) -> bool:
        """Active and agreed to the current terms: the gate in front of every member feature."""
        return member.status is MemberStatus.ACTIVE and member.terms_version == TERMS_VERSION

    async def accept_terms(self, member: Member) -> None:
        """Record acceptance of the current terms and privacy notice, which activates the member."""
        member.terms_version = TERMS_VERSION
        member.terms_accepted_at = self._clock()
        if member.status is not MemberStatus.SUSPENDED:  # only the operator lifts that
            member.status = MemberStatus.ACTIVE
        await member.save(update_fields=["terms_version", "terms_accepted_at", "status"])

    async def announce_new_terms(self) -> int:
        """Tell every active member who accepted older terms that they changed, once per
        version (claimed row by row, so two workers never both tell); how many were told."""
        if self._announce_terms is None:
            return 0
        waiting = (
            await Member.filter(status=MemberStatus.ACTIVE)
            .exclude(terms_version=TERMS_VERSION)
            .filter(Q(terms_announced__isnull=True) | ~Q(terms_announced=TERMS_VERSION))
            .limit(ANNOUNCE_BATCH)
        )
        told = 0
        for member in waiting:
            claimed = await Member.filter(
                id=member.id, terms_announced=member.terms_announced
            ).update(terms_announced=TERMS_VERSION)
            if claimed:
                await self._announce_terms(member)
                told += 1
        return told

    async def create_link_code(self, account: ChatAccount) -> LinkCode:
        """A one-time code to type on the other platform; older codes of the member lapse."""
        await LinkCode.filter(member_id=account.member_id).delete()  # type: ignore[attr-defined]
        code = "".join(secrets.choice(LINK_CODE_ALPHABET) for _ in range(LINK_CODE_LENGTH))
        return await LinkCode.create(
            code=code,
            member_id=account.member_id,  # type: ignore[attr-defined]
            platform=account.platform,
            expires_at=self._clock() + LINK_CODE_TTL,
        )

    async def redeem_link_code(self, account: ChatAccount, code: str) -> Member:
        """Move this chat account to the member who issued the code.

        The member the account leaves is deleted when it has no other account left, so a
        person who registered twice ends with one member, the one they linked to; unless that
        member holds data of its own (lists, campaigns, opt-outs...): then nothing changes and
        the refusal says so, for the person to link the other way round.
        """
        async with in_transaction():
            typed = code.upper().replace(" ", "").replace("-", "")
            link = await LinkCode.filter(code=typed).select_related("member").first()
            if link is None:
                raise LinkError(LinkRefusal.UNKNOWN)
            await link.delete()
            if link.expires_at <= self._clock():
                raise LinkError(LinkRefusal.EXPIRED)
            if link.platform == account.platform:
                raise LinkError(LinkRefusal.SAME_PLATFORM)
            target = link.member
            if account.member_id == target.id:  # type: ignore[attr-defined]
                raise LinkError(LinkRefusal.ALREADY_LINKED)
            if await ChatAccount.filter(member=target, platform=account.platform).exists():
                raise LinkError(LinkRefusal.ALREADY_LINKED)
            previous_member_id = account.member_id  # type: ignore[attr-defined]
            last_account = (
                not await ChatAccount.filter(member_id=previous_member_id)
                .exclude(id=account.id)
                .exists()
            )
            if last_account and await _holds_data(previous_member_id):
                raise LinkError(LinkRefusal.OWN_DATA)
            account.member = target
            await account.save(update_fields=["member_id"])
            if last_account:
                await Member.filter(id=previous_member_id).delete()
            await self._inherit(target, account.platform, account.external_id)
        return target

    async def _inherit(self, member: Member, platform: Platform, external_id: str) -> None:
        # Opt-outs a purged account of this chat account left behind hold for the member it
        # now belongs to.
        account_hash = self._hasher(account_key(platform, external_id))
        await inherit_opt_outs(member, account_hash, now=self._clock())

    async def purge_expired_link_codes(self) -> int:
        """Delete link codes past their expiry; returns how many went."""
        return await LinkCode.filter(expires_at__lte=self._clock()).delete()


async def _holds_data(member_id: int) -> bool:
    """Whether deleting the member would lose anything the member made or was sent."""
    owned = (ContactList, Campaign, Suppression, Upload, InboundReply, CampaignImage)
    for model in owned:
        if await model.filter(member_id=member_id).exists():
            return True
    return False
