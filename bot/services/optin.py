"""Opt-in links: a recipient who opens one is subscribed to that list, with their consent.

Telegram and LINE only let a bot message people who started it or added the account, so
these links (and the QR codes of them) are how a list becomes reachable there. A recipient who
then shares their phone number is matched to the member's imported contacts with it.
"""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import quote

import segno
from tortoise.transactions import in_transaction

from bot.crypto import Sealer
from bot.services.clock import Clock
from bot.services.imports.phones import PhoneNormalizer
from bot.services.lists.sealed import sealed_values
from models import (
    ConsentSource,
    Contact,
    ContactList,
    ListMembership,
    Member,
    Platform,
    Suppression,
    suppression_key,
)

BotHandles = Callable[[], Awaitable[tuple[str | None, str | None]]]


@dataclass(frozen=True, slots=True)
class OptInLinks:
    """Where a list's subscribers go on each chat platform (None where it is off)."""

    telegram: str | None
    line: str | None


@dataclass(frozen=True, slots=True)
class Subscription:
    """The outcome of opening an opt-in link."""

    member: Member
    contact_list: ContactList
    contact: Contact


def qr_png(url: str) -> bytes:
    """A QR code of the link, as PNG."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=8, border=2)
    return buffer.getvalue()


def _channel_field(platform: Platform) -> str:
    return "telegram_id" if platform is Platform.TELEGRAM else "line_id"


class OptInService:
    """Links, subscriptions and phone sharing."""

    def __init__(self, *, clock: Clock, handles: BotHandles, sealer: Sealer) -> None:
        """`handles` gives the Telegram bot username and the LINE basic id, when on;
        `sealer` seals the names and numbers stored, and finds numbers by their hash."""
        self._clock = clock
        self._handles = handles
        self._sealer = sealer

    async def links(self, contact_list: ContactList) -> OptInLinks:
        """The Telegram deep link and the LINE add-and-say-start link of a list."""
        telegram_username, line_basic_id = await self._handles()
        token = contact_list.opt_in_token
        return OptInLinks(
            telegram=f"https://t.me/{telegram_username}?start={token}"
            if telegram_username
            else None,
            # LINE has no start parameter: this link opens the chat (adding the account)
            # with "start <token>" typed in, which the recipient sends.
            line=f"https://line.me/R/oaMessage/{quote(line_basic_id)}/?{quote('start ' + token)}"
            if line_basic_id
            else None,
        )

    async def subscribe(
        self,
        token: str,
        *,
        platform: Platform,
        user_id: str,
        first_name: str | None,
        language: str | None,
    ) -> Subscription | None:
        """Put the person on the list the token names; None when no live list has it.

        Opening a link is an explicit request, so it lifts an earlier opt-out of this person
        from this member on this channel.
        """
        contact_list = (
            await ContactList.filter(opt_in_token=token.strip(), deleted_at=None)
            .select_related("member")
            .first()
        )
        if contact_list is None:
            return None
        member = contact_list.member
        channel_id: int | str = int(user_id) if platform is Platform.TELEGRAM else user_id
        lookup = {_channel_field(platform): channel_id}
        async with in_transaction():
            contact = await Contact.filter(member=member, **lookup).first()
            if contact is None:
                contact = await Contact.create(
                    member=member,
                    **sealed_values(self._sealer, first_name=first_name),
                    language=language,
                    consent_source=ConsentSource.OPT_IN_LINK,
                    consent_at=self._clock(),
                    consent_by="self",
                    **lookup,
                )
            elif contact.deleted_at is not None:
                contact.deleted_at = None
                await contact.save(update_fields=["deleted_at"])
            await ListMembership.get_or_create(contact_list=contact_list, contact=contact)
            await Suppression.filter(
                member=member, key=suppression_key(platform.value, str(channel_id))
            ).delete()
        return Subscription(member=member, contact_list=contact_list, contact=contact)

    async def share_phone(self, *, platform: Platform, user_id: str, phone: str) -> int:
        """Match a subscriber's own phone number to each member's contacts with it.

        Where a member imported that number, the subscriber's contact is merged into the
        imported one (which becomes reachable on this channel); elsewhere the number is stored
        on the subscriber's contact. Returns how many members' contacts were updated.
        """
        e164 = PhoneNormalizer("US").normalize(phone if phone.startswith("+") else f"+{phone}")
        if e164 is None:
            return 0
        field = _channel_field(platform)
        channel_id: int | str = int(user_id) if platform is Platform.TELEGRAM else user_id
        updated = 0
        for subscriber in await Contact.filter(**{field: channel_id}):
            async with in_transaction():
                imported = (
                    await Contact.filter(
                        member_id=subscriber.member_id,
                        phone_hash=self._sealer.lookup(e164),
                    )
                    .exclude(id=subscriber.id)
                    .first()
                )
                if imported is None:
                    if subscriber.phone is None:
                        sealed = self._sealer.seal(e164)
                        subscriber.phone = subscriber.whatsapp = sealed
                        subscriber.phone_hash = self._sealer.lookup(e164)
                        subscriber.whatsapp_hash = None  # the phone (see Contact.whatsapp_hash)
                        fields = ["phone", "whatsapp", "phone_hash", "whatsapp_hash"]
                        await subscriber.save(update_fields=fields)
                        updated += 1
                    continue
                await self._merge(subscriber, into=imported, field=field, channel_id=channel_id)
                updated += 1
        return updated

    @staticmethod
    async def _merge(
        subscriber: Contact, *, into: Contact, field: str, channel_id: int | str
    ) -> None:
        list_ids = await ListMembership.filter(contact=subscriber).values_list(
            "contact_list_id", flat=True
        )
        await subscriber.delete()  # first, or the channel id would clash on `into`
        setattr(into, field, channel_id)
        into.deleted_at = None
        await into.save(update_fields=[field, "deleted_at"])
        for list_id in list_ids:
            await ListMembership.get_or_create(contact_list_id=list_id, contact=into)
