"""phonenumbers' parse, is_valid_number and number type, for a cleaned digit string, fast.

`phonenumbers.parse` spends most of its time on what a cleaned string no longer needs (finding
the number inside free text, extensions, alphabetic vanity numbers, Unicode digits), and
`is_valid_number` tries up to eleven number types with a regular expression each. This module
takes phonenumbers' own metadata and runs the same steps in the same order on a string of ASCII
digits: strip an international prefix, take the country calling code, strip the national
prefix under the same conditions, then test the number against all its types' patterns merged
into one expression per length. The answer is, by construction, phonenumbers' answer for that
string; tests/imports/test_phone_rules.py checks it against phonenumbers on every region's
example numbers and on random digit strings, and must pass again after upgrading phonenumbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneMetadata

_NON_GEO = "001"
_MIN_NSN = 2  # phonenumbers' _MIN_LENGTH_FOR_NSN
_MAX_NSN = 17  # phonenumbers' _MAX_LENGTH_FOR_NSN
_MAX_COUNTRY_CODE_DIGITS = 3
# The number types phonenumbers tries before fixed line and mobile: none is geographical.
_SPECIAL_TYPES = (
    "premium_rate",
    "toll_free",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
)
# _test_number_length outcomes after which parse keeps the national prefix.
_KEEP_PREFIX = ("too_short", "local_only", "invalid_length")

_Desc = tuple[tuple[int, ...], re.Pattern[str]]  # possible lengths (empty: any), pattern
# A valid number's kind, as far as its timezone needs it (see _Plan.kind), and a parsed valid
# number with it: (country code, national significant number, kind).
Kind = str
Valid = tuple[int, str, Kind]


@dataclass(frozen=True, slots=True)
class _Plan:
    """One region's metadata, compiled for the steps below."""

    country_code: int
    international_prefix: re.Pattern[str] | None
    national_prefix: re.Pattern[str] | None
    transform: str | None
    general: re.Pattern[str] | None
    general_lengths: tuple[int, ...]
    local_lengths: tuple[int, ...]
    leading_digits: re.Pattern[str] | None
    # number length -> every type's pattern for it, merged, each in a group named by its kind
    typed: dict[int, re.Pattern[str]]

    def matches_general(self, number: str) -> bool:
        # phonenumbers' _match_national_number on general_desc: the pattern, not the lengths.
        return self.general is not None and self.general.fullmatch(number) is not None

    def kind(self, number: str) -> Kind | None:
        """_number_type_helper(number), as much of it as the timezone lookup needs, in one
        match of the merged pattern.

        None for UNKNOWN (not valid); "special" for any of the types phonenumbers tries
        before the fixed-line one (premium rate, toll free, shared cost, VoIP, personal,
        pager, UAN, voicemail), none of which is geographical; "fixed" for FIXED_LINE and
        FIXED_LINE_OR_MOBILE; "mobile" for MOBILE. The merged pattern lists the types in the
        order phonenumbers tries them, and fullmatch takes the first alternative that matches
        the whole number, so the group that matched is the type phonenumbers would answer.
        """
        length = len(number)
        if self.general_lengths and length not in self.general_lengths:
            return None
        typed = self.typed.get(length)
        if typed is None or self.general is None or self.general.fullmatch(number) is None:
            return None
        found = typed.fullmatch(number)
        return None if found is None else _KIND_OF_GROUP[found.lastgroup or ""]

    def length_verdict(self, number: str) -> str:
        """_test_number_length(number, metadata) for the UNKNOWN type."""
        length = len(number)
        if length in self.local_lengths:
            return "local_only"
        possible = self.general_lengths
        if possible[0] == length:
            return "possible"
        if possible[0] > length:
            return "too_short"
        if possible[-1] < length:
            return "too_long"
        return "possible" if length in possible[1:] else "invalid_length"

    def strip_national_prefix(self, number: str) -> str:
        """_maybe_strip_national_prefix_carrier_code(number)[1]."""
        if not number or self.national_prefix is None:
            return number
        found = self.national_prefix.match(number)
        if found is None:
            return number
        viable = self.matches_general(number)
        if not self.transform or found.groups()[-1] is None:
            rest = number[found.end() :]
        else:
            rest = self.national_prefix.sub(self.transform, number, count=1)
        if viable and not self.matches_general(rest):
            return number
        return rest


class PhoneRules:
    """Parse-and-validate with one default region."""

    def __init__(self, default_region: str) -> None:
        metadata = PhoneMetadata.metadata_for_region(default_region, None)
        home = None if metadata is None else plan_for(default_region, metadata.country_code)
        if home is None:
            raise ValueError(f"unknown region {default_region!r}")
        self._home = home

    def e164(self, digits: str, *, plus: bool) -> str | None:
        """What phonenumbers makes of ("+" if plus) + digits, as E.164, if it is valid."""
        parsed = self.valid(digits, plus=plus)
        return None if parsed is None else f"+{parsed[0]}{parsed[1]}"

    def valid(self, digits: str, *, plus: bool) -> Valid | None:
        """(country code, national significant number, kind) of ("+" if plus) + digits, if
        it is a valid number."""
        parsed = self._parse(digits, plus=plus)
        return None if parsed is None else valid_kind(*parsed)

    def _parse(self, digits: str, *, plus: bool) -> tuple[int, str] | None:
        """phonenumbers.parse: (country code, national significant number), or None if it raises."""
        if plus:
            extracted = split_country_code(digits)
            if extracted is False:
                # An unknown country code after "+": phonenumbers retries without the plus.
                extracted = self._extract_country_code(digits)
        else:
            extracted = self._extract_country_code(digits)
        if extracted is None or extracted is False:
            return None
        country_code, national = extracted
        if country_code != 0:
            return _national_part(country_code, national, None)
        if plus:
            return None
        return _national_part(self._home.country_code, digits, self._home)

    def _extract_country_code(self, digits: str) -> tuple[int, str] | None:
        """_maybe_extract_country_code for input without a plus sign; None where it raises."""
        home = self._home
        idd = home.international_prefix
        found = idd.match(digits) if idd is not None else None
        if found is not None and digits[found.end() : found.end() + 1] != "0":
            return split_country_code(digits[found.end() :]) or None
        code = str(home.country_code)
        if digits.startswith(code):
            potential = home.strip_national_prefix(digits[len(code) :])
            if (
                not home.matches_general(digits) and home.matches_general(potential)
            ) or home.length_verdict(digits) == "too_long":
                return home.country_code, potential
        return 0, ""


def split_country_code(digits: str) -> tuple[int, str] | bool | None:
    """The country code and the rest; None if too short, False if no country has the code."""
    if len(digits) <= _MIN_NSN:
        return None
    if digits[0] == "0":
        return False
    codes = _country_codes()
    for size in range(1, min(len(digits), _MAX_COUNTRY_CODE_DIGITS) + 1):
        code = codes.get(digits[:size])
        if code is not None:
            return code, digits[size:]
    return False


@cache
def _country_codes() -> dict[str, int]:
    return {str(code): code for code in COUNTRY_CODE_TO_REGION_CODE}


def parse_international(digits: str) -> tuple[int, str] | None:
    """phonenumbers.parse("+" + digits, None) as (country code, national number), or None."""
    extracted = split_country_code(digits)
    if not isinstance(extracted, tuple):
        return None
    return _national_part(*extracted, None)


def _national_part(country_code: int, national: str, plan: _Plan | None) -> tuple[int, str] | None:
    """The end of parse: strip the national prefix if what remains has a possible length."""
    if plan is None:
        # The region that parse takes the metadata of: the country code's main region.
        plan = plan_for(COUNTRY_CODE_TO_REGION_CODE[country_code][0], country_code)
    if len(national) < _MIN_NSN or plan is None:
        return None
    stripped = plan.strip_national_prefix(national)
    if plan.length_verdict(stripped) not in _KEEP_PREFIX:
        national = stripped
    if not _MIN_NSN <= len(national) <= _MAX_NSN:
        return None
    return country_code, national


def valid_kind(country_code: int, national: str) -> Valid | None:
    """The number with its kind if is_valid_number holds for it, else None."""
    plan = region_plan(country_code, national)
    kind = None if plan is None else plan.kind(national)
    return None if kind is None else (country_code, national, kind)


def region_plan(country_code: int, national: str) -> _Plan | None:
    """The plan of the region region_code_for_number picks, or None."""
    regions = COUNTRY_CODE_TO_REGION_CODE.get(country_code)
    if not regions:
        return None
    if len(regions) == 1:
        return plan_for(regions[0], country_code)
    for region in regions:
        plan = plan_for(region, country_code)
        if plan is None:
            continue
        if plan.leading_digits is not None:
            if plan.leading_digits.match(national):
                return plan
        elif plan.kind(national) is not None:
            return plan
    return None


# A group's name is its kind and its description's index (names are unique in a pattern).
_KIND_OF_GROUP = {
    f"{kind}{index}": kind
    for kind in ("special", "fixed", "mobile")
    for index in range(len(_SPECIAL_TYPES) + 2)
}


@cache
def plan_for(region: str, country_code: int) -> _Plan | None:
    """A region's compiled plan, built on first use and shared by every normalizer."""
    if region == _NON_GEO:
        metadata = PhoneMetadata.metadata_for_nongeo_region(country_code, None)
    else:
        metadata = PhoneMetadata.metadata_for_region(region, None)
    return None if metadata is None else _compile(metadata)


def _compile(metadata: PhoneMetadata) -> _Plan:
    general = metadata.general_desc
    special = [d for name in _SPECIAL_TYPES if (d := _desc(getattr(metadata, name))) is not None]
    fixed_line, mobile = _desc(metadata.fixed_line), _desc(metadata.mobile)
    every = [("special", d) for d in special]
    if fixed_line is not None:
        every.append(("fixed", fixed_line))
    if not metadata.same_mobile_and_fixed_line_pattern and mobile is not None:
        # phonenumbers only tries the mobile pattern when it differs from the fixed-line one.
        every.append(("mobile", mobile))
    return _Plan(
        country_code=metadata.country_code,
        # phonenumbers tests these two for None only; the other patterns for None or "".
        international_prefix=_compiled(metadata.international_prefix),
        leading_digits=_compiled(metadata.leading_digits),
        national_prefix=_compiled(metadata.national_prefix_for_parsing or None),
        transform=metadata.national_prefix_transform_rule,
        general=_compiled(general.national_number_pattern or None) if general else None,
        general_lengths=tuple(general.possible_length) if general else (),
        local_lengths=tuple(general.possible_length_local_only or ()) if general else (),
        typed=_merged(every),
    )


def _merged(descs: list[tuple[Kind, _Desc]]) -> dict[int, re.Pattern[str]]:
    """For each number length, one expression for the descriptions that allow that length,
    in their order, each in a group that names its kind (see _Plan.kind).

    fullmatch of an alternation is "the first alternative that matches the whole string":
    phonenumbers' one-by-one _is_number_matching_desc calls, in one call.
    """
    merged: dict[int, re.Pattern[str]] = {}
    for length in range(1, _MAX_NSN + 1):
        patterns = [
            f"(?P<{kind}{index}>{pattern.pattern})"
            for index, (kind, (lengths, pattern)) in enumerate(descs)
            if not lengths or length in lengths
        ]
        if patterns:
            merged[length] = re.compile("|".join(patterns))
    return merged


def _desc(desc: object) -> _Desc | None:
    pattern = getattr(desc, "national_number_pattern", None)
    if not pattern:
        return None
    return tuple(getattr(desc, "possible_length", None) or ()), re.compile(pattern)


def _compiled(pattern: str | None) -> re.Pattern[str] | None:
    return None if pattern is None else re.compile(pattern)
