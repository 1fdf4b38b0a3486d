"""The dispatcher's reads and writes of delivery rows, in plain SQL (one statement per batch).

Claiming is a conditional UPDATE ... RETURNING (SQLite 3.35+ and PostgreSQL): a row moves
from pending to sending for exactly one claimer, and the move is committed before anything
is sent. That order is the crash-safety argument: a row found in `sending` by someone else
was possibly sent, never possibly forgotten.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise import connections
from tortoise.transactions import in_transaction

from bot.crypto import Sealer
from bot.dispatch.queue import Chunk
from bot.dispatch.recipients import CONTACT_COLUMNS, Recipient, recipient_from_row
from bot.sql import dialect_sql, fetch_returning, marks
from models import Channel, DeliveryStatus
from models.suppression import suppressed_keys

_CLAIM = (
    "UPDATE delivery SET status = 'sending', attempts = attempts + 1, updated_at = ? "
    "WHERE id IN (SELECT id FROM delivery WHERE campaign_id = ? AND id >= ? AND id <= ? "
    "AND status = 'pending' AND (not_before IS NULL OR not_before <= ?) ORDER BY id LIMIT ?) "
    "AND status = 'pending' "
    "RETURNING id, contact_id, channel, attempts, fell_back_from"
)
_SET = (
    "UPDATE delivery SET status = ?, channel = ?, attempts = ?, fell_back_from = ?, "
    "not_before = ?, message_id = ?, error_code = ?, sent_at = ?, updated_at = ? "
)
_RECORD = _SET + "WHERE id = ?"
_USAGE = (
    "INSERT INTO usage_record (member_id, campaign_id, delivery_id, sent_at, channel, account, "
    "recipient, units, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_DUE = (
    "status = 'pending' AND not_before <= ? AND campaign_id IN "
    "(SELECT id FROM campaign WHERE status = 'running')"
)
_DUE_RANGES = (
    f"SELECT campaign_id, MIN(id), MAX(id) FROM delivery WHERE {_DUE} GROUP BY campaign_id"  # noqa: S608
)
# The same cut-off as the ranges: a hold set meanwhile ends later, so it is not cleared.
_CLEAR_DUE = f"UPDATE delivery SET not_before = NULL WHERE {_DUE}"  # noqa: S608
# Held deliveries (quiet hours, a retry's backoff) are left out: release_due queues them when
# their hold ends. Queued before, they would be taken and found not due, again at every sweep:
# a million recipients held for the night kept a worker's core busy all night.
_PENDING_RANGES = (
    "SELECT d.campaign_id, MIN(d.id), MAX(d.id) FROM delivery d "
    "JOIN campaign c ON c.id = d.campaign_id WHERE d.status IN ('pending', 'sending') "
    "AND (d.not_before IS NULL OR d.not_before <= ?) AND {} GROUP BY d.campaign_id"
)
_PENDING_RUNNING = _PENDING_RANGES.format("c.status = 'running'")
_PENDING_OF_ONE = _PENDING_RANGES.format("c.id = ?")
_ORPHANS_TO_AMBIGUOUS = (
    "UPDATE delivery SET status = 'ambiguous', updated_at = ? WHERE campaign_id = ? "
    "AND id >= ? AND id <= ? AND status = 'sending' AND updated_at < ?"
)
# A campaign's deliveries are counted in windows of this many ids (DeliveryStore.counts).
# "+campaign_id" keeps SQLite on the primary key's range: on the campaign's index it would
# read all of the campaign's entries for every window.
COUNT_WINDOW = 50_000
_ID_RANGE = "SELECT MIN(id), MAX(id) FROM delivery WHERE campaign_id = ?"
_COUNTS_IN_WINDOW = (
    "SELECT status, channel, error_code, fell_back_from IS NOT NULL, COUNT(*) FROM delivery "
    "WHERE id BETWEEN ? AND ? AND +campaign_id = ? "
    "GROUP BY status, channel, error_code, fell_back_from IS NOT NULL"
)
_SUPPRESS = (
    "INSERT INTO suppression (member_id, key, address, channel, source, detail, created_at) "
    "VALUES (?, ?, ?, ?, 'platform_signal', ?, ?) ON CONFLICT DO NOTHING"
)


@dataclass(slots=True)
class Claimed:
    """A delivery this worker moved to `sending`."""

    id: int
    contact_id: int | None
    channel: Channel | None
    attempts: int
    fell_back_from: str | None


@dataclass(slots=True)
class Update:
    """A delivery's new state after a send (or a skip, a hold, a fallback)."""

    id: int
    status: DeliveryStatus
    channel: Channel | None
    attempts: int
    fell_back_from: str | None = None
    not_before: datetime | None = None
    message_id: str | None = None
    error_code: str | None = None
    sent_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Usage:
    """What one platform answer costs the member: the itemised billing record of a send."""

    member_id: int
    campaign_id: int
    delivery_id: int
    channel: Channel
    account: str  # the originating bot, LINE channel or WhatsApp number id
    recipient: str  # the address sent to
    units: int
    status: DeliveryStatus


@dataclass(frozen=True, slots=True)
class StatusChange:
    """A platform's report that a sent message was delivered, read or failed after all."""

    message_id: str
    status: DeliveryStatus
    error_code: str | None = None


@dataclass(frozen=True, slots=True)
class DeliveryCount:
    """How many deliveries of a campaign share a status, channel, error and fallback."""

    status: DeliveryStatus
    channel: str | None
    error_code: str | None
    fell_back: bool
    count: int

    def to_json(self) -> list[object]:
        """The count as JSON, to keep on the campaign when its deliveries are purged."""
        return [self.status.value, self.channel, self.error_code, self.fell_back, self.count]

    @classmethod
    def from_json(cls, row: list[object]) -> DeliveryCount:
        """A count kept on the campaign."""
        status, channel, error_code, fell_back, count = row
        return cls(
            DeliveryStatus(str(status)),
            None if channel is None else str(channel),
            None if error_code is None else str(error_code),
            bool(fell_back),
            int(str(count)),
        )


# Which statuses a platform's later status may replace: only forward.
_EARLIER: dict[DeliveryStatus, tuple[DeliveryStatus, ...]] = {
    DeliveryStatus.DELIVERED: (DeliveryStatus.SENT,),
    DeliveryStatus.READ: (DeliveryStatus.SENT, DeliveryStatus.DELIVERED),
    DeliveryStatus.FAILED: (DeliveryStatus.SENT, DeliveryStatus.DELIVERED),
}


EVERYWHERE = "*"


def suppression_scope(key: str) -> str:
    """What a suppression key stops: a number stops everything (STOP writes every address
    of the person, their number included); a channel id ("telegram:123") only that channel,
    which is all a platform signal like a block says."""
    channel, separator, _ = key.partition(":")
    return channel if separator else EVERYWHERE


async def opted_out(
    connection: Any,
    member_id: int,
    recipients: Sequence[Recipient],
    *,
    hashed: Callable[[str], str] | None = None,
) -> dict[int, frozenset[str]]:
    """See DeliveryStore.opted_out (the launch's snapshot asks the same)."""
    by_key: dict[str, int] = {}
    for recipient in recipients:
        for key in recipient.suppression_keys():
            by_key[key] = recipient.contact_id
    if not by_key:
        return {}
    scopes: dict[int, set[str]] = {}
    keys = list(by_key)
    for key in await suppressed_keys(connection, member_id=member_id, keys=keys, hashed=hashed):
        scopes.setdefault(by_key[key], set()).add(suppression_scope(key))
    return {contact_id: frozenset(scope) for contact_id, scope in scopes.items()}


class DeliveryStore:
    """Statements on the default connection, which every worker process has.

    `hasher` (the installation's keyed hash) finds the opt-outs a member inherited as hashes
    from a purged account (services/privacy/accounts.py); `sealer` opens the recipients'
    numbers and names.
    """

    def __init__(
        self,
        *,
        sealer: Sealer,
        hasher: Callable[[str], str] | None = None,
        count_window: int = COUNT_WINDOW,
    ) -> None:
        self._sealer = sealer
        self._hasher = hasher
        self._count_window = count_window

    @staticmethod
    def _connection() -> Any:
        return connections.get("default")

    async def claim(self, chunk: Chunk, *, limit: int, now: datetime) -> list[Claimed]:
        """Move up to `limit` due pending deliveries of the chunk to `sending`, in id order."""
        connection = self._connection()
        params = [now, chunk.campaign_id, chunk.first_id, chunk.last_id, now, limit]
        rows = await fetch_returning(connection, _CLAIM, params)
        claimed = [
            Claimed(row[0], row[1], Channel(row[2]) if row[2] else None, row[3], row[4])
            for row in rows
        ]
        claimed.sort(key=lambda item: item.id)
        return claimed

    async def resolve_orphans(self, chunk: Chunk, *, now: datetime, stale_before: datetime) -> int:
        """Settle deliveries of the chunk left in `sending` by a worker that stopped mid-send.

        Only rows claimed before `stale_before`: a live worker's claim is seconds old (it may
        hold a copy of this chunk, queued twice), a dead one's grows older. The platform may
        or may not have them, and sending again could deliver twice, so they are counted
        ambiguous, never repeated. That includes LINE: its retry key would make a repeat of
        the very same request safe, but a repeat regroups the multicast and so carries
        another key. How many were settled.
        """
        connection = self._connection()
        params = [now, chunk.campaign_id, chunk.first_id, chunk.last_id, stale_before]
        count, _ = await connection.execute_query(
            dialect_sql(connection, _ORPHANS_TO_AMBIGUOUS), params
        )
        return count

    async def recipients(self, contact_ids: Sequence[int]) -> dict[int, Recipient]:
        """The contacts behind a claim, by id (a contact purged meanwhile is absent)."""
        if not contact_ids:
            return {}
        connection = self._connection()
        sql = f"SELECT {CONTACT_COLUMNS} FROM contact c WHERE c.id IN ({marks(len(contact_ids))})"  # noqa: S608
        _, rows = await connection.execute_query(dialect_sql(connection, sql), list(contact_ids))
        return {row[0]: recipient_from_row(tuple(row), self._sealer) for row in rows}

    async def opted_out(
        self, member_id: int, recipients: Sequence[Recipient], *, inherited: bool = False
    ) -> dict[int, frozenset[str]]:
        """Per contact id, what of them is on the member's (or the operator's) suppression
        list: `EVERYWHERE` (their number: a STOP, a do-not-contact entry) or the channels
        they left (blocked the bot, unfollowed). Contacts with nothing are absent.
        `inherited`: the member has opt-outs kept as hashes (Member.inherited_opt_outs)."""
        hashed = self._hasher if inherited else None
        return await opted_out(self._connection(), member_id, recipients, hashed=hashed)

    async def record(
        self, updates: Sequence[Update], *, usage: Sequence[Usage] = (), now: datetime
    ) -> None:
        """Write the new states and the usage of the sends, in one transaction: a send is
        billed exactly when its delivery says it happened."""
        if not updates:
            return
        async with in_transaction() as connection:
            await self._record(connection, updates, usage, now)

    async def _record(
        self, connection: Any, updates: Sequence[Update], usage: Sequence[Usage], now: datetime
    ) -> None:
        # Deliveries that end alike (a LINE multicast's 500 recipients, a claim skipped for
        # quiet hours) are one UPDATE ... IN: half the database's work of a statement per row.
        alike: dict[tuple[Any, ...], list[int]] = defaultdict(list)
        for update in updates:
            alike[
                (
                    update.status.value,
                    update.channel.value if update.channel else None,
                    update.attempts,
                    update.fell_back_from,
                    update.not_before,
                    update.message_id,
                    update.error_code,
                    update.sent_at,
                    now,
                )
            ].append(update.id)
        singles = [[*values, ids[0]] for values, ids in alike.items() if len(ids) == 1]
        if singles:
            await connection.execute_many(dialect_sql(connection, _RECORD), singles)
        for values, ids in alike.items():
            if len(ids) > 1:
                sql = f"{_SET}WHERE id IN ({marks(len(ids))})"
                await connection.execute_query(dialect_sql(connection, sql), [*values, *ids])
        if not usage:
            return
        await connection.execute_many(
            dialect_sql(connection, _USAGE),
            [
                [
                    item.member_id,
                    item.campaign_id,
                    item.delivery_id,
                    now,
                    item.channel.value,
                    item.account,
                    self._sealer.seal(item.recipient),  # read back by the member's statement
                    item.units,
                    item.status.value,
                ]
                for item in usage
            ],
        )

    async def mark_unreachable(self, contact_ids: Sequence[int], channel: Channel) -> None:
        """Note that `channel` can never reach these contacts (blocked, invalid)."""
        if not contact_ids:
            return
        connection = self._connection()
        sql = (
            "UPDATE contact SET unreachable = CASE "  # noqa: S608 - placeholders only
            "WHEN unreachable IS NULL OR unreachable = '' THEN ? ELSE unreachable || ',' || ? END "
            f"WHERE id IN ({marks(len(contact_ids))}) "
            "AND (unreachable IS NULL OR unreachable NOT LIKE ?)"
        )
        params = [channel.value, channel.value, *contact_ids, f"%{channel.value}%"]
        await connection.execute_query(dialect_sql(connection, sql), params)

    async def audience_ready(self, campaign_id: int) -> bool:
        """Whether the launch has written every delivery row of the campaign."""
        connection = self._connection()
        sql = "SELECT audience_ready FROM campaign WHERE id = ?"
        _, rows = await connection.execute_query(dialect_sql(connection, sql), [campaign_id])
        return bool(rows and rows[0][0])

    async def apply_statuses(
        self, changes: Sequence[StatusChange], *, now: datetime
    ) -> list[int | None]:
        """The platforms' later word on sent messages (delivered, read, failed), in one
        transaction. Statuses only move forward (a late "delivered" never undoes "read").
        One answer per change: the contact id of the delivery it moved, else None (also for a
        change repeated in the same group, which the first one made)."""
        answers: list[int | None] = [None] * len(changes)
        # One UPDATE ... IN per kind of change: a group is mostly "delivered" and "read".
        kinds: dict[tuple[DeliveryStatus, str | None], dict[str, int]] = defaultdict(dict)
        for index, change in enumerate(changes):
            kinds[change.status, change.error_code].setdefault(change.message_id, index)
        async with in_transaction() as connection:
            for (status, error_code), first_of in kinds.items():
                earlier = _EARLIER[status]
                sql = (
                    "UPDATE delivery SET status = ?, error_code = COALESCE(?, error_code), "  # noqa: S608
                    f"updated_at = ? WHERE message_id IN ({marks(len(first_of))}) "
                    f"AND status IN ({marks(len(earlier))}) RETURNING message_id, contact_id"
                )
                params = [status.value, error_code, now, *first_of, *(s.value for s in earlier)]
                for message_id, contact_id in await fetch_returning(connection, sql, params):
                    index = first_of[message_id]
                    if answers[index] is None:  # a message id on several rows: the first
                        answers[index] = contact_id
        return answers

    async def suppress(
        self,
        member_id: int,
        entries: Sequence[tuple[str, str, str | None]],
        *,
        detail: str,
        now: datetime,
    ) -> None:
        """Put (key, channel, address) entries on the member's suppression list as a platform
        signal (the person blocked the bot, stopped marketing), the address sealed; existing
        entries stay as they are."""
        if not entries:
            return
        connection = self._connection()
        seal = self._sealer.seal
        await connection.execute_many(
            dialect_sql(connection, _SUPPRESS),
            [
                [member_id, key, seal(address), channel, detail[:64], now]
                for key, channel, address in entries
            ],
        )

    async def has_open(self, campaign_id: int) -> bool:
        """Whether any delivery of the campaign still waits or is being sent."""
        connection = self._connection()
        sql = (
            "SELECT id FROM delivery WHERE campaign_id = ? "
            "AND status IN ('pending', 'sending') LIMIT 1"
        )
        _, rows = await connection.execute_query(dialect_sql(connection, sql), [campaign_id])
        return bool(rows)

    async def release_due(self, now: datetime) -> list[Chunk]:
        """The ranges of running campaigns' held deliveries that are due at `now` (quiet
        hours over, backoff passed), their holds cleared so the next sweep does not queue them
        again. Ranges, not rows: a night's hold of a million recipients is one range."""
        connection = self._connection()
        _, rows = await connection.execute_query(dialect_sql(connection, _DUE_RANGES), [now])
        if rows:
            await connection.execute_query(dialect_sql(connection, _CLEAR_DUE), [now])
        return [Chunk(row[0], row[1], row[2]) for row in rows]

    async def pending_ranges(self, now: datetime, campaign_id: int | None = None) -> list[Chunk]:
        """Per running campaign (or just this one), the range of its deliveries to send at
        `now`, those left mid-send by a dead worker included (whoever takes them settles them);
        not those held until later."""
        connection = self._connection()
        if campaign_id is None:
            sql, params = _PENDING_RUNNING, [now]
        else:
            sql, params = _PENDING_OF_ONE, [now, campaign_id]
        _, rows = await connection.execute_query(dialect_sql(connection, sql), params)
        return [Chunk(row[0], row[1], row[2]) for row in rows]

    async def counts(self, campaign_id: int) -> list[DeliveryCount]:
        """The campaign's deliveries counted by status, channel, error and fallback.

        Counted one window of ids at a time: embedded, the whole process shares one SQLite
        connection, and one count over a million deliveries (half a second) held every send
        and every STOP behind it; a window of the primary key takes a few hundredths. Each
        delivery is in one window, so the sum counts each once, as it was when its window was
        read."""
        connection = self._connection()
        sql = dialect_sql(connection, _ID_RANGE)
        _, [(first_id, last_id)] = await connection.execute_query(sql, [campaign_id])
        if first_id is None:  # nothing launched yet
            return []
        sums: dict[tuple[str, str | None, str | None, bool], int] = {}
        sql = dialect_sql(connection, _COUNTS_IN_WINDOW)
        for start in range(first_id, last_id + 1, self._count_window):
            params = [start, start + self._count_window - 1, campaign_id]
            _, rows = await connection.execute_query(sql, params)
            for status, channel, error_code, fell_back, count in rows:
                key = (status, channel, error_code, bool(fell_back))
                sums[key] = sums.get(key, 0) + count
        return [
            DeliveryCount(DeliveryStatus(status), channel, error_code, fell_back, count)
            for (status, channel, error_code, fell_back), count in sums.items()
        ]
