"""What the operator keeps: screening rules, the audit log, appeals and announcements."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from models.member import Member


class RuleKind(StrEnum):
    """How a screening rule's value is matched against a campaign's text."""

    PHRASE = "phrase"  # a known spam phrase (any locale, or the rule's own)
    CREDENTIALS = "credentials"  # words asking for passwords, codes, card numbers
    SHORTENER = "shortener"  # a URL shortener's host name
    BRAND = "brand"  # a brand whose lookalike domains are phishing (value: brand.domain)
    CAPITALS = "capitals"  # the largest share of capital letters allowed (value: 0.6)
    SYMBOLS = "symbols"  # the largest share of symbols allowed (value: 0.3)


class ScreeningRule(Model):
    """One screening rule: data the operator edits in chat, not code."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharEnumField(RuleKind, max_length=16)
    value = fields.CharField(max_length=256)
    locale = fields.CharField(max_length=8, null=True)  # None: whatever the text's language
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField()
    created_by = fields.CharField(max_length=80, null=True)  # None: a built-in default

    class Meta:
        table = "screening_rule"


class AuditEntry(Model):
    """An operator's access to a member's data or action on their account: who, what, when,
    why. Append-only: written once and never changed or removed (see services/audit.py).

    `member_id` is a plain number, not a foreign key: the record outlives the account.
    """

    id = fields.BigIntField(primary_key=True)
    at = fields.DatetimeField()
    operator = fields.CharField(max_length=80)  # platform:user id of the operator's chat
    member_id = fields.IntField()
    action = fields.CharField(max_length=32)
    subject = fields.CharField(max_length=64, null=True)  # e.g. list:12, campaign:40
    reason = fields.TextField()

    class Meta:
        table = "audit_entry"
        indexes = (("member_id", "at"),)


class Appeal(Model):
    """A suspended member's request for a personal review, and the operator's answer."""

    id = fields.IntField(primary_key=True)
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="appeals", on_delete=fields.CASCADE
    )
    text = fields.TextField()
    created_at = fields.DatetimeField()
    answered_at = fields.DatetimeField(null=True)
    answered_by = fields.CharField(max_length=80, null=True)
    answer = fields.TextField(null=True)

    class Meta:
        table = "appeal"


class NoticeKind(StrEnum):
    """What an announcement is, which decides who may decline it."""

    SERVICE = "service"  # reaches every member
    BREACH = "breach"  # a security incident: every member, each delivery time kept
    PROMOTIONAL = "promotional"  # only members who take promotions


class Announcement(Model):
    """A message from the operator to the members."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharEnumField(NoticeKind, max_length=16)
    text = fields.TextField()
    created_at = fields.DatetimeField()
    created_by = fields.CharField(max_length=80)
    finished_at = fields.DatetimeField(null=True)  # every addressee was tried

    class Meta:
        table = "announcement"


class NoticeDelivery(Model):
    """One member's copy of an announcement and when it reached them (None: not yet, or none
    of their chats took it). `member_id` is a plain number: the record of a breach notice
    outlives the account."""

    id = fields.BigIntField(primary_key=True)
    announcement: fields.ForeignKeyRelation[Announcement] = fields.ForeignKeyField(
        "models.Announcement", related_name="deliveries", on_delete=fields.CASCADE
    )
    member_id = fields.IntField()
    # When a process took the row to send it: a row is sent once, by whoever claimed it (see
    # services/announcements.py); None: nobody has tried yet.
    tried_at = fields.DatetimeField(null=True)
    delivered_at = fields.DatetimeField(null=True)
    chats = fields.SmallIntField(default=0)  # how many of the member's chats took it

    class Meta:
        table = "notice_delivery"
        unique_together = (("announcement", "member_id"),)
        indexes = (("member_id",),)
