"""Phone normalisation to E.164, per region, and the timezone of a number."""

from __future__ import annotations

import pytest

from bot.services.imports.phones import (
    PhoneNormalizer,
    clean_phone,
    is_phone_shaped,
    region_timezone,
)

CASES = {
    "ES": [
        ("612 34 56 78", "+34612345678"),
        ("+34 612345678", "+34612345678"),
        ("0034 612 345 678", "+34612345678"),
        ("34612345678", "+34612345678"),  # the country code without "+": phonenumbers' rule
        ("91 123 45 67", "+34911234567"),
        ("(+34) 612.345.678", "+34612345678"),
        ("'612345678", "+34612345678"),  # a spreadsheet's text mark
        ('="612345678"', "+34612345678"),  # Excel's guard for leading zeros
        ("tel:+34612345678", "+34612345678"),
        ("６１２３４５６７８", "+34612345678"),  # full-width digits
        ("+34\u00a0612\u2009345\u2013678", "+34612345678"),  # odd spaces, an en dash
        ("+1 201 555 0123", "+12015550123"),
        ("001 201 555 0123", "+12015550123"),
        ("612 34 56 78 ::: 698 765 432", "+34612345678"),  # Google: one label, two numbers
        ("n/a ::: 698 765 432", "+34698765432"),
    ],
    "RU": [
        ("8 (912) 345-67-89", "+79123456789"),
        ("+7 912 345 67 89", "+79123456789"),
        ("9123456789", "+79123456789"),
        ("+7 (495) 123-45-67", "+74951234567"),
        ("8 10 34 612 345 678", "+34612345678"),  # Russia's own international prefix
    ],
    "TH": [
        ("081-234-5678", "+66812345678"),
        ("0812345678", "+66812345678"),
        ("812345678", "+66812345678"),  # the leading zero a spreadsheet dropped
        ("+66 81 234 5678", "+66812345678"),
        ("๐๘๑๒๓๔๕๖๗๘", "+66812345678"),  # Thai digits
        ("02 123 4567", "+6621234567"),
    ],
    "JP": [
        ("090-1234-5678", "+819012345678"),
        ("03-1234-5678", "+81312345678"),
        ("+81 90 1234 5678", "+819012345678"),
        ("０９０－１２３４－５６７８", "+819012345678"),
        ("010 34 612 345 678", "+34612345678"),
    ],
    "US": [
        ("(201) 555-0123", "+12015550123"),
        ("+1 201 555 0123", "+12015550123"),
        ("1 201 555 0123", "+12015550123"),
        ("201.555.0123", "+12015550123"),
        ("011 34 612 345 678", "+34612345678"),
        ("0034 612 345 678", "+34612345678"),  # "00" is understood from anywhere
        ("+1 (416) 555-0123", "+14165550123"),
    ],
    "GB": [
        ("07911 123456", "+447911123456"),
        ("+44 7911 123456", "+447911123456"),
        ("+44 (0) 20 7183 8750", "+442071838750"),
        ("020 7183 8750", "+442071838750"),
        ("00 34 612 345 678", "+34612345678"),
    ],
}
INVALID = [
    "",
    "   ",
    "n/a",
    "612",
    "6123456789012345678901234567890",
    "+34 612 345 678 ext. 12",  # extensions are refused, not dropped
    "612345678 x12",
    "201.555.0123 #12",
    "1-800-FLOWERS",  # vanity numbers
    "+999 1234567",  # no such country code
    "++34612345678",
    "612 345 678 / 698 765 432",  # two numbers in one cell
    "+34 112 345 678",  # not a Spanish range
    "07700 900123",  # Ofcom's range for drama, not in service
    "0000000000",
    "+34 612 345 678\n+34 698 765 432",
    "+" + "1" * 300,
]


@pytest.mark.parametrize(
    ("region", "raw", "e164"),
    [(region, raw, e164) for region, cases in CASES.items() for raw, e164 in cases],
)
def test_valid_numbers_per_region(region: str, raw: str, e164: str) -> None:
    assert PhoneNormalizer(region).normalize(raw) == e164


@pytest.mark.parametrize("raw", INVALID)
@pytest.mark.parametrize("region", ["ES", "GB", "US"])
def test_invalid_numbers(region: str, raw: str) -> None:
    assert PhoneNormalizer(region).normalize(raw) is None


def test_the_region_is_checked_and_case_insensitive() -> None:
    assert PhoneNormalizer(" th ").default_region == "TH"
    with pytest.raises(ValueError, match="unknown region"):
        PhoneNormalizer("XX")


def test_repeats_are_answered_from_the_cache() -> None:
    normalizer = PhoneNormalizer("ES")
    assert normalizer.normalize("612345678") == normalizer.normalize("612345678")
    assert normalizer._cached.cache_info().hits == 1


def test_clean_phone_keeps_digits_and_a_plus() -> None:
    assert clean_phone(" +34 (612) 34-56.78 ") == "+34612345678"
    assert clean_phone("612a345") is None
    assert clean_phone("") is None


def test_phone_shape_is_region_free() -> None:
    assert is_phone_shaped("+1 201 555 0123")
    assert is_phone_shaped("0812345678")
    assert not is_phone_shaped("12345")
    assert not is_phone_shaped("2024-03-05")  # eight digits, but a date
    assert not is_phone_shaped("05/03/2024")
    assert not is_phone_shaped("Ann")


@pytest.mark.parametrize(
    ("e164", "zone"),
    [
        ("+34911234567", "Europe/Madrid"),  # a Madrid landline
        ("+34612345678", None),  # a Spanish mobile may be in the Canaries, an hour behind
        ("+79123456789", None),  # a Russian mobile: eleven zones
        ("+74951234567", "Europe/Moscow"),
        ("+66812345678", "Asia/Bangkok"),
        ("+819012345678", "Asia/Tokyo"),
        ("+12015550123", "America/New_York"),
        ("+14165550123", "America/Toronto"),
        ("+447911123456", "Europe/London"),  # London, Jersey, Guernsey, Man: one clock
        ("+18005550199", None),  # toll-free: the whole of North America
        ("not a number", None),
        ("+999123", None),
    ],
)
def test_region_timezone(e164: str, zone: str | None) -> None:
    assert region_timezone(e164) == zone
