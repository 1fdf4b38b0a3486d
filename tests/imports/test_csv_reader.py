"""Delimited text files: encodings, delimiters, headers, quoting and row numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.services.imports.readers import open_table
from bot.services.imports.table import TableFormat
from bot.services.imports.text import detect_encoding

FIXTURES = Path(__file__).parent / "fixtures"


def _open(name: str):
    return open_table(name, (FIXTURES / name).read_bytes())


def test_excel_spanish_csv_is_semicolons_in_windows_1252() -> None:
    table = _open("semicolon_cp1252.csv")
    assert table.format == TableFormat.CSV == "csv"
    assert table.has_header
    assert table.columns == ["Nombre", "Apellidos", "Teléfono móvil", "Ciudad", "Notas"]
    assert table.preview(2) == [
        ["José", "García Ñúñez", "612 34 56 78", "Sevilla", "cliente desde 2019"],
        ["Íñigo", "Muñoz", "+34 698 765 432", "Bilbao", ""],
    ]
    rows = list(table.rows())
    assert [number for number, _ in rows] == [2, 3, 4]
    assert rows[2][1][4] == 'pidió; "factura"'


def test_excel_unicode_text_is_utf16_with_tabs() -> None:
    table = _open("unicode_text_utf16.txt")
    assert table.columns == ["Имя", "Фамилия", "Телефон", "Город"]
    assert list(table.rows()) == [
        (2, ["Иван", "Петров", "8 (912) 345-67-89", "Москва"]),
        (3, ["Ольга", "Смирнова", "+7 912 765-43-21", "Казань"]),
    ]


def test_utf8_bom_does_not_stick_to_the_first_header() -> None:
    table = _open("utf8_bom.csv")
    assert table.columns == ["名前", "電話番号", "メール"]
    assert table.count_rows() == 2


def test_a_file_without_header_gets_numbered_columns_and_keeps_its_first_row() -> None:
    table = _open("no_header.csv")
    assert not table.has_header
    assert table.columns == ["Column 1", "Column 2", "Column 3"]
    assert next(table.rows()) == (1, ["0812345678", "สมชาย", "vip"])
    assert list(table.rows())[2] == (3, ["02 123 4567", "ร้านค้า", "vip,wholesale"])


def test_the_member_can_say_the_first_row_is_data() -> None:
    data = (FIXTURES / "semicolon_cp1252.csv").read_bytes()
    table = open_table("list.csv", data, has_header=False)
    assert table.columns == [f"Column {n}" for n in range(1, 6)]
    assert next(table.rows())[0] == 1


def test_quoted_fields_keep_delimiters_quotes_and_newlines() -> None:
    table = _open("quoted_multiline.csv")
    rows = list(table.rows())
    assert rows[0] == (2, ["Doe, John", "+1 201 555 0123", "12 Main St\nApt 4"])
    # A multi-line record is one row, as in a spreadsheet; the blank line is counted.
    assert rows[1] == (4, ['O"Brien, Pat', "(201) 555-0124", 'Line 1, "quoted"\nLine 2\nLine 3'])
    assert rows[2] == (5, ["Ann", "201-555-0125", ""])
    assert table.count_rows() == 3


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("name,phone\nAnn,612345678\nBob,698765432\n", ","),
        ("name;phone\nAnn;612345678\nBob;698765432\n", ";"),
        ("name\tphone\nAnn\t612345678\nBob\t698765432\n", "\t"),
        ("name|phone\nAnn|612345678\nBob|698765432\n", "|"),
        # Commas inside quotes do not make a comma file of a semicolon one.
        ('"Doe, John";612345678\n"Roe, Jane";698765432\n', ";"),
        # Nor does ", " inside unquoted names when tabs split the columns.
        ("Doe, John\t612345678\tSevilla\nRoe, Jane\t698765432\tBilbao\n", "\t"),
        # Decimal commas in a semicolon file.
        ("nombre;saldo;tel\nAna;10,50;612345678\nLuis;3,20;698765432\n", ";"),
    ],
)
def test_the_delimiter_is_sniffed_with_quotes_in_mind(text: str, delimiter: str) -> None:
    table = open_table("list.csv", text.encode())
    first = next(table.rows())[1]
    assert len(first) == len(text.splitlines()[-1].split(delimiter))
    assert "612345678" in first or "698765432" in first or "10,50" in first


def test_a_single_column_of_numbers_is_one_column() -> None:
    table = open_table("list.txt", b"+34 612 345 678\n698765432\n(91) 123-45-67\n")
    assert table.columns == ["Column 1"]
    assert [cells for _, cells in table.rows()] == [
        ["+34 612 345 678"],
        ["698765432"],
        ["(91) 123-45-67"],
    ]


def test_blank_rows_are_skipped_but_counted() -> None:
    table = open_table("list.csv", b"\n\nname,phone\n\nAnn,612345678\n,\n\nBob,698765432")
    assert list(table.rows()) == [(5, ["Ann", "612345678"]), (8, ["Bob", "698765432"])]


def test_rows_stream_again_from_the_start_and_can_be_closed_early() -> None:
    table = _open("semicolon_cp1252.csv")
    rows = table.rows()
    assert next(rows)[0] == 2
    rows.close()
    assert [number for number, _ in table.rows()] == [2, 3, 4]


def test_preview_returns_copies() -> None:
    table = _open("utf8_bom.csv")
    table.preview()[0][0] = "changed"
    assert table.preview(1) == [["山田 太郎", "090-1234-5678", "taro@example.jp"]]
    assert table.preview(0) == []


def test_rows_longer_than_the_header_get_extra_column_names() -> None:
    table = open_table("list.csv", b"name,phone\nAnn,612345678,extra\n")
    assert table.columns == ["name", "phone", "Column 3"]


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Ñuño;Pérez;+34 698 765 432\n", "cp1252"),
        ("Müller;Straße;+49 151 2345678\nCafé;Zoë;\n", "cp1252"),
        ("Иван;Петров;+7 912 345 67 89\nОльга;Смирнова;89123456789\n", "cp1251"),
        ("山田;太郎;090-1234-5678\n鈴木;花子;080-1234-5678\n", "cp932"),
        ("สมชาย;ใจดี;0812345678\n", "cp874"),
        ("Łukasz;Wójcik;+48 512 345 678\n", "cp1250"),
        ("Ελένη;+30 691 234 5678\n", "cp1253"),
    ],
)
def test_excel_code_pages_are_told_apart(text: str, encoding: str) -> None:
    assert detect_encoding(text.encode(encoding)) == encoding


def test_utf16_without_bom_is_recognised() -> None:
    data = "name\tphone\nAnn\t612345678\n".encode("utf-16-le")
    assert list(open_table("list.txt", data).rows()) == [(2, ["Ann", "612345678"])]


def test_accents_far_down_a_long_ascii_file_decide_the_encoding() -> None:
    lines = [f"Name{n},6123{n:05d}" for n in range(5000)] + ["Nuñez,612399999"]
    data = "\n".join(["name,phone", *lines]).encode("cp1252")
    rows = list(open_table("list.csv", data).rows())
    assert rows[-1] == (5002, ["Nuñez", "612399999"])


def test_classic_mac_line_ends_are_lines_not_an_exception() -> None:
    # Excel's "CSV (Macintosh)" ends lines with a lone CR; the delimiter sniffer raised
    # csv.Error on it (found by the property tests).
    table = open_table("mac.csv", b"name,phone\rAna,612345678\rLuis,698765432\r")
    assert table.columns == ["name", "phone"]
    assert list(table.rows()) == [(2, ["Ana", "612345678"]), (3, ["Luis", "698765432"])]
