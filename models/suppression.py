"""Who must never be messaged: per member, or for every member (operator-wide)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import StrEnum

from tortoise import fields
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model

from bot.sql import dialect_sql, marks
from models.member import Member


class SuppressionSource(StrEnum):
    """What put someone on the suppression list."""

    KEYWORD = "keyword"  # they replied STOP (or a translation)
    PLATFORM_SIGNAL = "platform_signal"  # blocked the bot, unfollowed, WhatsApp opt-out
    MEMBER = "member"  # the member removed them
    OPERATOR = "operator"  # the operator's do-not-contact list
    # Kept as a keyed hash from a purged account of the same chat account (key "#<hash>").
    PURGED_ACCOUNT = "purged_account"


def suppression_key(channel: str, value: str) -> str:
    """The lookup key of a channel id: "telegram:123" or "line:U...".

    A number's key is its keyed hash (Sealer.lookup: 32 hex digits, no prefix, the same for
    the phone, SMS-like and WhatsApp channels, which share numbers), as contacts hold it: the
    table never holds a number in the clear.
    """
    return value if channel == "phone" else f"{channel}:{value}"


class Suppression(Model):
    """One opted-out number or channel id. Kept after contacts and lists are deleted."""

    id = fields.IntField(primary_key=True)
    member: fields.ForeignKeyNullableRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="suppressions", on_delete=fields.CASCADE, null=True
    )  # None: the operator-wide do-not-contact list
    key = fields.CharField(max_length=80)
    # The address sealed (bot/crypto.py), for the member's own export of their list: a
    # number's key is a hash, which the member could not read. None for older entries.
    address = fields.TextField(null=True)
    channel = fields.CharField(max_length=16)
    source = fields.CharEnumField(SuppressionSource, max_length=16)
    detail = fields.CharField(max_length=64, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "suppression"
        unique_together = (("member", "key"),)


class ServiceSecret(Model):
    """A secret the installation made for itself (see services/privacy/hashing.py)."""

    name = fields.CharField(max_length=32, primary_key=True)
    value = fields.CharField(max_length=128)

    class Meta:
        table = "service_secret"


class ForgottenOptOut(Model):
    """An opt-out of a purged member, kept as keyed hashes only: of the address, and of each
    chat account the member wrote from. Should the same business come back from one of those
    accounts with the same people, their opt-outs hold again."""

    id = fields.IntField(primary_key=True)
    account_hash = fields.CharField(max_length=64, db_index=True)
    key_hash = fields.CharField(max_length=64)
    created_at = fields.DatetimeField()

    class Meta:
        table = "forgotten_opt_out"
        unique_together = (("account_hash", "key_hash"),)


HASHED = "#"  # the key of an opt-out kept only as a keyed hash: "#" + the hash of its key


async def suppressed_keys(
    connection: BaseDBAsyncClient,
    *,
    member_id: int,
    keys: Sequence[str],
    hashed: Callable[[str], str] | None = None,
) -> set[str]:
    """Which of `keys` are on this member's suppression list or the operator-wide one.

    Plain SQL, one statement per batch: imports and the dispatcher ask it for thousands of
    keys at a time, just before writing or sending. `hashed` (the keyed hash) also finds
    the opt-outs a member inherited as hashes; only those members need it.
    """
    if not keys:
        return set()
    lookups = {key: key for key in keys}
    if hashed is not None:
        lookups.update({HASHED + hashed(key): key for key in keys})
    sql = (
        "SELECT key FROM suppression "  # noqa: S608 - placeholders only
        f"WHERE (member_id = ? OR member_id IS NULL) AND key IN ({marks(len(lookups))})"
    )
    params = [member_id, *lookups]
    _, rows = await connection.execute_query(dialect_sql(connection, sql), params)
    return {lookups[row[0]] for row in rows}
