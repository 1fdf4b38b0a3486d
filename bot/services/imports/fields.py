"""The contact fields a column can be imported into."""

from __future__ import annotations

from enum import StrEnum


class Field(StrEnum):
    """What a column of an imported file becomes."""

    PHONE = "phone"
    FIRST_NAME = "first_name"
    LAST_NAME = "last_name"
    FULL_NAME = "full_name"
    TELEGRAM_ID = "telegram_id"
    LINE_ID = "line_id"
    WHATSAPP = "whatsapp"
    LANGUAGE = "language"
    TIMEZONE = "timezone"
    TAGS = "tags"
    EMAIL = "email"
    ATTRIBUTE = "attribute"  # kept under its own key, usable as a {placeholder} in campaigns
    IGNORE = "ignore"


# Fields that several columns may share; every other field takes at most one column.
MULTI_COLUMN_FIELDS = frozenset({Field.TAGS, Field.ATTRIBUTE, Field.IGNORE})
