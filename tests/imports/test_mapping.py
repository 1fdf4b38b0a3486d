"""Mapping proposals: headers in many languages, exports, values, tie-breaks, attribute keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.services.imports.mapping import Field, attribute_key, attribute_keys, propose_mapping
from bot.services.imports.readers import open_table

FIXTURES = Path(__file__).parent / "fixtures"
F = Field


def _proposal(name: str) -> dict[str, Field]:
    """Header -> field for the fixture's columns that are not ignored."""
    table = open_table(name, (FIXTURES / name).read_bytes())
    mapping = propose_mapping(table.columns, table.preview(20))
    assert sorted(mapping) == list(range(len(table.columns)))
    return {table.columns[i]: field for i, field in mapping.items() if field is not F.IGNORE}


def test_excel_spanish_csv() -> None:
    assert _proposal("semicolon_cp1252.csv") == {
        "Nombre": F.FIRST_NAME,  # beside "Apellidos"
        "Apellidos": F.LAST_NAME,
        "Teléfono móvil": F.PHONE,
        "Ciudad": F.ATTRIBUTE,
        "Notas": F.ATTRIBUTE,
    }


def test_excel_russian_unicode_text() -> None:
    assert _proposal("unicode_text_utf16.txt") == {
        "Имя": F.FIRST_NAME,
        "Фамилия": F.LAST_NAME,
        "Телефон": F.PHONE,
        "Город": F.ATTRIBUTE,
    }


def test_japanese_utf8() -> None:
    assert _proposal("utf8_bom.csv") == {
        "名前": F.FULL_NAME,
        "電話番号": F.PHONE,
        "メール": F.EMAIL,
    }


def test_no_header_is_mapped_by_values() -> None:
    assert _proposal("no_header.csv") == {
        "Column 1": F.PHONE,
        "Column 2": F.ATTRIBUTE,
        "Column 3": F.ATTRIBUTE,
    }


def test_quoted_multiline() -> None:
    assert _proposal("quoted_multiline.csv") == {
        "name": F.FULL_NAME,
        "phone": F.PHONE,
        "address": F.ATTRIBUTE,
    }


def test_google_contacts_old_layout_prefers_the_mobile_phone_column() -> None:
    assert _proposal("google_contacts_old.csv") == {
        "Name": F.FULL_NAME,
        "Given Name": F.FIRST_NAME,
        "Family Name": F.LAST_NAME,
        "Birthday": F.ATTRIBUTE,
        "Notes": F.ATTRIBUTE,
        "Language": F.LANGUAGE,  # empty here, but that is what the column is
        "Group Membership": F.TAGS,
        "E-mail 1 - Value": F.EMAIL,
        "Phone 2 - Value": F.PHONE,  # labelled Mobile in 2 rows of 3; Phone 1 is ignored
        "Organization 1 - Name": F.ATTRIBUTE,
    }


def test_google_contacts_new_layout() -> None:
    assert _proposal("google_contacts_new.csv") == {
        "First Name": F.FIRST_NAME,
        "Last Name": F.LAST_NAME,
        "Labels": F.TAGS,
        "E-mail 1 - Value": F.EMAIL,
        "Phone 2 - Value": F.PHONE,  # the Mobile one
    }


def test_outlook_export_prefers_mobile_and_ignores_defaults_and_faxes() -> None:
    assert _proposal("outlook.csv") == {
        "First Name": F.FIRST_NAME,
        "Last Name": F.LAST_NAME,
        "Initials": F.ATTRIBUTE,
        "Language": F.LANGUAGE,
        "E-mail Address": F.EMAIL,
        "Mobile Phone": F.PHONE,
        "Company": F.ATTRIBUTE,
        "Job Title": F.ATTRIBUTE,
        "Categories": F.TAGS,
    }


def test_vcard_columns() -> None:
    assert _proposal("contacts_v3.vcf") == {
        "first_name": F.FIRST_NAME,
        "last_name": F.LAST_NAME,
        "full_name": F.FULL_NAME,
        "phone": F.PHONE,
        "email": F.EMAIL,
        "organization": F.ATTRIBUTE,
        "note": F.ATTRIBUTE,
    }


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (["nombre", "apellido", "celular"], [F.FIRST_NAME, F.LAST_NAME, F.PHONE]),
        (["Prénom", "Nom", "Téléphone"], [F.FIRST_NAME, F.LAST_NAME, F.PHONE]),
        (["Vorname", "Name", "Handy"], [F.FIRST_NAME, F.LAST_NAME, F.PHONE]),
        (["Nome", "Cognome", "Cellulare"], [F.FIRST_NAME, F.LAST_NAME, F.PHONE]),
        (["Nome", "Sobrenome", "Telefone"], [F.FIRST_NAME, F.LAST_NAME, F.PHONE]),
        (["ชื่อ", "นามสกุล", "เบอร์โทร"], [F.FIRST_NAME, F.LAST_NAME, F.PHONE]),
        (["ชื่อ-นามสกุล", "โทรศัพท์", "ไลน์"], [F.FULL_NAME, F.PHONE, F.LINE_ID]),
        (["姓", "名", "携帯"], [F.LAST_NAME, F.FIRST_NAME, F.PHONE]),
        (["氏名", "電話番号", "言語"], [F.FULL_NAME, F.PHONE, F.LANGUAGE]),
        (["ФИО", "Мобильный телефон", "Часовой пояс"], [F.FULL_NAME, F.PHONE, F.TIMEZONE]),
        (["Nom", "Téléphone", "Étiquettes"], [F.FULL_NAME, F.PHONE, F.TAGS]),
        (["Telegram ID", "LINE user id", "WhatsApp"], [F.TELEGRAM_ID, F.LINE_ID, F.WHATSAPP]),
        (["Client mobile number", "E-MAIL", "Zeitzone"], [F.PHONE, F.EMAIL, F.TIMEZONE]),
    ],
)
def test_headers_in_our_languages(headers: list[str], expected: list[Field]) -> None:
    values = {
        F.PHONE: "612345678",
        F.WHATSAPP: "+34612345678",
        F.TELEGRAM_ID: "123456789",
        F.LINE_ID: "U" + "a" * 32,
        F.EMAIL: "a@example.com",
    }
    row = [values.get(field, "x") for field in expected]
    assert list(propose_mapping(headers, [row]).values()) == expected


def test_one_column_per_field_the_rest_ignored() -> None:
    headers = ["Home phone", "Phone", "Mobile", "Email", "Email 2", "Business Fax"]
    row = ["911234567", "911234568", "612345678", "a@x.com", "b@x.com", "911234569"]
    assert list(propose_mapping(headers, [row]).values()) == [
        F.IGNORE,
        F.IGNORE,
        F.PHONE,
        F.EMAIL,
        F.IGNORE,
        F.IGNORE,
    ]


def test_an_empty_mobile_column_loses_to_a_filled_phone_column() -> None:
    mapping = propose_mapping(["Mobile", "Phone"], [["", "612345678"], ["", "698765432"]])
    assert mapping == {0: F.IGNORE, 1: F.PHONE}


def test_equal_claims_go_to_the_leftmost_column() -> None:
    mapping = propose_mapping(["Phone", "Teléfono"], [["612345678", "698765432"]])
    assert mapping == {0: F.PHONE, 1: F.IGNORE}


def test_a_phone_header_over_non_numbers_is_not_the_phone() -> None:
    mapping = propose_mapping(["Phone type", "Number"], [["Mobile", "612345678"], ["Home", "91"]])
    assert mapping == {0: F.ATTRIBUTE, 1: F.PHONE}


def test_without_headers_line_ids_and_emails_are_found_by_value() -> None:
    line_id = "U4af4980629a1b2c3d4e5f6a7b8c9d0e1"
    rows = [["Ann", line_id, "ann@example.com"], ["Bob", "U" + "0" * 32, "bob@example.com"]]
    mapping = propose_mapping(["Column 1", "Column 2", "Column 3"], rows)
    assert mapping == {0: F.ATTRIBUTE, 1: F.LINE_ID, 2: F.EMAIL}


def test_numeric_ids_without_a_header_are_not_guessed_to_be_telegram_ids() -> None:
    mapping = propose_mapping(["Column 1"], [["5012345678"], ["123456789"]])
    assert mapping == {0: F.PHONE}
    # With the member's region, numbers that are no valid phone are not taken for phones.
    assert propose_mapping(["Column 1"], [["5012"], ["1234567"]], default_region="TH") == {
        0: F.ATTRIBUTE
    }


def test_columns_beyond_the_header_are_mapped_too() -> None:
    assert propose_mapping(["name"], [["Ann", "612345678", ""]]) == {
        0: F.FULL_NAME,
        1: F.PHONE,
        2: F.IGNORE,
    }


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("First name", "first_name"),
        ("E-mail (work)", "e_mail_work"),
        ("Cumpleaños", "cumpleanos"),
        ("Straße", "strasse"),
        ("Город", "город"),
        ("会社名", "会社名"),
        ("ชื่อเล่น", "ชื่อเล่น"),
        ("Ｃｏｍｐａｎｙ", "company"),
        ("2024 spend", "attr_2024_spend"),
        ("  ", "attribute"),
        ("#", "attribute"),
        ("x" * 100, "x" * 64),
    ],
)
def test_attribute_keys_are_placeholder_safe(header: str, key: str) -> None:
    assert attribute_key(header) == key
    assert key.isidentifier()


def test_attribute_keys_are_unique_and_never_a_field_name() -> None:
    columns = ["Note", "note", "Phone", "", "City"]
    mapping = {0: F.ATTRIBUTE, 1: F.ATTRIBUTE, 2: F.ATTRIBUTE, 3: F.ATTRIBUTE, 4: F.IGNORE}
    assert attribute_keys(columns, mapping) == {
        0: "note",
        1: "note_2",
        2: "phone_2",
        3: "column_4",
    }
