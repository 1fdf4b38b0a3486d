"""Webhook events already processed, so a platform's redelivery is handled once."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class InboundEvent(Model):
    """One event's platform id ("telegram:update:123", "line:01H...", "whatsapp:msg:wamid...")."""

    key = fields.CharField(max_length=160, primary_key=True)
    received_at = fields.DatetimeField()

    class Meta:
        table = "inbound_event"
        indexes = (("received_at",),)
