"""A campaign's per-recipient results as CSV, safe to open in a spreadsheet.

Deliveries are read in batches after the last id, so a campaign of a million recipients is
never in memory as model objects; only the CSV text itself is.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from bot.crypto import Sealer
from bot.services.lists.export import spreadsheet_safe
from bot.services.lists.sealed import opened_row
from models import Campaign, Delivery

COLUMNS = (
    "name",
    "phone",
    "telegram_id",
    "line_id",
    "whatsapp",
    "channel",
    "status",
    "error_code",
    "sent_at",
    "fell_back_from",
)
_FIELDS = (
    "id",
    "contact__first_name",
    "contact__last_name",
    "contact__phone",
    "contact__telegram_id",
    "contact__line_id",
    "contact__whatsapp",
    "channel",
    "status",
    "error_code",
    "sent_at",
    "fell_back_from",
)
BATCH = 5000


async def _rows(campaign: Campaign, sealer: Sealer) -> AsyncIterator[dict[str, Any]]:
    """The campaign's deliveries with their contact, in id order, a batch at a time."""
    last_id = 0
    while True:
        batch = (
            await Delivery.filter(campaign_id=campaign.id, id__gt=last_id)
            .order_by("id")
            .limit(BATCH)
            .values(*_FIELDS)
        )
        if not batch:
            return
        for row in batch:
            yield opened_row(row, sealer, prefix="contact__")
        last_id = batch[-1]["id"]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    return str(getattr(value, "value", value))


def _line(row: dict[str, Any]) -> list[str]:
    # A contact deleted since the campaign leaves its delivery without a name or address.
    name = " ".join(
        part for part in (row["contact__first_name"], row["contact__last_name"]) if part
    )
    values = (
        name,
        row["contact__phone"],
        row["contact__telegram_id"],
        row["contact__line_id"],
        row["contact__whatsapp"],
        row["channel"],
        row["status"],
        row["error_code"],
        row["sent_at"],
        row["fell_back_from"],
    )
    return [spreadsheet_safe(_text(value)) for value in values]


async def results_csv(campaign: Campaign, sealer: Sealer) -> bytes:
    """One row per recipient, UTF-8 with a BOM (spreadsheet programs detect the encoding);
    numbers and names opened for the member."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    async for row in _rows(campaign, sealer):
        writer.writerow(_line(row))
    return buffer.getvalue().encode("utf-8-sig")
