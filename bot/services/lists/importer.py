"""Importing a file into a list, batch by batch, with a report.

The source (sources.py) reads the whole file first, so a file that breaks half-way (truncated,
undecodable) is refused before anything is written; then it gives checked batches, each
written in one transaction, so one import never holds the database for its whole length and
memory stays flat.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from bot.crypto import Sealer
from bot.services.clock import Clock
from bot.services.lists.bulk import Consent, has_suppressions, store_contacts
from bot.services.lists.export import spreadsheet_safe
from bot.services.lists.reading import ContactValues, ReadBatch, contact_key
from bot.services.lists.rows import RowProblem
from bot.services.lists.sources import RowSource
from models import ConsentSource, ContactList, ImportJob, ImportStatus, Member
from models.suppression import suppressed_keys

Progress = Callable[[ImportJob], Awaitable[None]]
# Keys asked about in one suppression lookup: under every driver's parameter limit.
_SUPPRESSION_CHUNK = 10_000


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


class Importer:
    """Runs one import job."""

    def __init__(
        self, *, clock: Clock, sealer: Sealer, hasher: Callable[[str], str] | None = None
    ) -> None:
        """`hasher` finds the opt-outs a member inherited as keyed hashes (see
        Member.inherited_opt_outs); `sealer` seals the rejected rows, which quote the file."""
        self._clock = clock
        self._sealer = sealer
        self._hasher = hasher

    async def run(
        self,
        job: ImportJob,
        source: RowSource,
        *,
        progress: Progress,
        describe: Callable[[RowProblem], str],
    ) -> ImportJob:
        """Import every row `source` reads into the job's list; the job holds the report.

        A job resumed after its process died (rows_read > 0) has its first batches committed
        already, with their counts: those are read again only for their rejected rows, which
        the rejected-rows file lists.
        """
        # UnreadableFile surfaces here, before anything is written.
        job.rows_total = await source.open()
        job.heartbeat_at = self._clock()
        await job.save(update_fields=["rows_total", "heartbeat_at"])
        member = await Member.get(id=job.member_id)  # type: ignore[attr-defined]
        contact_list = await ContactList.get(id=job.contact_list_id)  # type: ignore[attr-defined]
        rejected = _Rejected.start(source.columns, describe)
        committed, read = job.rows_read, 0
        async for batch in source.batches():
            for number, problem, cells in batch.rejected:
                rejected.add(number, problem, cells)
            read += batch.rows_read
            # A batch up to `committed` was written before the interruption (batches are the
            # same each read).
            if read > committed:
                async with in_transaction() as connection:
                    self._count(job, batch)
                    await self._store(connection, job, member, contact_list, batch.contacts)
                    job.heartbeat_at = self._clock()
                    # With the batch: a resumed job knows exactly which rows are in.
                    await job.save(using_db=connection)
                await progress(job)
            # Let go before the next batch is received: the loop variable would hold this one
            # (tens of MB on a large import) while the next one is read and unpacked.
            del batch
        if job.invalid:
            content = rejected.buffer.getvalue().encode("utf-8-sig")
            job.rejected_csv = self._sealer.seal_bytes(content)
        job.status = ImportStatus.DONE
        job.finished_at = self._clock()
        await job.save()
        return job

    @staticmethod
    def _count(job: ImportJob, batch: ReadBatch) -> None:
        job.rows_read += batch.rows_read
        job.invalid += len(batch.rejected)
        job.merged += batch.repeats  # the same person twice in one batch is one contact

    async def _store(
        self,
        connection: BaseDBAsyncClient,
        job: ImportJob,
        member: Member,
        contact_list: ContactList,
        contacts: Sequence[ContactValues],
    ) -> None:
        suppressed = await self._suppressed(connection, member, contacts, self._hasher)
        if suppressed:
            contacts = [row for row in contacts if contact_key(row) not in suppressed]
            job.suppressed += len(suppressed)
        consent = Consent(
            member_id=member.id,
            source=ConsentSource.FILE_IMPORT.value,
            by=f"member:{member.id}",
            at=self._clock(),
        )
        created = await store_contacts(
            connection, contacts, list_id=contact_list.id, consent=consent
        )
        # The others were contacts already (from an earlier batch, import or opt-in), or
        # clashed with one on a second key (a phone row whose Telegram id another has).
        job.created += created
        job.merged += len(contacts) - created

    @staticmethod
    async def _suppressed(
        connection: BaseDBAsyncClient,
        member: Member,
        contacts: Sequence[ContactValues],
        hasher: Callable[[str], str] | None,
    ) -> set[str]:
        """Keys of rows whose phone or channel id has opted out of this member (or of all)."""
        if not await has_suppressions(connection, member_id=member.id):
            return set()
        by_lookup: dict[str, str] = {}
        for row in contacts:
            # A phone's suppression key is its keyed hash (see suppression_key).
            phone_hash, telegram_id, line_id = row[0], row[2], row[3]
            key = contact_key(row)
            if phone_hash:
                by_lookup[phone_hash] = key
            if telegram_id is not None:
                by_lookup[f"telegram:{telegram_id}"] = key
            if line_id:
                by_lookup[f"line:{line_id}"] = key
        lookups = list(by_lookup)
        hits: set[str] = set()
        for start in range(0, len(lookups), _SUPPRESSION_CHUNK):
            chunk = lookups[start : start + _SUPPRESSION_CHUNK]
            hits |= await suppressed_keys(
                connection,
                member_id=member.id,
                keys=chunk,
                hashed=hasher if member.inherited_opt_outs else None,
            )
        return {by_lookup[hit] for hit in hits}
