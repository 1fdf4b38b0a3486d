"""/mydata: everything Broadside holds about a member, as one ZIP of CSV and JSON files.

The tables are dumped whole, every column the model has, so a field added to a model is in
the export without anyone remembering to add it here; only the tables are listed, each with
the path from its rows to the member. Pictures and uploaded files go in as the files they
are. Rows are read a page at a time and written straight into the compressed archive.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from tortoise import fields
from tortoise.models import Model

from bot.crypto import Sealer
from bot.services.clock import Clock
from bot.services.lists.export import spreadsheet_safe
from models import (
    Appeal,
    AuditEntry,
    Campaign,
    CampaignImage,
    ChatAccount,
    Contact,
    ContactList,
    Delivery,
    ImportJob,
    InboundReply,
    ListMembership,
    Member,
    NoticeDelivery,
    Suppression,
    Upload,
    UsageRecord,
)
from models.sealed import SEALED_COLUMNS

PAGE = 5000


@dataclass(frozen=True, slots=True)
class Table:
    """One kind of record: its file in the archive, its model, and how its rows reach the
    member (a filter on the member's id)."""

    file: str
    model: type[Model]
    owner: str


TABLES = (
    Table("chat_accounts.csv", ChatAccount, "member_id"),
    Table("lists.csv", ContactList, "member_id"),
    Table("contacts.csv", Contact, "member_id"),
    Table("list_memberships.csv", ListMembership, "contact__member_id"),
    Table("suppressions.csv", Suppression, "member_id"),
    Table("campaigns.csv", Campaign, "member_id"),
    Table("campaign_pictures.csv", CampaignImage, "member_id"),
    Table("deliveries.csv", Delivery, "campaign__member_id"),
    Table("replies.csv", InboundReply, "member_id"),
    Table("uploads.csv", Upload, "member_id"),
    Table("imports.csv", ImportJob, "member_id"),
    Table("usage.csv", UsageRecord, "member_id"),
    # Every time an operator opened the member's data or acted on the account, and why.
    Table("operator_access.csv", AuditEntry, "member_id"),
    Table("appeals.csv", Appeal, "member_id"),
    Table("notices.csv", NoticeDelivery, "member_id"),
)


class MemberExport:
    """Builds a member's archive."""

    def __init__(self, *, clock: Clock, sealer: Sealer) -> None:
        """`sealer` opens the sealed columns (models/sealed.py): the member gets their own
        contacts' numbers and names readable."""
        self._clock = clock
        self._sealer = sealer

    async def archive(self, member: Member) -> tuple[bytes, dict[str, int]]:
        """The ZIP and the row count of each file in it."""
        counts: dict[str, int] = {}
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("account.json", _json(_record(member, _columns(Member))))
            for table in TABLES:
                counts[table.file] = await _write_table(archive, table, member.id, self._sealer)
            await _write_files(archive, member.id, self._sealer)
            manifest = {
                "member_id": member.id,
                "generated_at": self._clock().isoformat(),
                "files": counts,
            }
            archive.writestr("manifest.json", _json(manifest))
        return buffer.getvalue(), counts


def _columns(model: type[Model]) -> list[str]:
    """Every stored column of the model in the order the model declares them, except raw
    bytes (those go in as files)."""
    meta = model._meta
    stored = meta.fields_db_projection  # field name -> column, for fields with a column
    return [
        name
        for name, field in meta.fields_map.items()
        if name in stored and not isinstance(field, fields.BinaryField)
    ]


async def _write_table(
    archive: zipfile.ZipFile, table: Table, member_id: int, sealer: Sealer
) -> int:
    columns = _columns(table.model)
    sealed = SEALED_COLUMNS.get(table.model.__name__, ())
    count = 0
    with (
        archive.open(table.file, "w") as raw,
        io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text,
    ):
        writer = csv.writer(text)
        writer.writerow(columns)
        async for rows in _pages(table, member_id, columns):
            for row in rows:
                for name in sealed:
                    row[name] = sealer.open(row[name])
            writer.writerows(
                [spreadsheet_safe(_cell(row[name])) for name in columns] for row in rows
            )
            count += len(rows)
    return count


async def _pages(
    table: Table, member_id: int, columns: list[str]
) -> AsyncIterator[list[dict[str, Any]]]:
    """The member's rows in primary-key order, a page at a time."""
    pk = table.model._meta.pk_attr
    query = table.model.filter(**{table.owner: member_id}).order_by(pk)
    after: Any = None
    while True:
        page_query = query if after is None else query.filter(**{f"{pk}__gt": after})
        rows = await page_query.limit(PAGE).values(*columns)
        if not rows:
            return
        yield rows
        after = rows[-1][pk]


async def _write_files(archive: zipfile.ZipFile, member_id: int, sealer: Sealer) -> None:
    """Campaign pictures and uploaded files that are still kept, as themselves."""
    for image_id in await CampaignImage.filter(member_id=member_id).values_list("id", flat=True):
        image = await CampaignImage.get(id=image_id)
        extension = "png" if image.mime_type == "image/png" else "jpg"
        archive.writestr(f"files/campaign_picture_{image.id}.{extension}", image.content)
    for upload_id in await Upload.filter(member_id=member_id).values_list("id", flat=True):
        upload = await Upload.get(id=upload_id)
        content = sealer.open_bytes(bytes(upload.content))
        content = zlib.decompress(content) if upload.compressed else content
        archive.writestr(f"files/upload_{upload.id}_{_safe_name(upload.name)}", content)


def _safe_name(name: str) -> str:
    """A file name that cannot climb out of its folder when the archive is unpacked."""
    cleaned = "".join(c if c.isalnum() or c in "-_." else "_" for c in name).strip(".")
    return cleaned[:100] or "file"


def _record(instance: Model, columns: list[str]) -> dict[str, Any]:
    return {name: _plain(getattr(instance, name)) for name in columns}


def _plain(value: Any) -> Any:
    """A value JSON can hold."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, UUID | Decimal):
        return str(value)
    return value


def _cell(value: Any) -> str:
    """A value as CSV text: structures as JSON, times in ISO 8601, nothing as empty."""
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=_plain)
