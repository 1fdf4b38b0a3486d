"""Members (the businesses running campaigns) and the chat accounts they talk to us from."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class Platform(StrEnum):
    """The chat platforms a member can talk to Broadside from."""

    TELEGRAM = "telegram"
    LINE = "line"


class MemberStatus(StrEnum):
    """Where a member is in their life cycle: only ACTIVE members may use the service."""

    ONBOARDING = "onboarding"
    ACTIVE = "active"
    # Deleted by the member: nothing sends, everything stays restorable for a while, then a
    # scheduled job purges it (services/privacy/accounts.py).
    DELETED = "deleted"
    # Stopped by the operator: nothing sends until the operator lifts it; the member is told
    # why and may ask for a personal review (/appeal).
    SUSPENDED = "suspended"


# Docstrings become table comments, and Tortoise's SQLite schema editor splits its DDL on
# semicolons: keep them out of model docstrings.


class Member(Model):
    """A business using Broadside. One member may chat from several linked accounts."""

    id = fields.IntField(primary_key=True)
    status = fields.CharEnumField(MemberStatus, default=MemberStatus.ONBOARDING, max_length=16)
    locale = fields.CharField(max_length=8, default="en")
    timezone = fields.CharField(max_length=64, default="UTC")
    # How recipients see who messages them (opt-in greetings, HELP answers).
    display_name = fields.CharField(max_length=128, null=True)
    # The member's own reply keywords beside the defaults: {"stop"|"start"|"help": [words]}.
    keywords: dict[str, list[str]] | None = fields.JSONField(null=True)  # type: ignore[assignment]
    terms_version = fields.CharField(max_length=32, null=True)
    terms_accepted_at = fields.DatetimeField(null=True)
    # The newest terms version the member was told about in chat (a change is announced once).
    terms_announced = fields.CharField(max_length=32, null=True)
    deleted_at = fields.DatetimeField(null=True)  # when the member deleted the account
    # Registered from a chat account of a purged member that had opt-outs: those are kept as
    # keyed hashes and checked too (services/privacy/accounts.py).
    inherited_opt_outs = fields.BooleanField(default=False, db_default=False)
    suspended_at = fields.DatetimeField(null=True)
    suspended_reason = fields.TextField(null=True)  # the operator's words, shown to the member
    # Whether the member takes the operator's promotional notices (service and breach
    # notices reach everyone, whatever this says).
    promotions = fields.BooleanField(default=True, db_default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    accounts: fields.ReverseRelation[ChatAccount]

    class Meta:
        table = "member"


class ChatAccount(Model):
    """One identity on one chat platform (a Telegram user id, a LINE user id)."""

    id = fields.IntField(primary_key=True)
    platform = fields.CharEnumField(Platform, max_length=16)
    external_id = fields.CharField(max_length=64)
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="accounts", on_delete=fields.CASCADE
    )
    display_name = fields.CharField(max_length=128, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "chat_account"
        unique_together = (("platform", "external_id"),)


class LinkCode(Model):
    """A one-time code that joins a chat account on another platform to a member."""

    code = fields.CharField(max_length=16, primary_key=True)
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="link_codes", on_delete=fields.CASCADE
    )
    platform = fields.CharEnumField(Platform, max_length=16)
    expires_at = fields.DatetimeField()

    class Meta:
        table = "link_code"
