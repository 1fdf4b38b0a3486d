"""What recipients write back that is not a keyword: kept for the member to read."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.contact import Contact
from models.member import Member


class InboundReply(Model):
    """One message a recipient sent, addressed to the member whose campaign reached them."""

    id = fields.IntField(primary_key=True)
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="replies", on_delete=fields.CASCADE
    )
    contact: fields.ForeignKeyNullableRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", related_name="replies", on_delete=fields.SET_NULL, null=True
    )
    channel = fields.CharField(max_length=16)
    address = fields.TextField()  # chat id, LINE user id or E.164: sealed (bot/crypto.py)
    text = fields.TextField()
    received_at = fields.DatetimeField()

    class Meta:
        table = "inbound_reply"
        indexes = (("member_id", "received_at"),)
