"""The fast rules answer exactly what phonenumbers answers (run again after upgrading it)."""

from __future__ import annotations

import random

import phonenumbers
import pytest
from phonenumbers import timezone as phone_timezones

from bot.services.imports.phone_rules import PhoneRules
from bot.services.imports.phones import PhoneNormalizer, region_timezone

_TYPES = (
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.TOLL_FREE,
    phonenumbers.PhoneNumberType.PREMIUM_RATE,
    phonenumbers.PhoneNumberType.VOIP,
)
_OUR_REGIONS = ("ES", "RU", "TH", "JP", "US", "GB")


def _reference(digits: str, region: str) -> str | None:
    try:
        number = phonenumbers.parse(digits, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _zone_fits(e164: str) -> bool:
    """phonenumbers' single zone; or, where it lists several, None or one of them."""
    zones = phone_timezones.time_zones_for_number(phonenumbers.parse(e164, None))
    ours = region_timezone(e164)
    if zones == (phone_timezones.UNKNOWN_TIMEZONE,):
        return ours is None
    if len(zones) == 1:
        return ours == zones[0]
    return ours is None or ours in zones


def _candidates(region: str, rng: random.Random) -> list[str]:
    """The region's example numbers written three ways, each also with its tail changed."""
    found = []
    for kind in _TYPES:
        example = phonenumbers.example_number_for_type(region, kind)
        if example is None:
            continue
        national = phonenumbers.national_significant_number(example)
        code = str(example.country_code)
        prefix = phonenumbers.ndd_prefix_for_region(region, True) or ""
        for nsn in (national, national[:-3] + f"{rng.randrange(1000):03d}", national[:-1]):
            found += ["+" + code + nsn, prefix + nsn, code + nsn, "00" + code + nsn]
    return found


def _check(region: str, inputs: list[str]) -> None:
    rules = PhoneRules(region)
    normalizer = PhoneNormalizer(region)
    for digits in inputs:
        plus = digits.startswith("+")
        fast = rules.e164(digits.removeprefix("+"), plus=plus)
        assert fast == _reference(digits, region), (region, digits)
        if fast is not None:
            assert _zone_fits(fast), (region, fast)
        # Its zone from the parse it already made: the same as parsing the E.164 form again.
        e164 = normalizer.normalize(digits)
        expected = None if e164 is None else (e164, region_timezone(e164))
        assert normalizer.normalize_with_timezone(digits) == expected, (region, digits)


def test_every_region_s_example_numbers() -> None:
    rng = random.Random(1)
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        _check(region, _candidates(region, rng))


@pytest.mark.parametrize("region", _OUR_REGIONS)
def test_random_digit_strings(region: str) -> None:
    rng = random.Random(region)
    inputs = []
    for _ in range(400):
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(3, 16)))
        inputs += [digits, "+" + digits]
    _check(region, inputs)
