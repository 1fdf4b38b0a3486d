"""Files offered to a member by link, where the chat platform cannot carry a file (LINE)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Download(Model):
    """A file behind an unguessable link, until it expires."""

    token = fields.CharField(max_length=64, primary_key=True)
    name = fields.CharField(max_length=128)
    content = fields.BinaryField()
    # The content sealed (bot/crypto.py): exports hold contacts' numbers and names. False:
    # from before sealing, until the sealing step.
    sealed = fields.BooleanField(default=True, db_default=False)
    expires_at = fields.DatetimeField()

    class Meta:
        table = "download"
