"""Rows to batches: what a batch holds, and its JSON exactly as json.dumps writes it."""

from __future__ import annotations

import json

from bot.crypto import Sealer
from bot.services.imports.mapping import Field
from bot.services.imports.phones import PhoneNormalizer
from bot.services.lists.reading import BatchReader, ReadBatch
from bot.services.lists.rows import RowProblem, RowReader

MAPPING = {0: Field.PHONE, 1: Field.ATTRIBUTE, 2: Field.TAGS, 3: Field.EMAIL}
COLUMNS = ["phone", 'Note "1"', "tags", "email"]
SEALER = Sealer.from_master(b"the tests' data key")


def _batches(rows: list[list[str]], size: int) -> list[ReadBatch]:
    reader = RowReader(MAPPING, COLUMNS, PhoneNormalizer("ES"), home=("ES", "Europe/Madrid"))
    numbered = iter([(number, cells) for number, cells in enumerate(rows, start=2)])
    return list(BatchReader(reader, SEALER, size=size).batches(numbered))


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


def test_numbers_and_names_leave_the_reader_sealed_with_the_numbers_hash() -> None:
    reader = RowReader(
        {0: Field.PHONE, 1: Field.FIRST_NAME, 2: Field.WHATSAPP},
        ["phone", "name", "whatsapp"],
        PhoneNormalizer("ES"),
    )
    rows = iter([(2, ["612 345 678", "Ana", ""]), (3, ["622 333 444", "Luis", "633 111 222"])])
    ana, luis = next(BatchReader(reader, SEALER, size=10).batches(rows)).contacts
    assert "+34612345678" not in repr(ana)
    assert "Ana" not in repr(ana)
    assert (ana[0], SEALER.open(ana[1]), SEALER.open(ana[6])) == (
        SEALER.lookup("+34612345678"),
        "+34612345678",
        "Ana",
    )
    # The WhatsApp number is the phone: the same sealed value, no hash of its own.
    assert (ana[4], ana[5]) == (None, ana[1])
    assert (luis[4], SEALER.open(luis[5])) == (SEALER.lookup("+34633111222"), "+34633111222")


def test_attributes_and_tags_are_the_json_dumps_writes() -> None:
    note = 'Ünïcödé "quoted" back\\slash\ttab \u2028 日本'
    (batch,) = _batches([["612 345 678", note, "vip; 'a'|b\"", "ana@example.com"]], size=10)
    (values,) = batch.contacts
    attributes = {"note_1": note, "email": "ana@example.com"}
    assert values[10] == json.dumps(attributes, ensure_ascii=False)
    assert values[11] == json.dumps(["vip", "'a'", 'b"'], ensure_ascii=False)
    (empty,) = _batches([["612 345 678", "", "", ""]], size=10)[0].contacts
    assert (empty[10], empty[11]) == ("{}", "[]")
