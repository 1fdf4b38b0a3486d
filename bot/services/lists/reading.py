"""The reading half of an import: file rows to checked batches, ready for the database.

Pure and synchronous, and picklable from end to end: the same code runs in the importing process
for small files and in the import worker process (bot/import_worker.py) for large ones, which
sends the batches over a pipe. A batch carries what the report needs (rows read, repeats,
rejected rows with their reasons) and the contacts as plain tuples in the insert's column order,
so the process that writes them does no per-row Python work beyond the driver's own.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from json.encoder import encode_basestring
from typing import Any

from bot.crypto import Sealer
from bot.import_worker import ReadJob
from bot.services.imports.mapping import Field
from bot.services.imports.phones import PhoneNormalizer
from bot.services.imports.table import Row
from bot.services.lists.rows import ContactRow, RowProblem, RowReader

# phone_hash, phone (sealed), telegram_id, line_id, whatsapp_hash, whatsapp (sealed),
# first_name (sealed), last_name (sealed), language, timezone, attributes (JSON), tags (JSON):
# the contact table's columns that vary by row. Sealed here, in the reading process (the import
# worker's core for large files), so the writing process only writes.
ContactValues = tuple[
    str | None, str | None, int | None, str | None, str | None, str | None, str | None,
    str | None, str | None, str | None, str, str,
]  # fmt: skip
# (row number in the file, why it was refused, its cells as they were)
RejectedRow = tuple[int, RowProblem, list[str]]


@dataclass(slots=True)
class ReadBatch:
    """One batch of rows read: the importer writes it in one transaction."""

    rows_read: int = 0
    # Rows naming a contact that an earlier row of the same batch named: merged, not stored.
    repeats: int = 0
    contacts: list[ContactValues] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)

    def as_tuple(self) -> tuple[Any, ...]:
        """The batch as plain values (marshal's), for the pipe from the import worker."""
        rejected = [(number, problem.value, cells) for number, problem, cells in self.rejected]
        return self.rows_read, self.repeats, self.contacts, rejected

    @classmethod
    def from_tuple(cls, values: tuple[Any, ...]) -> ReadBatch:
        """The batch as_tuple() gave."""
        rows_read, repeats, contacts, rejected = values
        problems = [(number, RowProblem(problem), cells) for number, problem, cells in rejected]
        return cls(rows_read, repeats, contacts, problems)


def contact_key(values: ContactValues) -> str:
    """What a contact is unique by, for a row's values: its phone's keyed hash, else its
    Telegram id, else its LINE id (as bulk.py's SQL spells it)."""
    phone_hash, telegram_id, line_id = values[0], values[2], values[3]
    if phone_hash:
        return phone_hash
    if telegram_id is not None:
        return f"telegram:{telegram_id}"
    return f"line:{line_id}"


class BatchReader:
    """Reads a table's rows in batches of `size` through a RowReader."""

    def __init__(self, reader: RowReader, sealer: Sealer, *, size: int) -> None:
        self._reader = reader
        self._sealer = sealer
        self._size = size

    @classmethod
    def for_job(cls, job: ReadJob, columns: list[str], sealer: Sealer) -> BatchReader:
        """The reader an import job asks for, for a table with these columns."""
        mapping = {index: Field(value) for index, value in job.mapping.items()}
        normalizer = PhoneNormalizer(job.region)
        reader = RowReader(mapping, columns, normalizer, home=(job.region, job.timezone))
        return cls(reader, sealer, size=job.batch_rows)

    def batches(self, rows: Iterator[Row]) -> Iterator[ReadBatch]:
        """Every row of `rows`, checked, `size` rows to a batch.

        Row by row, never a chunk of rows first: a row's cells are garbage as soon as it is
        read, and what a batch keeps is compact. (Reading 20,000 rows into a list and then
        checking them cost half as much time again, in cache misses over scattered objects.)
        """
        batch, seen = ReadBatch(), set[str]()
        for number, cells in rows:
            batch.rows_read += 1
            result = self._reader.read(cells)
            if isinstance(result, RowProblem):
                batch.rejected.append((number, result, cells))
            elif (key := result.key) in seen:
                batch.repeats += 1  # the same person twice in one batch is one contact
            else:
                # A repeat from an earlier batch is found in the database when it is stored,
                # and counts as merged there: no set of every key read, memory stays flat.
                seen.add(key)
                batch.contacts.append(self._values(result))
            if batch.rows_read == self._size:
                yield batch
                batch, seen = ReadBatch(), set()
        if batch.rows_read:
            yield batch

    def _values(self, row: ContactRow) -> ContactValues:
        seal, lookup = self._sealer.seal, self._sealer.lookup
        phone, phone_hash = seal(row.phone), lookup(row.phone)
        if row.whatsapp == row.phone:  # most rows: one sealing for both, no second hash
            whatsapp, whatsapp_hash = phone, None  # (see Contact.whatsapp_hash)
        else:
            whatsapp, whatsapp_hash = seal(row.whatsapp), lookup(row.whatsapp)
        return (
            phone_hash,
            phone,
            row.telegram_id,
            row.line_id,
            whatsapp_hash,
            whatsapp,
            seal(row.first_name),
            seal(row.last_name),
            row.language,
            row.timezone,
            _json_object(row.attributes),
            _json_array(row.tags),
        )


# json.dumps(value, ensure_ascii=False), character for character, for the only shapes rows
# hold (strings in a dict or a list) at a third of its cost: dumps sets up an encoder per call,
# which was 8% of reading a row. encode_basestring is the function dumps itself quotes with.
def _json_object(mapping: dict[str, str]) -> str:
    if not mapping:
        return "{}"
    return (
        "{"
        + ", ".join([f"{encode_basestring(k)}: {encode_basestring(v)}" for k, v in mapping.items()])
        + "}"
    )


def _json_array(items: list[str]) -> str:
    if not items:
        return "[]"  # most rows: no tags column
    return "[" + ", ".join([encode_basestring(item) for item in items]) + "]"
