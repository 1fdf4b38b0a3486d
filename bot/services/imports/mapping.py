"""Which field each column becomes: a proposal from headers and values, for the member to edit.

How a proposal is made (`propose_mapping`):
1. Headers are matched against the vocabulary (vocabulary.py: English, Spanish, Russian, Thai,
   Japanese, French, German, Portuguese, Italian, and the Google Contacts and Outlook export
   layouts). A header claiming PHONE, WHATSAPP, EMAIL, LINE_ID or TELEGRAM_ID must also fit
   its preview values, if any ("Phone type" over "Mobile", "Home" is not a phone column).
2. "Name"-like headers that mean different things by language ("Nombre", "Nom", "Name",
   "Имя", "ชื่อ", "名前") become FIRST_NAME beside a last-name column, LAST_NAME beside a
   first-name column (German "Vorname, Name", French "Prénom, Nom"), FULL_NAME otherwise.
3. Tie-break, where several columns claim a field that takes one column (all but TAGS,
   ATTRIBUTE, IGNORE): a column with values in the preview beats an empty one, then the better
   rank (a mobile phone beats a generic phone, which beats home/work/other phones; Google's
   "Phone n - Value" labelled Mobile beats the others; e-mail 1 beats e-mail 2), then the
   leftmost. The others are IGNOREd, not kept as attributes: a second phone or e-mail is no
   placeholder anyone needs, and keeping it would store personal data for nothing. So is a
   phone-headed column of number lists (a vCard's "phones", "612...; 698...").
4. Columns still free are judged by their values: where most preview values look like phone
   numbers, PHONE (valid numbers for `default_region`, when given, else phone-shaped ones);
   LINE user ids (U + 32 hex digits), LINE_ID; e-mail addresses, EMAIL. Telegram ids are
   numbers like any other, so only a header names them.
5. Every other column with values becomes an ATTRIBUTE (`attribute_key` names it); empty
   ones are IGNOREd.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from bot.services.imports.fields import MULTI_COLUMN_FIELDS, Field
from bot.services.imports.phones import PhoneNormalizer, is_phone_shaped
from bot.services.imports.sniff import EMAIL, LINE_ID
from bot.services.imports.vocabulary import fold, header_field, is_ambiguous_name

__all__ = ["Field", "attribute_key", "attribute_keys", "propose_mapping"]

MAX_ATTRIBUTE_KEY = 64
# Share of a column's non-empty preview values that must fit its field.
_FITS = 0.5
_DETECT = 0.6  # for a column with no header to go by
_LIST_SEPARATORS = re.compile(r"\s*(?:;|,|:::)\s*")  # vCard's "phones", Google's " ::: "
_UNDERSCORES = re.compile(r"_{2,}")  # left where dropped characters stood between two
_PLACEHOLDERS = frozenset({"0/0/00", "0/0/0000", "unspecified", "normal", "n/a", "-"})
_MOBILE_LABELS = ("mobile", "cell", "movil", "celular", "мобильный", "มือถือ", "携帯", "handy")


def propose_mapping(
    table_columns: Sequence[str],
    preview_rows: Sequence[Sequence[str]],
    *,
    default_region: str | None = None,
) -> dict[int, Field]:
    """A field for every column index (see the module docstring for how it is chosen)."""
    width = max([len(table_columns), *(len(row) for row in preview_rows)])
    headers = [*table_columns, *[""] * (width - len(table_columns))]
    values = [
        [v for row in preview_rows if i < len(row) and (v := row[i].strip()) and not _blank(v)]
        for i in range(width)
    ]
    fits = _fit_checks(default_region)
    claims: list[tuple[Field, float, int]] = []
    ambiguous: list[int] = []
    for index, header in enumerate(headers):
        known = header_field(header) if header else None
        if known is None:
            if header and is_ambiguous_name(header):
                ambiguous.append(index)
            continue
        field, rank = known
        check = fits.get(field)
        if check is not None and values[index] and _share(values[index], check) < _FITS:
            if field is Field.PHONE and _share(values[index], _is_phone_list) >= _FITS:
                claims.append((Field.IGNORE, 0, index))  # vCard's "phones": all numbers, joined
            continue
        if field is Field.PHONE and _labelled_mobile(headers, values, header):
            rank = min(rank, 0.25)
        claims.append((field, rank, index))
    claimed = {field for field, _, _ in claims}
    for index in ambiguous:
        if Field.LAST_NAME in claimed and Field.FIRST_NAME not in claimed:
            field = Field.FIRST_NAME
        elif Field.FIRST_NAME in claimed and Field.LAST_NAME not in claimed:
            field = Field.LAST_NAME
        else:
            field = Field.FULL_NAME
        claims.append((field, 1.0, index))

    mapping: dict[int, Field] = {}
    taken: set[Field] = set()
    for field, _, index in sorted(claims, key=lambda c: (not values[c[2]], c[1], c[2])):
        if field in MULTI_COLUMN_FIELDS or field not in taken:
            mapping[index] = field
            taken.add(field)
        else:
            mapping[index] = Field.IGNORE
    for field in (Field.PHONE, Field.LINE_ID, Field.EMAIL):
        if field not in taken:
            found = _detect(field, fits[field], values, mapping)
            if found is not None:
                mapping[found] = field
                taken.add(field)
    for index in range(width):
        mapping.setdefault(index, Field.ATTRIBUTE if values[index] else Field.IGNORE)
    return dict(sorted(mapping.items()))


def attribute_key(header: str) -> str:
    """A column header as an attribute key, usable as a {placeholder}.

    Lower-case letters and digits of any script, words joined by "_": Latin letters lose their
    accents ("Cumpleaños" -> "cumpleanos", "Straße" -> "strasse"), other scripts keep theirs
    ("Город" -> "город", "会社名" -> "会社名"); punctuation and spaces become one "_"
    ("E-mail (work)" -> "e_mail_work"). A key that would start with a digit gets "attr_" in
    front ("2024 spend" -> "attr_2024_spend"); one with nothing left is "attribute". At most
    64 characters. Every key is a valid Python identifier.
    """
    key = "_".join(fold(header).split())[:MAX_ATTRIBUTE_KEY].rstrip("_")
    if key and not key.isidentifier():
        key = "attr_" + key
    # Characters no identifier may hold go; so does an "_" they leave at the end ("attr_"),
    # which a {placeholder} name never ends with.
    key = "".join(char for char in key if ("a" + char).isidentifier())
    key = _UNDERSCORES.sub("_", key).rstrip("_")
    return key if key.isidentifier() else "attribute"


def attribute_keys(columns: Sequence[str], mapping: dict[int, Field]) -> dict[int, str]:
    """The key of each ATTRIBUTE column, made unique ("note", "note_2") and never a field's name."""
    used = {field.value for field in Field}
    keys: dict[int, str] = {}
    for index, field in sorted(mapping.items()):
        if field is not Field.ATTRIBUTE:
            continue
        header = columns[index] if index < len(columns) else ""
        base = attribute_key(header or f"column {index + 1}")
        key, suffix = base, 2
        while key in used:
            key, suffix = f"{base}_{suffix}", suffix + 1
        used.add(key)
        keys[index] = key
    return keys


def _phone_check(default_region: str | None) -> Callable[[str], bool]:
    if not default_region:
        return is_phone_shaped
    normalize = PhoneNormalizer(default_region).normalize
    return lambda value: normalize(value) is not None


def _fit_checks(default_region: str | None) -> dict[Field, Callable[[str], bool]]:
    phone = _phone_check(default_region)
    return {
        Field.PHONE: phone,
        Field.WHATSAPP: phone,
        Field.EMAIL: lambda value: EMAIL.fullmatch(value) is not None,
        Field.LINE_ID: lambda value: LINE_ID.fullmatch(value) is not None,
        Field.TELEGRAM_ID: lambda value: value.lstrip("-").isdigit(),
    }


def _blank(value: str) -> bool:
    """Values exports write for "nothing" (Outlook: "0/0/00" birthdays, "Unspecified" gender)."""
    return value.casefold() in _PLACEHOLDERS


def _is_phone_list(value: str) -> bool:
    parts = _LIST_SEPARATORS.split(value)
    return len(parts) > 1 and all(map(is_phone_shaped, parts))


def _share(values: list[str], check: Callable[[str], bool]) -> float:
    return sum(map(check, values)) / len(values)


def _detect(
    field: Field,
    check: Callable[[str], bool],
    values: list[list[str]],
    mapping: dict[int, Field],
) -> int | None:
    """The free column whose values best fit `field`, if most of them do (leftmost on ties)."""
    best, best_share = None, 0.0
    for index, column in enumerate(values):
        if index in mapping or not column:
            continue
        share = _share(column, check)
        if share >= _DETECT and share > best_share:
            best, best_share = index, share
    return best


def _labelled_mobile(headers: list[str], values: list[list[str]], header: str) -> bool:
    """Google Contacts: is "Phone n - Value" mostly labelled Mobile in "Phone n - Type/Label"?"""
    folded = fold(header)
    if not folded.endswith(" value"):
        return False
    stem = folded.removesuffix(" value")
    for index, other in enumerate(headers):
        if fold(other) in (f"{stem} type", f"{stem} label") and values[index]:
            labels = [fold(v) for v in values[index]]
            mobile = sum(any(word in label for word in _MOBILE_LABELS) for label in labels)
            return mobile * 2 > len(labels)
    return False
