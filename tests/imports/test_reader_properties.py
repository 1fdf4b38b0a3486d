"""Whatever bytes come, the readers give a table of strings or UnreadableFile: never another
exception, and every refusal has its own translated answer."""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.i18n import I18n, Translator
from bot.services.imports.readers import ImportProblem, UnreadableFile, open_table
from handlers.import_texts import unreadable_text
from tests.imports.mutations import ANY_NAME, broken_text_files, broken_workbooks, workbook

# The readers sniff encodings and unzip: a few ms an example. deadline=None because the first
# example of a run also imports openpyxl.
_PROPERTIES = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@cache
def _translators() -> tuple[Translator, Translator]:
    i18n = I18n()
    return i18n.translator("en"), i18n.translator("es")


def _read_through(name: str, data: bytes) -> ImportProblem | None:
    """Open and read every row as an import would; the problem if the file is refused.
    Any exception other than UnreadableFile fails the test."""
    try:
        table = open_table(name, data)
        assert all(isinstance(cell, str) for row in table.preview() for cell in row)
        counted = table.count_rows()
        rows = list(table.rows())
    except UnreadableFile as refusal:
        return refusal.problem
    assert len(rows) == counted
    assert all(isinstance(cell, str) for _, cells in rows for cell in cells)
    assert [number for number, _ in rows] == sorted({number for number, _ in rows})
    return None


def _assert_explained(problem: ImportProblem | None) -> None:
    if problem is None:
        return
    assert isinstance(problem, ImportProblem)
    english, spanish = _translators()
    said = unreadable_text(english, "x.csv", problem)
    assert "x.csv" in said or problem is ImportProblem.UNSUPPORTED
    assert unreadable_text(spanish, "x.csv", problem) != said, f"{problem} is not translated"


@_PROPERTIES
@given(name=ANY_NAME, data=st.binary(max_size=4096))
def test_arbitrary_bytes_are_a_table_or_a_clear_refusal(name: str, data: bytes) -> None:
    _assert_explained(_read_through(name, data))


@_PROPERTIES
@given(file=broken_text_files())
def test_broken_csv_and_vcard_files_are_a_table_or_a_clear_refusal(
    file: tuple[str, bytes],
) -> None:
    _assert_explained(_read_through(*file))


# openpyxl warns about parts it skips (a broken relationship, an unknown extension) and goes
# on: in production a warning is a line on stderr, not an exception, so it is one here too.
@pytest.mark.filterwarnings("ignore::UserWarning:openpyxl.*")
@_PROPERTIES
@given(data=broken_workbooks(), name=st.sampled_from(["list.xlsx", "list.csv"]))
def test_broken_workbooks_are_a_table_or_a_clear_refusal(data: bytes, name: str) -> None:
    _assert_explained(_read_through(name, data))


def test_the_unbroken_workbook_reads() -> None:
    # The mutations start from a readable file, or they would test one refusal only.
    assert _read_through("list.xlsx", workbook()) is None
