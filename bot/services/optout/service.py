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

from bot.services.clock import Clock
from bot.services.lists.export import spreadsheet_safe
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
        on_reply: Callable[[InboundReply], Awaitable[object]] | None = None,
        matcher: KeywordMatcher | None = None,
    ) -> None:
        """`on_reply` hears of every stored reply (the member is told in chat)."""
        self._clock = clock
        self._on_reply = on_reply
        self._matcher = matcher or KeywordMatcher()

    async def on_reply(self, sender: Sender, text: str) -> Answer | None:
        """Handle one reply; None when the sender is nobody's recipient (a stranger)."""
        member_ids = await self._members_of(sender)
        if not member_ids:
            return None
        match = self._matcher.match(text) or await self._own_match(member_ids[0], text)
        if match is None:
            members = await _members(member_ids[:1])
            if members and text.strip():
                await self._store_reply(members[0], sender, text)
            return Answer(None, members)
        # STOPALL: everyone who messaged them here; otherwise the one whose message was last.
        targets = member_ids if match.intent is Intent.STOP_ALL else member_ids[:1]
        members = await _members(targets)
        if match.intent in (Intent.STOP, Intent.STOP_ALL):
            for member in members:
                await self.suppress(
                    member, sender, source=SuppressionSource.KEYWORD, detail=match.keyword
                )
        elif match.intent is Intent.START:
            for member in members:
                await self._lift(member, sender)
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
            cells = [entry.key, entry.channel, entry.source.value, entry.detail or "", since]
            writer.writerow([spreadsheet_safe(cell) for cell in cells])
        return len(entries), buffer.getvalue().encode("utf-8-sig")

    async def suppress(
        self, member: Member, sender: Sender, *, source: SuppressionSource, detail: str | None
    ) -> None:
        """Opt the person out of this member on every address the member holds for them."""
        for key, channel in await self._keys(member, sender):
            await Suppression.get_or_create(
                member=member,
                key=key,
                defaults={
                    "channel": channel,
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
        sender = Sender(channel, address)
        members = await _members(await self._members_of(sender))
        for member in members:
            await Suppression.get_or_create(
                member=member,
                key=_own_key(sender),
                defaults={
                    "channel": channel.value if channel is not Channel.WHATSAPP else "phone",
                    "source": SuppressionSource.PLATFORM_SIGNAL,
                    "detail": detail[:64],
                    "created_at": self._clock(),
                },
            )
        return len(members)

    async def _store_reply(self, member: Member, sender: Sender, text: str) -> None:
        contacts = await _contacts(member.id, sender)
        contact_id = contacts[0]["id"] if contacts else None
        reply = await InboundReply.create(
            member=member,
            contact_id=contact_id,
            channel=sender.channel.value,
            address=sender.address,
            text=text[:MAX_REPLY_CHARS],
            received_at=self._clock(),
        )
        if self._on_reply is not None:
            await self._on_reply(reply)

    async def replies(self, member: Member, *, limit: int = 10) -> list[InboundReply]:
        """The member's latest replies from recipients, newest first."""
        latest = InboundReply.filter(member=member).order_by("-received_at", "-id")
        return await latest.limit(limit).prefetch_related("contact")

    async def _lift(self, member: Member, sender: Sender) -> None:
        keys = [key for key, _ in await self._keys(member, sender)]
        await Suppression.filter(member=member, key__in=keys, source__in=_LIFTABLE).delete()

    async def _keys(self, member: Member, sender: Sender) -> list[tuple[str, str]]:
        """(key, channel) of every address of this person the member holds."""
        keys = {(_own_key(sender), sender.channel.value)}
        for contact in await _contacts(member.id, sender):
            for value in (contact["phone"], contact["whatsapp"]):
                if value:
                    keys.add((value, "phone"))
            if contact["telegram_id"] is not None:
                keys.add((f"telegram:{contact['telegram_id']}", Channel.TELEGRAM.value))
            if contact["line_id"]:
                keys.add((f"line:{contact['line_id']}", Channel.LINE.value))
        return sorted(keys)

    @staticmethod
    async def _members_of(sender: Sender) -> list[int]:
        """Member ids this person hears from on this channel, the latest sender first."""
        connection = connections.get("default")
        where, value = _match_contact(sender)
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


def _own_key(sender: Sender) -> str:
    if sender.channel is Channel.WHATSAPP:
        return sender.address
    return f"{sender.channel.value}:{sender.address}"


def _match_contact(sender: Sender) -> tuple[str, list[object]]:
    """A WHERE clause on contact `c` finding this person, and its parameters."""
    if sender.channel is Channel.WHATSAPP:
        return "(c.whatsapp = ? OR (c.whatsapp IS NULL AND c.phone = ?))", [
            sender.address,
            sender.address,
        ]
    column = _ADDRESS_COLUMN[sender.channel]
    value: object = int(sender.address) if sender.channel is Channel.TELEGRAM else sender.address
    return f"c.{column} = ?", [value]


async def _contacts(member_id: int, sender: Sender) -> list[dict]:
    connection = connections.get("default")
    where, value = _match_contact(sender)
    sql = (
        "SELECT c.id, c.phone, c.whatsapp, c.telegram_id, c.line_id FROM contact c "  # noqa: S608
        f"WHERE c.member_id = ? AND {where}"
    )
    return await connection.execute_query_dict(dialect_sql(connection, sql), [member_id, *value])


async def _members(member_ids: Sequence[int]) -> list[Member]:
    found = {member.id: member for member in await Member.filter(id__in=list(member_ids))}
    return [found[member_id] for member_id in member_ids if member_id in found]
