"""Files that must be refused with a reason: never a crash, never half a list."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from bot.services.imports.limits import MAX_CELL_CHARS, MAX_COLUMNS, MAX_FILE_BYTES
from bot.services.imports.readers import ImportProblem, UnreadableFile, open_table
from bot.services.uploads import MAX_UPLOAD_BYTES

FIXTURES = Path(__file__).parent / "fixtures"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00"


def _refusal(name: str, data: bytes) -> UnreadableFile:
    with pytest.raises(UnreadableFile) as caught:
        open_table(name, data)
    return caught.value


def test_the_file_limit_is_the_upload_limit() -> None:
    assert MAX_FILE_BYTES == MAX_UPLOAD_BYTES


@pytest.mark.parametrize("data", [b"", b"   \r\n\t\n", b"\xef\xbb\xbf", b"\n\n,,\n,,\n"])
def test_an_empty_file_is_empty(data: bytes) -> None:
    assert _refusal("list.csv", data).problem is ImportProblem.EMPTY


def test_a_header_alone_has_no_rows() -> None:
    assert _refusal("list.csv", b"Name,Phone\r\n").problem is ImportProblem.NO_ROWS


def test_a_png_named_csv_is_binary() -> None:
    error = _refusal("list.csv", PNG + bytes(range(256)) * 4)
    assert error.problem is ImportProblem.BINARY
    assert error.detail is not None


def test_control_characters_without_nul_are_binary() -> None:
    data = bytes(range(1, 32)) * 200 + b"a,b\n"
    assert _refusal("list.txt", data).problem is ImportProblem.BINARY


def test_a_nul_far_into_a_text_file_is_binary() -> None:
    data = b"name,phone\n" + b"Ann,612345678\n" * 30_000 + b"\x00\x01\x02"
    assert _refusal("list.csv", data).problem is ImportProblem.BINARY


def test_an_unterminated_quote_is_a_truncated_file_not_one_giant_cell() -> None:
    error = _refusal("truncated.csv", (FIXTURES / "truncated.csv").read_bytes())
    assert error.problem is ImportProblem.TRUNCATED
    assert error.row == 3


def test_an_unterminated_quote_far_down_is_caught_when_opening() -> None:
    data = b"name,phone\n" + b"Ann,612345678\n" * 50_000 + b'"Bob,698765432\n'
    error = _refusal("list.csv", data)
    assert (error.problem, error.row) == (ImportProblem.TRUNCATED, 50_002)


def test_a_hundred_thousand_columns_are_refused() -> None:
    data = b"a,b\n" + b",".join([b"x"] * 100_000) + b"\n"
    error = _refusal("wide.csv", data)
    assert error.problem is ImportProblem.TOO_MANY_COLUMNS
    assert error.row == 2


def test_one_column_more_than_the_limit_is_refused_and_the_limit_is_fine() -> None:
    assert open_table("ok.csv", b",".join([b"1"] * MAX_COLUMNS) + b"\n").count_rows() == 1
    error = _refusal("wide.csv", b",".join([b"1"] * (MAX_COLUMNS + 1)) + b"\n")
    assert error.problem is ImportProblem.TOO_MANY_COLUMNS


def test_a_ten_megabyte_line_is_refused() -> None:
    data = b"name,phone\n" + b"A" * (10 * 1024 * 1024)
    error = _refusal("long.csv", data)
    assert error.problem is ImportProblem.LINE_TOO_LONG
    assert error.row == 2


def test_a_ten_megabyte_line_of_delimiters_is_refused_before_parsing() -> None:
    error = _refusal("long.csv", b";" * (10 * 1024 * 1024))
    assert error.problem is ImportProblem.LINE_TOO_LONG


def test_a_cell_longer_than_the_limit_is_refused() -> None:
    data = b'name,note\nAnn,"' + b"x" * (MAX_CELL_CHARS + 1) + b'"\n'
    assert _refusal("list.csv", data).problem is ImportProblem.CELL_TOO_LONG


def test_a_quoted_cell_past_the_csv_module_limit_is_a_long_cell() -> None:
    data = b'name,note\nAnn,"' + b"x\n" * 70_000 + b'"\n'
    assert _refusal("list.csv", data).problem is ImportProblem.CELL_TOO_LONG


def test_more_than_the_upload_limit_is_too_large() -> None:
    assert _refusal("big.csv", b"a" * (MAX_FILE_BYTES + 1)).problem is ImportProblem.TOO_LARGE


def test_bytes_no_code_page_defines_are_an_encoding_problem() -> None:
    # 0x98 is undefined in cp1251, 0x81 in cp1252 (and others), 0xFF in the Asian pages.
    data = b"name,phone\n" + bytes([0x98, 0x81, 0xFF, 0x20]) * 3 + b",1\n"
    assert _refusal("list.csv", data).problem is ImportProblem.ENCODING


def test_an_xlsx_that_is_not_a_zip_is_corrupt() -> None:
    assert _refusal("list.xlsx", b"name,phone\n").problem is ImportProblem.CORRUPT


def test_a_legacy_xls_is_unsupported() -> None:
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512
    assert _refusal("list.xls", data).problem is ImportProblem.UNSUPPORTED


def test_an_opendocument_spreadsheet_is_unsupported() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    assert _refusal("list.xlsx", buffer.getvalue()).problem is ImportProblem.UNSUPPORTED


def test_a_vcf_that_is_not_a_vcard_is_unsupported() -> None:
    assert _refusal("contacts.vcf", b"name,phone\nAnn,1\n").problem is ImportProblem.UNSUPPORTED


def test_a_vcard_left_open_is_truncated() -> None:
    data = (FIXTURES / "contacts_v3.vcf").read_bytes()
    cut = data[: data.rindex(b"END:VCARD")]
    error = _refusal("contacts.vcf", cut)
    assert (error.problem, error.row) == (ImportProblem.TRUNCATED, 3)


def test_a_vcard_file_without_cards_has_no_rows() -> None:
    data = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    assert _refusal("x.vcf", b"BEGIN:VCARD " + data).problem is ImportProblem.NO_ROWS


def test_details_never_quote_the_file() -> None:
    error = _refusal("list.csv", b'name,phone\n"Secret Person,612345678\n')
    assert "Secret" not in str(error)
    assert "612345678" not in str(error)


@pytest.mark.parametrize(
    "data",
    [
        b"\xef\xbb\xbfname,phone\n\x90Ana,612345678\n",  # a UTF-8 BOM over another encoding
        "name\tphone\r\nAna\t612345678\r\n".encode("utf-16") + b"\x00",  # cut at an odd byte
        "name\tphone\r\nAna\t612345678\r\n".encode("utf-16-le")[:-1],  # the same without BOM
    ],
    ids=["utf8-bom", "utf16-bom-odd", "utf16-odd"],
)
def test_text_that_breaks_its_own_byte_order_mark_is_an_encoding_problem(data: bytes) -> None:
    # These raised UnicodeDecodeError out of open_table (found by the property tests).
    assert _refusal("list.csv", data).problem is ImportProblem.ENCODING
