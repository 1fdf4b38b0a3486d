"""Recipients' replies: STOP, STOPALL, START and HELP, and who they are addressed to.

A reply is attributed to the member whose campaign last reached the person on that channel;
where no campaign did, to every member who has them on a list reachable there (they came
through an opt-in link). STOPALL reaches every one of those members. An opt-out is written
for every address the member holds for the person (their phone too), so it holds on every
channel: the dispatcher reads the suppression list just before each send.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC

from tortoise import connections

from bot.crypto import Sealer
from bot.services.clock import Clock
from bot.services.lists.export import spreadsheet_safe
from bot.services.lists.sealed import opened
from bot.services.optout.keywords import Intent, KeywordMatcher, Match
from bot.services.optout.own_keywords import matcher_for
from bot.sql import dialect_sql
from models import Channel, InboundReply, Member, Suppression, SuppressionSource

MAX_REPLY_CHARS = 4096  # Telegram's own message limit; longer texts are cut when stored
# Which contact column holds a person's address on each channel.
_ADDRESS_COLUMN = {Channel.TELEGRAM: "telegram_id", Channel.LINE: "line_id"}
# Sources a recipient's START may lift: their own word or a platform's. A member's removal or
# the operator's do-not-contact entry stays.
_LIFTABLE = (SuppressionSource.KEYWORD, SuppressionSource.PLATFORM_SIGNAL)


@dataclass(frozen=True, slots=True)
class Sender:
    """Who replied: a channel and their address there (chat id, LINE user id, E.164)."""

    channel: Channel
    address: str


@dataclass(frozen=True, slots=True)
class _Found:
    """A sender as the database knows them: the suppression key of their own address (a
    number's keyed hash, "telegram:<id>", "line:<id>") and the SQL condition on contact `c`
    that finds them."""

    sender: Sender
    key: str
    where: str
    params: list[object]


@dataclass(slots=True)
class Answer:
    """What a reply did: its intent (None: not a keyword), the members it applied to, and
    the language the keyword was in, if it tells."""

    intent: Intent | None
    members: list[Member] = field(default_factory=list)
    language: str | None = None


class OptOutService:
    """Applies recipients' keyword replies to the suppression list."""

    def __init__(
        self,
        *,
        clock: Clock,
        sealer: Sealer,
        on_reply: Callable[[InboundReply], Awaitable[object]] | None = None,
        matcher: KeywordMatcher | None = None,
    ) -> None:
        """`on_reply` hears of every stored reply (the member is told in chat); `sealer`
        hashes numbers to find them and seals what is kept of them."""
        self._clock = clock
        self._sealer = sealer
        self._on_reply = on_reply
        self._matcher = matcher or KeywordMatcher()

    def _find(self, sender: Sender) -> _Found:
        """Numbers are found by their keyed hash (contacts keep them sealed); ids as they are."""
        if sender.channel is Channel.WHATSAPP:
            key = self._sealer.lookup(sender.address) or ""
            where = "(c.whatsapp_hash = ? OR (c.whatsapp_hash IS NULL AND c.phone_hash = ?))"
            return _Found(sender, key, where, [key, key])
        column = _ADDRESS_COLUMN[sender.channel]
        value: object = (
            int(sender.address) if sender.channel is Channel.TELEGRAM else sender.address
        )
        key = f"{sender.channel.value}:{sender.address}"
        return _Found(sender, key, f"c.{column} = ?", [value])

    def _sealed_number(self, sender: Sender) -> str | None:
        """The sealed copy of a number kept beside its suppression key (a hash) for the
        member's export; None for channel ids, whose key is readable as it is."""
        return self._sealer.seal(sender.address) if sender.channel is Channel.WHATSAPP else None

    async def on_reply(self, sender: Sender, text: str) -> Answer | None:
        """Handle one reply; None when the sender is nobody's recipient (a stranger)."""
        found = self._find(sender)
        member_ids = await _members_of(found)
        if not member_ids:
            return None
        match = self._matcher.match(text) or await self._own_match(member_ids[0], text)
        if match is None:
            members = await _members(member_ids[:1])
            if members and text.strip():
                await self._store_reply(members[0], found, text)
            return Answer(None, members)
        # STOPALL: everyone who messaged them here; otherwise the one whose message was last.
        targets = member_ids if match.intent is Intent.STOP_ALL else member_ids[:1]
        members = await _members(targets)
        if match.intent in (Intent.STOP, Intent.STOP_ALL):
            for member in members:
                await self._suppress(
                    member, found, source=SuppressionSource.KEYWORD, detail=match.keyword
                )
        elif match.intent is Intent.START:
            for member in members:
                await self._lift(member, found)
        return Answer(match.intent, members, match.language)

    async def _own_match(self, member_id: int, text: str) -> Match | None:
        """`text` as one of the own keywords of the member it is addressed to."""
        member = await Member.get_or_none(id=member_id)
        matcher = matcher_for(member, self._matcher) if member is not None else None
        return matcher.match(text) if matcher is not None else None

    async def export_csv(self, member: Member) -> tuple[int, bytes]:
        """The member's suppression list as CSV (UTF-8 with BOM, for spreadsheets): address,
        channel, source, detail, since (UTC), with its row count. The operator's list is not
        theirs to see."""
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["address", "channel", "source", "detail", "since_utc"])
        entries = await Suppression.filter(member=member).order_by("created_at", "id")
        for entry in entries:
            since = entry.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
            # A number's key is its hash: the member reads the sealed copy kept beside it.
            address = self._sealer.open(entry.address) or entry.key
            cells = [address, entry.channel, entry.source.value, entry.detail or "", since]
            writer.writerow([spreadsheet_safe(cell) for cell in cells])
        return len(entries), buffer.getvalue().encode("utf-8-sig")

    async def suppress(
        self, member: Member, sender: Sender, *, source: SuppressionSource, detail: str | None
    ) -> None:
        """Opt the person out of this member on every address the member holds for them."""
        await self._suppress(member, self._find(sender), source=source, detail=detail)

    async def _suppress(
        self, member: Member, found: _Found, *, source: SuppressionSource, detail: str | None
    ) -> None:
        for key, channel, address in await self._keys(member, found):
            await Suppression.get_or_create(
                member=member,
                key=key,
                defaults={
                    "channel": channel,
                    "address": address,
                    "source": source,
                    "detail": (detail or "")[:64] or None,
                    "created_at": self._clock(),
                },
            )

    async def left_channel(self, channel: Channel, address: str, *, detail: str) -> int:
        """The platform says the person left the channel (blocked the bot, unfollowed): no
        member messages them there any more. Only that address is listed (a block says
        nothing about their other channels), and re-following alone never lifts it: only
        START or a new opt-in. How many members."""
        found = self._find(Sender(channel, address))
        members = await _members(await _members_of(found))
        sealed = self._sealed_number(found.sender)
        for member in members:
            await Suppression.get_or_create(
                member=member,
                key=found.key,
                defaults={
                    "channel": _filed_under(channel),
                    "address": sealed,
                    "source": SuppressionSource.PLATFORM_SIGNAL,
                    "detail": detail[:64],
                    "created_at": self._clock(),
                },
            )
        return len(members)

    async def _store_reply(self, member: Member, found: _Found, text: str) -> None:
        contacts = await _contacts(member.id, found)
        contact_id = contacts[0]["id"] if contacts else None
        reply = await InboundReply.create(
            member=member,
            contact_id=contact_id,
            channel=found.sender.channel.value,
            address=self._sealer.seal(found.sender.address),
            text=text[:MAX_REPLY_CHARS],
            received_at=self._clock(),
        )
        if self._on_reply is not None:
            await self._on_reply(reply)

    async def replies(self, member: Member, *, limit: int = 10) -> list[InboundReply]:
        """The member's latest replies from recipients, newest first, with the sender's
        address and their contact's names opened for the member."""
        latest = InboundReply.filter(member=member).order_by("-received_at", "-id")
        found = await latest.limit(limit).prefetch_related("contact")
        return [self.opened_reply(reply) for reply in found]

    def opened_reply(self, reply: InboundReply) -> InboundReply:
        """The reply (its contact fetched) readable for its member, in memory only."""
        reply.address = self._sealer.open(reply.address) or ""
        if reply.contact is not None:
            opened(reply.contact, self._sealer)
        return reply

    async def _lift(self, member: Member, found: _Found) -> None:
        keys = [key for key, _, _ in await self._keys(member, found)]
        await Suppression.filter(member=member, key__in=keys, source__in=_LIFTABLE).delete()

    async def _keys(self, member: Member, found: _Found) -> list[tuple[str, str, str | None]]:
        """(key, channel, sealed address) of every address of this person the member holds."""
        sender = found.sender
        keys = {found.key: (_filed_under(sender.channel), self._sealed_number(sender))}
        for contact in await _contacts(member.id, found):
            # The contact's sealed numbers are copied as they are: no need to open them.
            for key, sealed in (
                (contact["phone_hash"], contact["phone"]),
                (contact["whatsapp_hash"], contact["whatsapp"]),
            ):
                if key:
                    keys.setdefault(key, ("phone", sealed))
            if contact["telegram_id"] is not None:
                address = str(contact["telegram_id"])
                keys.setdefault(f"telegram:{address}", (Channel.TELEGRAM.value, None))
            if contact["line_id"]:
                keys.setdefault(f"line:{contact['line_id']}", (Channel.LINE.value, None))
        return sorted((key, channel, sealed) for key, (channel, sealed) in keys.items())


async def _members_of(found: _Found) -> list[int]:
    """Member ids this person hears from on this channel, the latest sender first."""
    connection = connections.get("default")
    where, value = found.where, found.params
    sender = found.sender
    latest = (
        "SELECT c.member_id, MAX(d.sent_at) AS last, MAX(d.id) AS newest "  # noqa: S608
        f"FROM delivery d JOIN contact c ON c.id = d.contact_id WHERE d.channel = ? "
        f"AND {where} AND d.sent_at IS NOT NULL GROUP BY c.member_id "
        # Two sends in the same instant: the later delivery row is the later campaign.
        "ORDER BY last DESC, newest DESC"
    )
    _, rows = await connection.execute_query(
        dialect_sql(connection, latest), [sender.channel.value, *value]
    )
    ordered = [row[0] for row in rows]
    listed = f"SELECT DISTINCT c.member_id FROM contact c WHERE {where} ORDER BY 1"  # noqa: S608
    _, rows = await connection.execute_query(dialect_sql(connection, listed), value)
    ordered += [row[0] for row in rows if row[0] not in ordered]
    return ordered


def _filed_under(channel: Channel) -> str:
    """The suppression list's channel of an address: numbers are shared by every channel
    that uses them, so a WhatsApp number is filed as a phone."""
    return channel.value if channel is not Channel.WHATSAPP else "phone"


async def _contacts(member_id: int, found: _Found) -> list[dict]:
    connection = connections.get("default")
    sql = (
        "SELECT c.id, c.sealed_phone AS phone, c.phone_hash, c.whatsapp, c.whatsapp_hash, "  # noqa: S608
        "c.telegram_id, "
        f"c.line_id FROM contact c WHERE c.member_id = ? AND {found.where}"
    )
    params = [member_id, *found.params]
    return await connection.execute_query_dict(dialect_sql(connection, sql), params)


async def _members(member_ids: Sequence[int]) -> list[Member]:
    found = {member.id: member for member in await Member.filter(id__in=list(member_ids))}
    return [found[member_id] for member_id in member_ids if member_id in found]
