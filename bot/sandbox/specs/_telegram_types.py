"""Checkers for Telegram Bot API type expressions, built from aiogram's schema.json.

Telegram words its types in prose: "Integer or String", "Array of Array of
InlineKeyboardButton", "Array of InputMediaAudio, InputMediaDocument and
InputMediaPhoto".  Abstract types (ChatMember, InputMedia, ReactionType, ...) have no
fields; their description lists the concrete subtypes as "\\n - Name" lines, and each
subtype pins a tag field in prose ("Type of the reaction, always 'emoji'").  Those tags
are used to dispatch, so an unknown ``type`` is reported as such instead of as a
failed match against every alternative.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Collection, Mapping
from typing import Any

from ._errors import join, kind_of, show

Files = Collection[str] | None  # multipart file part names; None when not checking a request

# "Type of the media, must be photo" / "The member's status in the chat, always 'creator'"
_TAG_RE = re.compile(r"[^.]*, (?:always|must be) '?(\w+)'?")
_SUBTYPE_RE = re.compile(r"^\s*-\s+([A-Z]\w*)\s*$", re.MULTILINE)
_UNION_SPLIT_RE = re.compile(r" or |, | and ")
ATTACH = "attach://"


class Checker:
    """Base of the type checkers: ``kinds`` are the JSON kinds a value may have."""

    label = ""
    kinds: frozenset[str] = frozenset()

    def check(self, value: Any, path: str, errors: list[str], files: Files) -> None:
        """Append the violations of ``value`` (found at ``path``) to ``errors``."""
        raise NotImplementedError


class Primitive(Checker):
    """Integer, Float, String, Boolean and True (a Boolean that can only be true)."""

    def __init__(self, label: str, kinds: set[str], test: Callable[[Any], bool]):
        self.label, self.kinds, self._test = label, frozenset(kinds), test

    def check(self, value: Any, path: str, errors: list[str], files: Files) -> None:
        if not self._test(value):
            errors.append(f"{show(path)}: expected {self.label}, got {_describe(value)}")


class InputFile(Checker):
    """A file upload; in a request it is a multipart part or an ``attach://<part>`` string."""

    label = "InputFile"
    kinds = frozenset({"string"})

    def check(self, value: Any, path: str, errors: list[str], files: Files) -> None:
        if files is None:
            errors.append(
                f"{show(path)}: InputFile can only be sent in a request, not appear in an object"
            )
        elif not (isinstance(value, str) and value.startswith(ATTACH)):
            errors.append(
                f"{show(path)}: expected an uploaded file ('attach://<part>'), "
                f"got {_describe(value)}"
            )


class ArrayOf(Checker):
    """``Array of X``."""

    kinds = frozenset({"array"})

    def __init__(self, item: Checker):
        self.item = item
        self.label = f"Array of {item.label}"

    def check(self, value: Any, path: str, errors: list[str], files: Files) -> None:
        if not isinstance(value, list | tuple):
            errors.append(f"{show(path)}: expected {self.label}, got {_describe(value)}")
            return
        for index, item in enumerate(value):
            self.item.check(item, f"{path}[{index}]", errors, files)


class Field:
    """One annotation of an object type or method."""

    __slots__ = ("attachable", "checker", "name", "required", "tag", "takes_file")

    def __init__(self, annotation: Mapping[str, Any], checker: Checker):
        self.name: str = annotation["name"]
        self.required = bool(annotation.get("required"))
        self.checker = checker
        self.takes_file = "InputFile" in annotation["type"]
        # Strings that may name a file part: InputFile fields and e.g. InputMedia.media.
        self.attachable = self.takes_file or ATTACH in annotation.get("description", "")
        match = _TAG_RE.fullmatch(annotation.get("description", "").strip())
        self.tag = (
            match.group(1) if match and annotation["type"] == "String" and self.required else None
        )

    def check(self, value: Any, path: str, errors: list[str], files: Files) -> None:
        """Validate a value of this field, including its tag and ``attach://`` reference."""
        if self.tag is not None and value != self.tag:
            errors.append(f"{show(path)}: must be {self.tag!r}, got {_describe(value)}")
        elif (
            self.attachable
            and files is not None
            and isinstance(value, str)
            and value.startswith(ATTACH)
        ):
            if value[len(ATTACH) :] not in files:
                errors.append(
                    f"{show(path)}: {value!r} names a file part the request does not contain"
                )
        else:
            self.checker.check(value, path, errors, files)


class ObjectType(Checker):
    """A concrete type such as Message: known fields only, required ones present."""

    kinds = frozenset({"object"})

    def __init__(self, name: str):
        self.label = name
        self.fields: dict[str, Field] = {}
        self.required: tuple[str, ...] = ()

    def check(self, value: Any, path: str, errors: list[str], files: Files) -> None:
        if not isinstance(value, dict):
            errors.append(f"{show(path)}: expected {self.label} object, got {_describe(value)}")
            return
        fields = self.fields
        for name, item in value.items():
            spec = fields.get(name)
            if spec is None:
                errors.append(f"{show(join(path, name))}: unknown field of {self.label}")
            else:
                spec.check(item, join(path, name), errors, files)
        for name in self.required:
            if name not in value:
                errors.append(f"{show(join(path, name))}: missing required field of {self.label}")


class Union(Checker):
    """``A or B`` and abstract types: the value must match one alternative."""

    def __init__(self, label: str, options: list[Checker] | None = None):
        self.label = label
        self.options: list[Checker] = options or []

    # Both are computed on first use: an abstract type's options are filled in after the
    # union is registered (RichText contains Array of RichText).
    @functools.cached_property
    def kinds(self) -> frozenset[str]:  # type: ignore[override]
        return frozenset().union(*(o.kinds for o in self.options))

    @functools.cached_property
    def dispatch(self) -> tuple[str, dict[str, list[Checker]]] | None:
        """(tag field, tag value -> alternatives) when every object alternative has a tag."""
        objects = [o for o in self.options if isinstance(o, ObjectType)]
        return _common_tag(objects) if len(objects) > 1 else None

    def check(self, value: Any, path: str, errors: list[str], files: Files) -> None:
        kind = kind_of(value)
        candidates = [o for o in self.options if kind in o.kinds]
        dispatch = self.dispatch
        if kind == "object" and dispatch is not None:
            tag_field, table = dispatch
            tag = value.get(tag_field)
            if tag is not None:
                found = table.get(tag) if isinstance(tag, str) else None
                if found is None:
                    allowed = ", ".join(sorted(table))
                    errors.append(
                        f"{show(join(path, tag_field))}: unknown {tag_field} {tag!r} "
                        f"(expected one of: {allowed})"
                    )
                    return
                candidates = found
        if not candidates:
            errors.append(f"{show(path)}: expected {self.label}, got {_describe(value)}")
            return
        best: list[str] | None = None
        for option in candidates:
            found_errors: list[str] = []
            option.check(value, path, found_errors, files)
            if not found_errors:
                return
            if best is None or len(found_errors) < len(best):
                best = found_errors
        errors.extend(best or ())


def _common_tag(objects: list[ObjectType]) -> tuple[str, dict[str, list[Checker]]] | None:
    # The field every alternative pins to a constant ("type", "status", "source").
    for name, spec in objects[0].fields.items():
        if spec.tag is None or not all(name in o.fields and o.fields[name].tag for o in objects):
            continue
        table: dict[str, list[Checker]] = {}
        for o in objects:
            table.setdefault(o.fields[name].tag or "", []).append(o)  # photo: cached and uploaded
        return name, table
    return None


def _describe(value: Any) -> str:
    kind = kind_of(value)
    if kind in ("string", "integer", "number", "boolean"):
        text = repr(value)
        return f"{kind} {text[:40]}{'...' if len(text) > 40 else ''}"
    return kind


def _primitives() -> dict[str, Checker]:
    def is_int(v: Any) -> bool:
        return isinstance(v, int) and not isinstance(v, bool)

    return {
        "Integer": Primitive("Integer", {"integer"}, is_int),
        "Float": Primitive(
            "Float", {"integer", "number"}, lambda v: is_int(v) or isinstance(v, float)
        ),
        "String": Primitive("String", {"string"}, lambda v: isinstance(v, str)),
        "Boolean": Primitive("Boolean", {"boolean"}, lambda v: isinstance(v, bool)),
        "True": Primitive("True", {"boolean"}, lambda v: v is True),
        "InputFile": InputFile(),
    }


class TelegramTypes:
    """Builds (and memoises) checkers for type expressions over the schema's types."""

    def __init__(self, types: Mapping[str, Mapping[str, Any]]):
        self._types = types
        self._memo: dict[str, Checker] = _primitives()

    def checker(self, expr: str) -> Checker:
        """Checker for ``expr``; raises KeyError naming an unknown type."""
        expr = expr.strip()
        found = self._memo.get(expr)
        if found is not None:
            return found
        if expr.startswith("Array of "):
            # "Array of A, B and C" is an array of the union, not a union of arrays.
            found = ArrayOf(self.checker(expr[len("Array of ") :]))
        elif _UNION_SPLIT_RE.search(expr):
            found = Union(expr, [self.checker(part) for part in _UNION_SPLIT_RE.split(expr)])
        else:
            return self._named(expr)
        self._memo[expr] = found
        return found

    def field(self, annotation: Mapping[str, Any]) -> Field:
        """Compiled form of one ``annotations`` entry."""
        return Field(annotation, self.checker(annotation["type"]))

    def _named(self, name: str) -> Checker:
        entry = self._types.get(name)
        if entry is None:
            raise KeyError(f"unknown Telegram type {name!r}")
        annotations = entry.get("annotations") or []
        description = entry.get("description", "")
        members = [m for m in _SUBTYPE_RE.findall(description) if m in self._types]
        if not annotations and members:
            union = Union(name)
            self._memo[name] = union  # registered first: RichText contains Array of RichText
            # RichText also allows "a String for plain text, an Array of RichText".
            extras = ["String"] if "either a String" in description else []
            extras += re.findall(r"an (Array of [A-Z]\w*)", description)
            union.options = [self.checker(m) for m in extras + members]
            return union
        obj = ObjectType(name)
        self._memo[name] = obj
        obj.fields = {a["name"]: self.field(a) for a in annotations}
        obj.required = tuple(a["name"] for a in annotations if a.get("required"))
        return obj
