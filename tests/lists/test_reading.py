"""Rows to batches: what a batch holds, and its JSON exactly as json.dumps writes it."""

from __future__ import annotations

import json

from bot.services.imports.mapping import Field
from bot.services.imports.phones import PhoneNormalizer
from bot.services.lists.reading import BatchReader, ReadBatch
from bot.services.lists.rows import RowProblem, RowReader

MAPPING = {0: Field.PHONE, 1: Field.ATTRIBUTE, 2: Field.TAGS, 3: Field.EMAIL}
COLUMNS = ["phone", 'Note "1"', "tags", "email"]


def _batches(rows: list[list[str]], size: int) -> list[ReadBatch]:
    reader = RowReader(MAPPING, COLUMNS, PhoneNormalizer("ES"), home=("ES", "Europe/Madrid"))
    numbered = iter([(number, cells) for number, cells in enumerate(rows, start=2)])
    return list(BatchReader(reader, size=size).batches(numbered))


def test_batches_count_repeats_and_keep_rejected_rows() -> None:
    rows = [
        ["612 345 678", "", "", ""],
        ["nope", "", "", ""],
        ["+34 612 345 678", "", "", ""],  # row 2 again, in the same batch
        ["622 333 444", "", "", ""],
        ["612345678", "", "", ""],  # in the next batch: the database will merge it
    ]
    first, second = _batches(rows, size=4)
    assert (first.rows_read, first.repeats, len(first.contacts)) == (4, 1, 2)
    assert first.rejected == [(3, RowProblem.INVALID_PHONE, ["nope", "", "", ""])]
    assert (second.rows_read, second.repeats, len(second.contacts)) == (1, 0, 1)


def test_attributes_and_tags_are_the_json_dumps_writes() -> None:
    note = 'Ünïcödé "quoted" back\\slash\ttab \u2028 日本'
    (batch,) = _batches([["612 345 678", note, "vip; 'a'|b\"", "ana@example.com"]], size=10)
    (values,) = batch.contacts
    attributes = {"note_1": note, "email": "ana@example.com"}
    assert values[8] == json.dumps(attributes, ensure_ascii=False)
    assert values[9] == json.dumps(["vip", "'a'", 'b"'], ensure_ascii=False)
    (empty,) = _batches([["612 345 678", "", "", ""]], size=10)[0].contacts
    assert (empty[8], empty[9]) == ("{}", "[]")
