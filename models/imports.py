"""Uploaded files waiting for their import, and the import jobs with their reports."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from models.contact import ContactList
from models.member import Member


class Upload(Model):
    """A file a member sent, kept until it is imported or expires (a day)."""

    id = fields.UUIDField(primary_key=True)
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="uploads", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=128)
    content = fields.BinaryField()
    created_at = fields.DatetimeField()  # from the service's clock, which tests move

    class Meta:
        table = "upload"


class ImportStatus(StrEnum):
    """Where an import job is."""

    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ImportJob(Model):
    """One import of an upload into a list, with the counts of its report."""

    id = fields.IntField(primary_key=True)
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="imports", on_delete=fields.CASCADE
    )
    contact_list: fields.ForeignKeyRelation[ContactList] = fields.ForeignKeyField(
        "models.ContactList", related_name="imports", on_delete=fields.CASCADE
    )
    file_name = fields.CharField(max_length=128)
    status = fields.CharEnumField(ImportStatus, max_length=16, default=ImportStatus.RUNNING)
    rows_total = fields.IntField(null=True)  # known after the first pass over the file
    rows_read = fields.IntField(default=0)
    created = fields.IntField(default=0)
    merged = fields.IntField(default=0)
    suppressed = fields.IntField(default=0)
    invalid = fields.IntField(default=0)
    problem = fields.CharField(max_length=32, null=True)  # why a whole file was refused
    rejected_csv = fields.BinaryField(null=True)  # the invalid rows with their reasons
    created_at = fields.DatetimeField(auto_now_add=True)
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "import_job"
