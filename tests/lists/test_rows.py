"""One row to one contact: which timezone a contact gets."""

from __future__ import annotations

import pytest

from bot.services.imports.mapping import Field
from bot.services.imports.phones import PhoneNormalizer
from bot.services.lists.rows import ContactRow, RowProblem, RowReader

HOME = ("ES", "Europe/Madrid")


def _read(mapping: dict[int, Field], cells: list[str]) -> ContactRow | RowProblem:
    columns = [field.value for field in mapping.values()]
    return RowReader(mapping, columns, PhoneNormalizer("ES"), home=HOME).read(cells)


@pytest.mark.parametrize(
    ("cells", "zone"),
    [
        (["+34 911 234 567", ""], "Europe/Madrid"),  # a Madrid landline: its area's zone
        (["+34 612 345 678", ""], "Europe/Madrid"),  # a mobile: the member's, same country
        (["+44 7911 123456", ""], "Europe/London"),
        (["+7 912 345 67 89", ""], None),  # a Russian mobile: eleven zones, none guessed
        (["+34 911 234 567", "Asia/Tokyo"], "Asia/Tokyo"),  # the file's own zone wins
        (["+34 911 234 567", "nowhere"], "Europe/Madrid"),  # unless it names none
    ],
)
def test_the_file_s_timezone_wins_over_the_number_s(cells: list[str], zone: str | None) -> None:
    for mapping, row in (
        ({0: Field.PHONE, 1: Field.TIMEZONE}, cells),
        ({0: Field.TIMEZONE, 1: Field.PHONE}, cells[::-1]),  # whichever column comes first
    ):
        contact = _read(mapping, row)
        assert isinstance(contact, ContactRow)
        assert contact.timezone == zone, mapping


def test_a_row_is_refused_at_its_first_bad_cell() -> None:
    mapping = {0: Field.PHONE, 1: Field.TELEGRAM_ID, 2: Field.IGNORE}
    assert _read(mapping, ["n/a", "12", "x"]) is RowProblem.INVALID_PHONE
    assert _read(mapping, ["", "twelve", "x"]) is RowProblem.INVALID_TELEGRAM_ID
    assert _read(mapping, ["", "", "x"]) is RowProblem.NO_ADDRESS
