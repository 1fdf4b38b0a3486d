"""Distribution lists and the contacts on them: the member's data, never shared."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from models.member import Member


class ConsentSource(StrEnum):
    """How a contact came to be on a member's lists."""

    FILE_IMPORT = "file_import"
    OPT_IN_LINK = "opt_in_link"
    CONTACT_SHARE = "contact_share"


class ContactList(Model):
    """A named distribution list. A deleted list stays restorable until it is purged."""

    id = fields.IntField(primary_key=True)
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="lists", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=128)
    tags: list[str] = fields.JSONField(default=list)  # type: ignore[assignment]
    opt_in_token = fields.CharField(max_length=32, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    deleted_at = fields.DatetimeField(null=True)

    class Meta:
        table = "contact_list"
        indexes = (("member_id", "deleted_at"),)


class Contact(Model):
    """One person a member may message. Unique per member by phone or by channel id."""

    id = fields.IntField(primary_key=True)
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="contacts", on_delete=fields.CASCADE
    )
    # The person's phone number, WhatsApp number and names are sealed (bot/crypto.py: AES-GCM
    # under a key from configuration), so a copy of the database reveals none of them; the
    # numbers are found and kept unique by their keyed hashes (HMAC: equal numbers, equal
    # hashes, and nothing to read back).
    # The sealed phone has a column of its own: the plaintext one, `phone`, is in a table-level
    # UNIQUE that SQLite can only drop by rebuilding the table (which cascades: see
    # models/migrations/_operations.py). It stays, NULL in every row once sealed.
    phone = fields.TextField(null=True, source_field="sealed_phone")  # sealed E.164
    phone_hash = fields.CharField(max_length=32, null=True)
    telegram_id = fields.BigIntField(null=True)
    line_id = fields.CharField(max_length=64, null=True)
    whatsapp = fields.TextField(null=True)  # sealed E.164, the phone unless told otherwise
    # The WhatsApp number's hash where it is not the phone (the phone's hash covers the rest,
    # most contacts). Not indexed, as `whatsapp` was not: a WhatsApp reply's sender is found
    # across members, which the (member, phone_hash) index does not serve either, and an index
    # costs every imported row an insert.
    whatsapp_hash = fields.CharField(max_length=32, null=True)
    first_name = fields.TextField(null=True)  # sealed
    last_name = fields.TextField(null=True)  # sealed
    # 1: the four columns above are sealed; 0: rows written before sealing, in plaintext until
    # the sealing step (bot/sealing.py) rewrites them at the next start or `migrate`.
    key_version = fields.SmallIntField(default=1, db_default=0)
    language = fields.CharField(max_length=8, null=True)
    timezone = fields.CharField(max_length=64, null=True)
    attributes: dict[str, str] = fields.JSONField(default=dict)  # type: ignore[assignment]
    tags: list[str] = fields.JSONField(default=list)  # type: ignore[assignment]
    # Channels that said they can never reach this person (blocked the bot, not on WhatsApp),
    # comma-separated: campaigns skip them. Only a new opt-in clears it.
    unreachable = fields.CharField(max_length=64, null=True)
    consent_source = fields.CharEnumField(ConsentSource, max_length=16)
    consent_at = fields.DatetimeField()
    consent_by = fields.CharField(max_length=64)  # "member:<id>" or "self"
    created_at = fields.DatetimeField(auto_now_add=True)
    deleted_at = fields.DatetimeField(null=True)

    class Meta:
        table = "contact"
        unique_together = (
            ("member", "phone_hash"),
            ("member", "telegram_id"),
            ("member", "line_id"),
        )
        # A member's contacts in id order, which a launch reads a batch at a time: without it
        # SQLite took a unique index above and sorted all of the member's contacts per batch.
        indexes = (("member_id", "id"),)


class ListMembership(Model):
    """A contact on a list. The same person on several lists is one contact."""

    id = fields.IntField(primary_key=True)
    contact_list: fields.ForeignKeyRelation[ContactList] = fields.ForeignKeyField(
        "models.ContactList", related_name="memberships", on_delete=fields.CASCADE
    )
    contact: fields.ForeignKeyRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", related_name="memberships", on_delete=fields.CASCADE
    )
    added_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "list_membership"
        unique_together = (("contact_list", "contact"),)
