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

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from bot.services.clock import Clock
from bot.services.imports.readers import Table
from bot.services.lists.bulk import (
    contact_ids_by,
    insert_contacts,
    insert_memberships,
    suppressed_keys,
)
from bot.services.lists.export import spreadsheet_safe
from bot.services.lists.rows import ContactRow, RowProblem, RowReader
from models import (
    ConsentSource,
    Contact,
    ContactList,
    ImportJob,
    ImportStatus,
    Member,
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
        for batch in _batches(table.rows()):
            valid: dict[str, ContactRow] = {}
            for number, cells in batch:
                job.rows_read += 1
                result = reader.read(cells)
                if isinstance(result, RowProblem):
                    job.invalid += 1
                    rejected.add(number, result, cells)
                elif result.key in valid:
                    job.merged += 1  # the same person twice in one file is one contact
                else:
                    # A repeat from an earlier batch is found in the database by _store, and
                    # counts as merged there: no set of every key read, memory stays flat.
                    valid[result.key] = result
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
        async with in_transaction() as connection:
            suppressed = await self._suppressed(connection, member, rows.values())
            for key in suppressed:
                rows.pop(key, None)
            job.suppressed += len(suppressed)
            existing = await self._existing(connection, member, rows.values())
            job.merged += len(existing)
            if existing:
                await Contact.filter(
                    id__in=list(existing.values()), deleted_at__not_isnull=True
                ).update(deleted_at=None)
            new = [row for key, row in rows.items() if key not in existing]
            now = self._clock()
            # A row can clash with a contact on a second key (a phone row whose Telegram id
            # another contact has): the insert skips it, and it counts as merged.
            await insert_contacts(
                connection,
                new,
                member_id=member.id,
                source=ConsentSource.FILE_IMPORT.value,
                consent_by=f"member:{member.id}",
                now=now,
            )
            inserted = await self._existing(connection, member, new)
            job.created += len(inserted)
            job.merged += len(new) - len(inserted)
            contact_ids = [*existing.values(), *inserted.values()]
            await insert_memberships(connection, contact_ids, list_id=contact_list.id, now=now)

    @staticmethod
    async def _suppressed(
        connection: BaseDBAsyncClient, member: Member, rows: Iterable[ContactRow]
    ) -> set[str]:
        """Keys of rows whose phone or channel id has opted out of this member (or of all)."""
        by_lookup: dict[str, str] = {}
        for row in rows:
            if row.phone:
                by_lookup[row.phone] = row.key
            if row.telegram_id is not None:
                by_lookup[f"telegram:{row.telegram_id}"] = row.key
            if row.line_id:
                by_lookup[f"line:{row.line_id}"] = row.key
        hits = await suppressed_keys(connection, member_id=member.id, keys=list(by_lookup))
        return {by_lookup[hit] for hit in hits}

    @staticmethod
    async def _existing(
        connection: BaseDBAsyncClient, member: Member, rows: Iterable[ContactRow]
    ) -> dict[str, int]:
        """Contact ids of the member's contacts these rows name, by row key."""
        rows = list(rows)
        phones = [row.phone for row in rows if row.phone]
        telegram = [row.telegram_id for row in rows if not row.phone and row.telegram_id]
        line = [row.line_id for row in rows if not row.phone and row.telegram_id is None]
        found = await contact_ids_by(connection, member_id=member.id, column="phone", values=phones)
        for column, values in (("telegram_id", telegram), ("line_id", line)):
            prefix = column.removesuffix("_id")
            ids = await contact_ids_by(
                connection, member_id=member.id, column=column, values=values
            )
            found.update({f"{prefix}:{value}": cid for value, cid in ids.items()})
        return found
