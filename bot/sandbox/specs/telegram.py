"""Telegram Bot API: the calls the bot makes (as aiogram sends them) and the objects it receives."""

from __future__ import annotations

import functools
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._files import data_file, load_document
from ._telegram_types import Field, TelegramTypes

SPEC_FILE = "telegram-bot-api.schema.json"


@dataclass(frozen=True)
class _Method:
    name: str
    fields: dict[str, Field]
    required: tuple[str, ...]


class TelegramSpec:
    """Validator for the Bot API as described by aiogram's machine-readable schema."""

    def __init__(self, schema: Mapping[str, Any]):
        entries = [child for section in schema["items"] for child in section["children"]]
        self.version: str | None = (schema.get("api") or {}).get("version")
        # Telegram's convention: methods start lower-case, types upper-case.
        self._types = TelegramTypes({e["name"]: e for e in entries if e["name"][:1].isupper()})
        self._raw_methods = {e["name"].lower(): e for e in entries if e["name"][:1].islower()}
        self._methods: dict[str, _Method] = {}

    @classmethod
    def load(cls, path: Path | None = None) -> TelegramSpec:
        """The spec for ``path`` (default: the vendored schema); parsed once per path."""
        return _load(data_file(path, SPEC_FILE))

    def has_method(self, name: str) -> bool:
        """Whether the Bot API has method ``name`` (case-insensitive, as Telegram treats it)."""
        return name.lower() in self._raw_methods

    def check_call(
        self, method: str, params: Mapping[str, Any], *, files: Collection[str] = ()
    ) -> list[str]:
        """Violations of a Bot API call; [] when it conforms.

        ``params`` are the request fields: decoded JSON values, or multipart/urlencoded
        strings as aiogram sends them (numbers and booleans as text, objects and arrays
        JSON-encoded); a string given for a non-string field is decoded as JSON first.
        ``files`` are the names of the multipart file parts, which ``attach://<name>``
        values must refer to and which may stand in for an InputFile field themselves.
        """
        spec = self._method(method)
        if spec is None:
            return [f"unknown method {method!r}"]
        parts = frozenset(files)
        errors: list[str] = []
        for name, value in params.items():
            field = spec.fields.get(name)
            if field is None:
                errors.append(f"{name}: unknown parameter of {spec.name}")
                continue
            if value is None:  # null is how JSON bodies omit a field
                continue
            if isinstance(value, str) and "string" not in field.checker.kinds:
                # Form fields carry text: aiogram writes 123, true, and JSON for objects/arrays.
                try:
                    value = json.loads(value)
                except ValueError:
                    errors.append(
                        f"{name}: expected {field.checker.label}, "
                        f"got text {value[:40]!r} that is not JSON"
                    )
                    continue
            field.check(value, name, errors, parts)
        for name in spec.required:
            if params.get(name) is None and not (name in parts and spec.fields[name].takes_file):
                errors.append(f"{name}: missing required parameter of {spec.name}")
        return errors

    def check_object(self, type_name: str, value: Any) -> list[str]:
        """Violations of a JSON value as a Telegram type; [] when it conforms.

        ``type_name`` is a type such as "Update", "Message", "File", or any type
        expression of the schema, e.g. "Array of Update" for a getUpdates result.
        """
        try:
            checker = self._types.checker(type_name)
        except KeyError as error:
            return [str(error.args[0])]
        errors: list[str] = []
        checker.check(value, "", errors, None)
        return errors

    def _method(self, name: str) -> _Method | None:
        key = name.lower()
        spec = self._methods.get(key)
        if spec is None:
            raw = self._raw_methods.get(key)
            if raw is None:
                return None
            annotations = raw.get("annotations") or []
            spec = self._methods[key] = _Method(
                name=raw["name"],
                fields={a["name"]: self._types.field(a) for a in annotations},
                required=tuple(a["name"] for a in annotations if a.get("required")),
            )
        return spec


@functools.cache
def _load(path: Path) -> TelegramSpec:
    return TelegramSpec(load_document(path))
