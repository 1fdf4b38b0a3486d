"""Column headers we recognise, in the languages of our members and of common exports.

Headers are compared after `fold`: NFKC, case-folded, Latin accents dropped, every run of
punctuation or spaces made one space ("E-mail Address" -> "e mail address", "Teléfono móvil" ->
"telefono movil", "ชื่อ-นามสกุล" -> "ชื่อ นามสกุล"). A recognised header gives a field and a rank:
when several columns claim one field, the lowest rank wins (a mobile number beats a home one).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from bot.services.imports.fields import Field

# Rank 0 is the column to prefer, higher ranks are fallbacks (an Outlook file has Mobile, Home,
# Business and Other phones; a Google file Phone 1..n).
_ALIASES: dict[Field, tuple[tuple[str, ...], ...]] = {
    Field.PHONE: (
        (
            "mobile", "mobile phone", "mobile number", "mobile no", "mobile tel", "cell",
            "cell phone", "cellphone", "cell number", "móvil", "teléfono móvil", "número móvil",
            "número de móvil", "celular", "teléfono celular", "número de celular", "movil",
            "мобильный", "мобильный телефон", "сотовый", "сотовый телефон", "моб телефон",
            "мобильный номер", "มือถือ", "เบอร์มือถือ", "โทรศัพท์มือถือ", "หมายเลขโทรศัพท์มือถือ",
            "携帯", "携帯電話", "携帯番号", "携帯電話番号", "ケータイ", "portable",
            "téléphone portable", "tél portable", "numéro de portable", "handy", "handynummer",
            "mobiltelefon", "mobilnummer", "mobilfunknummer", "telemóvel", "número de celular",
            "cellulare", "numero di cellulare", "telefono cellulare",
        ),
        (
            "phone", "phone number", "phone no", "telephone", "telephone number", "tel", "tel no",
            "number", "msisdn", "contact number", "primary phone", "teléfono",
            "número de teléfono", "nº de teléfono", "no de telefono", "tfno", "tlf", "телефон",
            "номер", "номер телефона", "тел", "เบอร์", "เบอร์โทร", "เบอร์โทรศัพท์", "โทรศัพท์",
            "หมายเลขโทรศัพท์", "電話", "電話番号", "téléphone", "tél",
            "numéro de téléphone", "numéro", "telefon", "telefonnummer", "rufnummer", "telefone",
            "número de telefone", "número", "numero di telefono", "telefono",
        ),
        (
            "home phone", "home phone 2", "business phone", "business phone 2", "work phone",
            "office phone", "other phone", "company main phone", "car phone", "radio phone",
            "assistant s phone", "callback", "isdn", "tty tdd phone", "landline", "fijo",
            "teléfono fijo", "домашний телефон", "рабочий телефон", "自宅電話", "会社電話",
            "téléphone fixe", "festnetz", "telefone fixo", "telefono fisso",
        ),
    ),
    Field.FIRST_NAME: (
        (
            "first name", "firstname", "first", "given name", "given", "forename",
            "primer nombre", "ชื่อจริง", "名", "下の名前", "prénom", "vorname", "primeiro nome",
            "nome próprio",
        ),
    ),
    Field.LAST_NAME: (
        (
            "last name", "lastname", "last", "surname", "family name", "apellido", "apellidos",
            "primer apellido", "фамилия", "นามสกุล", "姓", "苗字", "名字", "nom de famille",
            "nachname", "familienname", "sobrenome", "apelido", "cognome",
        ),
    ),
    Field.FULL_NAME: (
        (
            "full name", "fullname", "contact name", "display name", "customer name",
            "client name", "nombre completo", "nombre y apellidos", "nombre del cliente", "фио",
            "полное имя", "ชื่อ นามสกุล", "ชื่อเต็ม", "ชื่อ สกุล", "氏名", "お名前", "nom complet",
            "nom et prénom", "prénom et nom", "vollständiger name", "nome completo",
        ),
    ),
    Field.EMAIL: (
        (
            "email", "e mail", "email address", "e mail address", "mail", "correo",
            "correo electrónico", "email 1", "почта", "эл почта", "электронная почта",
            "e mail адрес", "อีเมล", "อีเมล์", "メール", "メールアドレス", "eメール", "courriel",
            "adresse e mail", "adresse électronique", "e mail adresse", "posta elettronica",
            "indirizzo email",
        ),
    ),
    Field.TELEGRAM_ID: (
        (
            "telegram", "telegram id", "telegram user id", "telegram chat id", "tg", "tg id",
            "chat id", "телеграм", "телеграм id",
        ),
    ),
    Field.LINE_ID: (("line", "line id", "line user id", "line uid", "line userid", "ไลน์"),),
    Field.WHATSAPP: (
        ("whatsapp", "whatsapp number", "whatsapp phone", "wa", "wa number", "ватсап"),
    ),
    Field.LANGUAGE: (
        (
            "language", "lang", "locale", "idioma", "язык", "ภาษา", "言語", "langue", "sprache",
            "língua", "lingua",
        ),
    ),
    Field.TIMEZONE: (
        (
            "timezone", "time zone", "tz", "zona horaria", "часовой пояс", "เขตเวลา",
            "タイムゾーン", "fuseau horaire", "zeitzone", "fuso horário", "fuso orario",
        ),
    ),
    Field.TAGS: (
        (
            "tags", "tag", "labels", "label", "groups", "group", "group membership",
            "categories", "category", "segment", "segments", "etiquetas", "etiqueta", "grupo",
            "grupos", "теги", "тег", "метки", "группа", "แท็ก", "กลุ่ม", "タグ", "グループ",
            "étiquettes", "groupe", "schlagwörter", "gruppe", "kategorien", "marcadores",
            "gruppo", "etichette",
        ),
    ),
    Field.IGNORE: (
        (
            "business fax", "home fax", "other fax", "fax", "pager", "telex", "факс", "ファックス",
            "e mail type", "e mail display name", "e mail 2 display name",
            "e mail 3 display name",
        ),
    ),
}  # fmt: skip

# Headers whose meaning depends on their neighbours: "Nombre" next to "Apellidos" is a first
# name, "Name" next to "Vorname" a last name, either alone a full name. See mapping.py.
AMBIGUOUS_NAMES = ("name", "nom", "nome", "nombre", "имя", "ชื่อ", "名前")

# Google Contacts ("Phone 1 - Value", "E-mail 2 - Label") and Outlook ("E-mail 2 Address").
_NUMBERED = re.compile(r"(phone|e ?mail) (\d{1,2}) (value|type|label)")
_OUTLOOK_EMAIL = re.compile(r"e ?mail (\d) address")
# Words that make an unknown header a phone column all the same ("Client mobile number"):
# Latin ones must start a word ("hotel" is no "tel"); others are found anywhere, since Thai and
# Japanese do not separate words.
_MOBILE_STEMS = ("mobile", "cell", "movil", "celular", "handy")
_PHONE_STEMS = ("phone", "telef", "teleph")
_MOBILE_PARTS = ("мобил", "сотов", "มือถือ", "携帯")
_PHONE_PARTS = ("телефон", "โทร", "電話")
_FAX_PARTS = ("факс", "ファックス", "แฟกซ์")


def fold(text: str) -> str:
    """A header reduced to comparable words (see the module docstring)."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    kept: list[str] = []
    after_ascii = False
    for char in decomposed:
        category = unicodedata.category(char)
        if category == "Mn":
            # An accent on a Latin letter goes; a Thai vowel or a Japanese voicing mark stays.
            if not after_ascii:
                kept.append(char)
            continue
        if category[0] in "LN":
            kept.append(char)
            after_ascii = char.isascii()
        else:
            kept.append(" ")
            after_ascii = False
    return " ".join(unicodedata.normalize("NFC", "".join(kept)).split())


def header_field(header: str) -> tuple[Field, float] | None:
    """The field and rank a header names, or None when we do not recognise it."""
    folded = fold(header)
    known = _alias_table().get(folded)
    if known is not None:
        return known
    numbered = _NUMBERED.fullmatch(folded)
    if numbered is not None:
        kind, index, part = numbered.groups()
        if part != "value":
            return Field.IGNORE, 0
        field = Field.PHONE if kind == "phone" else Field.EMAIL
        return field, 1 + int(index) / 100
    outlook = _OUTLOOK_EMAIL.fullmatch(folded)
    if outlook is not None:
        return Field.EMAIL, int(outlook.group(1))
    base, _, number = folded.rpartition(" ")
    if number.isdigit() and len(number) <= 2 and base in _alias_table():
        field, rank = _alias_table()[base]  # "Email 2", "Mobile 3": after the plain one
        return field, rank + int(number) / 100
    words = folded.split()
    if "fax" in words or any(part in folded for part in _FAX_PARTS):
        return Field.IGNORE, 0
    if any(w.startswith(_MOBILE_STEMS) for w in words) or any(p in folded for p in _MOBILE_PARTS):
        return Field.PHONE, 0.5
    if any(w == "tel" or w.startswith(_PHONE_STEMS) for w in words) or any(
        part in folded for part in _PHONE_PARTS
    ):
        return Field.PHONE, 2.5
    return None


def is_ambiguous_name(header: str) -> bool:
    """True for "Name", "Nombre", "Nom", "Имя"...: first, last or full name by context."""
    return fold(header) in AMBIGUOUS_NAMES


def is_known_header(header: str) -> bool:
    """True when the text is a column name we recognise (used to tell a header row)."""
    return is_ambiguous_name(header) or header_field(header) is not None


@cache
def _alias_table() -> dict[str, tuple[Field, float]]:
    # Folded once, on first use (nothing is built at import time).
    table: dict[str, tuple[Field, float]] = {}
    for field, ranks in _ALIASES.items():
        for rank, aliases in enumerate(ranks):
            for alias in aliases:
                table.setdefault(fold(alias), (field, float(rank)))
    return table
