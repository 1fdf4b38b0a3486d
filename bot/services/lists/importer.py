"""Importing a parsed file into a list, in batches, with a report.

The file is read twice: first straight through, so a file that breaks half-way (truncated,
undecodable) is refused before anything is written; then row by row into the database in
batches, so one import never holds the database for its whole length and memory stays flat.
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from bot.services.clock import Clock
from bot.services.imports.readers import Table
from bot.services.lists.export import spreadsheet_safe
from bot.services.lists.rows import ContactRow, RowProblem, RowReader
from models import (
    ConsentSource,
    Contact,
    ContactList,
    ImportJob,
    ImportStatus,
    ListMembership,
    Member,
    Suppression,
)

BATCH_SIZE = 2000
Progress = Callable[[ImportJob], Awaitable[None]]


@dataclass(slots=True)
class _Rejected:
    """The rejected rows as CSV: row number, reason, then the row as it was."""

    buffer: io.StringIO
    writer: Any
    describe: Callable[[RowProblem], str]

    @classmethod
    def start(cls, columns: list[str], describe: Callable[[RowProblem], str]) -> _Rejected:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["row", "reason", *columns])
        return cls(buffer, writer, describe)

    def add(self, number: int, problem: RowProblem, cells: list[str]) -> None:
        # Cells go back as they came, neutralised so a spreadsheet never runs them as formulas.
        self.writer.writerow([number, self.describe(problem), *map(spreadsheet_safe, cells)])


def _batches(rows: Iterator[tuple[int, list[str]]]) -> Iterator[list[tuple[int, list[str]]]]:
    while batch := list(islice(rows, BATCH_SIZE)):
        yield batch


class Importer:
    """Runs one import job."""

    def __init__(self, *, clock: Clock) -> None:
        self._clock = clock

    async def run(
        self,
        job: ImportJob,
        table: Table,
        reader: RowReader,
        *,
        progress: Progress,
        describe: Callable[[RowProblem], str],
    ) -> ImportJob:
        """Import every row of `table` into the job's list; the job holds the report."""
        # The first pass, in a thread (it is pure CPU): UnreadableFile surfaces here, before
        # anything is written.
        job.rows_total = await asyncio.to_thread(table.count_rows)
        await job.save(update_fields=["rows_total"])
        member = await Member.get(id=job.member_id)  # type: ignore[attr-defined]
        contact_list = await ContactList.get(id=job.contact_list_id)  # type: ignore[attr-defined]
        rejected = _Rejected.start(table.columns, describe)
        seen: set[str] = set()
        for batch in _batches(table.rows()):
            valid: dict[str, ContactRow] = {}
            for number, cells in batch:
                job.rows_read += 1
                result = reader.read(cells)
                if isinstance(result, RowProblem):
                    job.invalid += 1
                    rejected.add(number, result, cells)
                elif result.key in seen or result.key in valid:
                    job.merged += 1  # the same person twice in one file is one contact
                else:
                    valid[result.key] = result
            seen.update(valid)
            await self._store(job, member, contact_list, valid)
            await job.save()
            await progress(job)
        if job.invalid:
            job.rejected_csv = rejected.buffer.getvalue().encode("utf-8-sig")
        job.status = ImportStatus.DONE
        job.finished_at = self._clock()
        await job.save()
        return job

    async def _store(
        self, job: ImportJob, member: Member, contact_list: ContactList, rows: dict[str, ContactRow]
    ) -> None:
        suppressed = await self._suppressed(member, rows.values())
        for key in suppressed:
            rows.pop(key, None)
        job.suppressed += len(suppressed)
        async with in_transaction():
            existing = await self._existing(member, rows.values())
            job.merged += len(existing)
            if existing:
                await Contact.filter(
                    id__in=list(existing.values()), deleted_at__not_isnull=True
                ).update(deleted_at=None)
            new = [row for key, row in rows.items() if key not in existing]
            now = self._clock()
            # A row can clash with a contact on a second key (a phone row whose Telegram id
            # another contact has): ignore_conflicts keeps the batch, and it counts as merged.
            await Contact.bulk_create(
                [self._contact(member, row, now) for row in new],
                batch_size=BATCH_SIZE,
                ignore_conflicts=True,
            )
            inserted = await self._existing(member, new)
            job.created += len(inserted)
            job.merged += len(new) - len(inserted)
            ids = {**existing, **inserted}
            await ListMembership.bulk_create(
                [ListMembership(contact_list=contact_list, contact_id=cid) for cid in ids.values()],
                batch_size=BATCH_SIZE,
                ignore_conflicts=True,
            )

    @staticmethod
    def _contact(member: Member, row: ContactRow, now: object) -> Contact:
        return Contact(
            member=member,
            phone=row.phone,
            telegram_id=row.telegram_id,
            line_id=row.line_id,
            whatsapp=row.whatsapp,
            first_name=row.first_name,
            last_name=row.last_name,
            language=row.language,
            timezone=row.timezone,
            attributes=row.attributes,
            tags=row.tags,
            consent_source=ConsentSource.FILE_IMPORT,
            consent_at=now,
            consent_by=f"member:{member.id}",
        )

    @staticmethod
    async def _suppressed(member: Member, rows: Iterable[ContactRow]) -> set[str]:
        """Keys of rows whose phone or channel id has opted out of this member (or of all)."""
        by_lookup: dict[str, str] = {}
        for row in rows:
            for lookup in filter(
                None,
                (
                    row.phone,
                    row.telegram_id is not None and f"telegram:{row.telegram_id}",
                    row.line_id and f"line:{row.line_id}",
                ),
            ):
                by_lookup[lookup] = row.key
        if not by_lookup:
            return set()
        hits = await Suppression.filter(
            Q(member=member) | Q(member=None), key__in=list(by_lookup)
        ).values_list("key", flat=True)
        return {by_lookup[hit] for hit in hits}

    @staticmethod
    async def _existing(member: Member, rows: Iterable[ContactRow]) -> dict[str, int]:
        """Contact ids of the member's contacts these rows name, by row key."""
        rows = list(rows)
        phones = [row.phone for row in rows if row.phone]
        telegram = [row.telegram_id for row in rows if not row.phone and row.telegram_id]
        line = [row.line_id for row in rows if not row.phone and row.telegram_id is None]
        found: dict[str, int] = {}
        if phones:
            for cid, phone in await Contact.filter(member=member, phone__in=phones).values_list(
                "id", "phone"
            ):
                found[phone] = cid
        if telegram:
            for cid, tid in await Contact.filter(
                member=member, telegram_id__in=telegram
            ).values_list("id", "telegram_id"):
                found[f"telegram:{tid}"] = cid
        if line:
            for cid, lid in await Contact.filter(member=member, line_id__in=line).values_list(
                "id", "line_id"
            ):
                found[f"line:{lid}"] = cid
        return found
