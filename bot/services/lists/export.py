"""Exporting a list: CSV or XLSX with every field, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator

from bot.crypto import Sealer
from bot.services.lists.sealed import opened
from models import Contact, ContactList

# A cell starting with one of these is run as a formula by spreadsheet programs (CSV
# injection); a leading apostrophe makes it plain text there and is visible everywhere else.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FIXED_COLUMNS = (
    "phone",
    "first_name",
    "last_name",
    "telegram_id",
    "line_id",
    "whatsapp",
    "language",
    "timezone",
    "tags",
    "consent_source",
    "consent_at",
    "created_at",
)
_BATCH = 5000


def spreadsheet_safe(value: str) -> str:
    """The value with formula-like starts neutralised."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


async def _contacts(
    contact_list: ContactList, sealer: Sealer | None = None
) -> AsyncIterator[Contact]:
    """The list's live contacts in id order, fetched in batches after the last id; opened
    for the member (numbers and names readable) when given the sealer."""
    last_id = 0
    while True:
        batch = (
            await Contact.filter(
                memberships__contact_list_id=contact_list.id, deleted_at=None, id__gt=last_id
            )
            .order_by("id")
            .limit(_BATCH)
        )
        if not batch:
            return
        for contact in batch:
            yield opened(contact, sealer) if sealer is not None else contact
        last_id = batch[-1].id


async def _attribute_keys(contact_list: ContactList) -> list[str]:
    keys: dict[str, None] = {}
    async for contact in _contacts(contact_list):
        keys.update(dict.fromkeys(contact.attributes))
    return list(keys)


def _row(contact: Contact, attribute_keys: list[str]) -> list[str]:
    values = [
        contact.phone,
        contact.first_name,
        contact.last_name,
        contact.telegram_id,
        contact.line_id,
        contact.whatsapp,
        contact.language,
        contact.timezone,
        ", ".join(contact.tags),
        contact.consent_source.value,
        contact.consent_at.isoformat(),
        contact.created_at.isoformat(),
        *(contact.attributes.get(key) for key in attribute_keys),
    ]
    return [spreadsheet_safe("" if value is None else str(value)) for value in values]


async def export_csv(contact_list: ContactList, sealer: Sealer) -> bytes:
    """The list as UTF-8 CSV (with a BOM, so spreadsheet programs detect the encoding)."""
    keys = await _attribute_keys(contact_list)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*FIXED_COLUMNS, *keys])
    async for contact in _contacts(contact_list, sealer):
        writer.writerow(_row(contact, keys))
    return buffer.getvalue().encode("utf-8-sig")


async def export_xlsx(contact_list: ContactList, sealer: Sealer) -> bytes:
    """The list as an Excel workbook, every cell as text."""
    # Imported here, when a workbook is asked for: openpyxl (and numpy, which it loads when
    # installed) adds 15 MB to a bot process, and every process that sends imports this module.
    from openpyxl import Workbook

    keys = await _attribute_keys(contact_list)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="contacts")
    sheet.append([*FIXED_COLUMNS, *keys])
    async for contact in _contacts(contact_list, sealer):
        sheet.append(_row(contact, keys))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


EXPORTERS = {"csv": export_csv, "xlsx": export_xlsx}
