"""A campaign's audience: who is on its lists, which channel reaches each, who opted out.

The launch snapshots it into one delivery row per recipient, a batch of contacts at a time
in contact id order, so the whole audience is never in memory and a launch cut short
resumes after the last contact it wrote.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise import connections

from bot.dispatch.recipients import CONTACT_COLUMNS, Recipient, recipient_from_row
from bot.dispatch.store import EVERYWHERE, opted_out
from bot.sql import dialect_sql, marks
from models import NO_CHANNEL, OPTED_OUT, Campaign, Channel, DeliveryStatus

BATCH = 5000

_ID_OF = "SELECT id FROM delivery WHERE campaign_id = ? AND contact_id = ?"
_INSERT = (
    "INSERT INTO delivery (campaign_id, contact_id, channel, status, attempts, error_code, "
    "created_at, updated_at) VALUES (?, ?, ?, ?, 0, ?, ?, ?) ON CONFLICT DO NOTHING"
)


@dataclass(slots=True)
class Estimate:
    """What a launch would do now: recipients per channel, and who would be skipped."""

    per_channel: Counter[str]
    opted_out: int
    unreachable: int

    @property
    def total(self) -> int:
        """Recipients a message would go to."""
        return sum(self.per_channel.values())


def choose(
    recipient: Recipient, channels: list[Channel], enabled: Collection[Channel]
) -> Channel | None:
    """The first channel in the member's order that is on and reaches this person."""
    for channel in channels:
        if channel in enabled and recipient.address(channel) is not None:
            return channel
    return None


def _route(
    recipient: Recipient,
    scopes: dict[int, frozenset[str]],
    channels: list[Channel],
    enabled: Collection[Channel],
) -> tuple[Channel | None, str | None]:
    """The channel a launch gives this person, or why none: opted out, or no channel."""
    scope = scopes.get(recipient.contact_id, frozenset())
    if EVERYWHERE in scope:
        return None, OPTED_OUT
    channel = choose(recipient, channels, [c for c in enabled if c.value not in scope])
    if channel is not None:
        return channel, None
    # Nothing left: because they left the channels that would reach them, or none ever did.
    return None, OPTED_OUT if choose(recipient, channels, enabled) else NO_CHANNEL


def _tags(value: Any) -> list[str]:
    return value if isinstance(value, list) else json.loads(value or "[]")


async def _batches(
    campaign: Campaign, *, after: int = 0
) -> AsyncIterator[tuple[list[Recipient], dict[int, frozenset[str]]]]:
    """The audience in contact id order, a batch at a time, with what each opted out of
    (see DeliveryStore.opted_out)."""
    connection = connections.get("default")
    lists = [int(list_id) for list_id in campaign.list_ids]
    if not lists:
        return
    sql = (
        f"SELECT {CONTACT_COLUMNS}, c.tags FROM contact c "  # noqa: S608
        "WHERE c.member_id = ? AND c.deleted_at IS NULL AND c.id > ? AND EXISTS ("
        "SELECT 1 FROM list_membership m JOIN contact_list l ON l.id = m.contact_list_id "
        f"WHERE m.contact_id = c.id AND l.deleted_at IS NULL AND l.id IN ({marks(len(lists))})"
        ") ORDER BY c.id LIMIT ?"
    )
    while True:
        params = [campaign.member_id, after, *lists, BATCH]
        _, rows = await connection.execute_query(dialect_sql(connection, sql), params)
        if not rows:
            return
        after = rows[-1][0]
        recipients = []
        for row in rows:
            values = tuple(row)
            if campaign.tag is None or campaign.tag in _tags(values[-1]):
                # Left sealed: routing asks only which addresses exist (see recipient_from_row).
                recipients.append(recipient_from_row(values, None))
        yield recipients, await opted_out(connection, campaign.member_id, recipients)


async def estimate(campaign: Campaign, *, enabled: Collection[Channel]) -> Estimate:
    """Count the audience as a launch now would split it."""
    channels = [Channel(name) for name in campaign.channels]
    result = Estimate(Counter(), 0, 0)
    async for recipients, scopes in _batches(campaign):
        for recipient in recipients:
            channel, skipped = _route(recipient, scopes, channels, enabled)
            if skipped == OPTED_OUT:
                result.opted_out += 1
            elif channel is None:
                result.unreachable += 1
            else:
                result.per_channel[channel.value] += 1
    return result


async def snapshot(
    campaign: Campaign,
    *,
    enabled: Collection[Channel],
    now: datetime,
    on_batch: Callable[[int, int], Awaitable[bool]],
) -> None:
    """Write the campaign's delivery rows (resuming after the last contact written), calling
    `on_batch(first_id, last_id)` with each batch's delivery ids so sending starts at once;
    it answers False to stop (the campaign was cancelled)."""
    connection = connections.get("default")
    channels = [Channel(name) for name in campaign.channels]
    _, rows = await connection.execute_query(
        dialect_sql(
            connection, "SELECT MAX(contact_id), MAX(id) FROM delivery WHERE campaign_id = ?"
        ),
        [campaign.id],
    )
    last_contact, last_id = (rows[0][0] or 0, rows[0][1] or 0) if rows else (0, 0)
    async for recipients, scopes in _batches(campaign, after=last_contact):
        values = []
        for recipient in recipients:
            channel, error = _route(recipient, scopes, channels, enabled)
            status = DeliveryStatus.SKIPPED if error else DeliveryStatus.PENDING
            values.append(
                [
                    campaign.id,
                    recipient.contact_id,
                    channel.value if channel else None,
                    status.value,
                    error,
                    now,
                    now,
                ]
            )
        if not values:
            continue
        await connection.execute_many(dialect_sql(connection, _INSERT), values)
        # Rows go in contact order, so the batch's last contact has its highest delivery id:
        # one lookup on the (campaign, contact) unique index, where MAX(id) over the campaign
        # would read every row written so far (minutes at a million).
        _, rows = await connection.execute_query(
            dialect_sql(connection, _ID_OF), [campaign.id, recipients[-1].contact_id]
        )
        batch_last = max(rows[0][0], last_id) if rows else last_id
        if batch_last <= last_id:
            continue
        if not await on_batch(last_id + 1, batch_last):
            return
        last_id = batch_last
