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
    # Stored zlib-compressed (a CSV shrinks to a quarter or less): the chat process hands the
    # import worker a quarter of the bytes, and the database keeps a quarter. `size` is the
    # file's own. Uploads from before compression have neither (they expire within a day).
    compressed = fields.BooleanField(default=False, db_default=False)
    # The content sealed (bot/crypto.py), after compression: the member's file is their
    # contacts' numbers and names. False: from before sealing, until the sealing step.
    sealed = fields.BooleanField(default=True, db_default=False)
    size = fields.IntField(null=True)
    # Data rows, when staging read the file through (delimited text): the import does not again.
    rows = fields.IntField(null=True)
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
    # rejected_csv sealed (bot/crypto.py): the rows are the member's contacts' numbers and
    # names. False: from before sealing, until the sealing step.
    sealed = fields.BooleanField(default=True, db_default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    finished_at = fields.DatetimeField(null=True)
    # What a job needs to be resumed by another process when the one running it dies: the
    # staged upload (kept until the import is done), the column mapping, and when the job last
    # showed life (each committed batch, in the batch's own transaction).
    upload_id = fields.UUIDField(null=True)
    mapping = fields.JSONField(null=True)  # column index -> Field value
    heartbeat_at = fields.DatetimeField(null=True)
    runs = fields.IntField(default=1, db_default=1)  # the first, and each resumption

    class Meta:
        table = "import_job"
