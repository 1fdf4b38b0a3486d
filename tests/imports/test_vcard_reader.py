"""vCard files as phones export them."""

from __future__ import annotations

from pathlib import Path

from bot.services.imports.readers import open_table
from bot.services.imports.table import TableFormat
from bot.services.imports.vcard_reader import VCARD_COLUMNS

FIXTURES = Path(__file__).parent / "fixtures"


def _rows(name: str) -> list[dict[str, str]]:
    table = open_table(name, (FIXTURES / name).read_bytes())
    assert table.format == TableFormat.VCARD
    assert table.columns == list(VCARD_COLUMNS)
    return [dict(zip(table.columns, cells, strict=True)) for _, cells in table.rows()]


def test_vcard_3_with_folding_quoted_printable_and_several_numbers() -> None:
    jose, jane, cafe = _rows("contacts_v3.vcf")
    assert jose == {
        "first_name": "José",
        "last_name": "García",
        "full_name": "José García López",  # a quoted-printable soft line break, joined
        "phone": "+34 612 345 678",  # the CELL number, not the first one
        "phones": "91 123 45 67;+34 612 345 678;91 765 43 21",
        "email": "jose@example.com",
        "organization": "Panadería García",
        "note": "Prefers WhatsApp, evenings.\nSecond line of a note that is long enough to be "
        "folded by the phone",
    }
    # Groups (item2.TEL) are understood; the photo's folded base64 is skipped.
    assert (jane["first_name"], jane["last_name"], jane["full_name"]) == (
        "Jane",
        "Doe",
        "Dr. Jane Q. Doe",
    )
    assert jane["phone"] == "+1 201 555 0143"
    assert (cafe["first_name"], cafe["last_name"], cafe["phone"]) == (
        "Cafe Pedro",
        "",
        "0812345678",
    )


def test_vcard_4_with_tel_uris_and_pref() -> None:
    simon, oleg = _rows("contacts_v4.vcf")
    # The cell number beats the preferred work one; tel: is dropped.
    assert simon["phone"] == "+1-418-262-6501"
    assert simon["phones"] == "+1-418-656-9254;+1-418-262-6501"
    assert (simon["first_name"], simon["email"]) == ("Simon", "simon.perreault@viagenie.ca")
    assert (oleg["first_name"], oleg["last_name"], oleg["phone"]) == (
        "Олег",
        "Иванов",
        "+7-495-123-45-67",
    )


def test_rows_are_numbered_by_contact() -> None:
    table = open_table("contacts.vcf", (FIXTURES / "contacts_v3.vcf").read_bytes())
    assert [number for number, _ in table.rows()] == [1, 2, 3]
    assert table.count_rows() == 3


def test_vcard_2_1_from_an_old_phone() -> None:
    data = (
        b"BEGIN:VCARD\r\nVERSION:2.1\r\n"
        b"N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=D0=98=D0=B2=D0=B0=D0=BD=D0=BE=D0=B2;"
        b"=D0=98=D0=B2=D0=B0=D0=BD;;;\r\n"
        b"TEL;PREF;WORK:+7 495 123 45 67\r\nTEL;CELL:+7 912 345 67 89\r\n"
        b"TEL;FAX:+7 495 000 00 00\r\n"
        b"AGENT:\r\nBEGIN:VCARD\r\nFN:Assistant\r\nTEL:+7 495 111 11 11\r\nEND:VCARD\r\n"
        b"END:VCARD\r\n"
    )
    ((number, cells),) = open_table("old.vcf", data).rows()
    assert number == 1
    row = dict(zip(VCARD_COLUMNS, cells, strict=True))
    assert (row["first_name"], row["last_name"], row["full_name"]) == (
        "Иван",
        "Иванов",
        "Иван Иванов",
    )
    assert row["phone"] == "+7 912 345 67 89"
    # The embedded agent's card is not a contact, nor are its numbers this one's.
    assert row["phones"] == "+7 495 123 45 67;+7 912 345 67 89;+7 495 000 00 00"


def test_a_fax_is_never_the_phone() -> None:
    data = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Shop\r\nTEL;TYPE=FAX:911234567\r\nEND:VCARD\r\n"
    ((_, cells),) = open_table("shop.vcf", data).rows()
    assert cells[3:5] == ["", "911234567"]
