"""Usage records: one per message a platform answered, itemised for billing."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class UsageRecord(Model):
    """What one send cost: when, from which account, to whom, how many units, how it went.

    Never the message text. `member_id` and `campaign_id` are plain numbers, not foreign
    keys: billing law keeps these records for years, after the account and its campaigns
    are purged (the retention job removes them when their own time is up).
    """

    id = fields.BigIntField(primary_key=True)
    member_id = fields.IntField()
    campaign_id = fields.IntField(null=True)
    delivery_id = fields.BigIntField(null=True)
    sent_at = fields.DatetimeField()
    channel = fields.CharField(max_length=16)
    account = fields.CharField(max_length=64)  # the originating bot, LINE channel, WA number id
    # E.164, or the channel's user id: sealed (bot/crypto.py), opened for the statement.
    recipient = fields.TextField()
    units = fields.SmallIntField()  # message units as the platform bills them
    status = fields.CharField(max_length=16)  # sent, failed, ambiguous

    class Meta:
        table = "usage_record"
        # A member's month for statements; the time alone for the retention purge.
        indexes = (("member_id", "sent_at"), ("sent_at",))
