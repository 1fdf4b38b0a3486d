"""Flatten OpenAPI ``allOf`` inheritance into one schema per subtype.

OpenAPI models inheritance as ``Sub: allOf: [{$ref: Base}, {properties...}]``.  Read
as plain JSON Schema, each member is checked on its own, so ``additionalProperties:
false`` in one member rejects the properties of the other, and a ``Base`` carrying a
``discriminator`` would dispatch straight back to ``Sub``.  Merging the members into a
single object shape gives the intended meaning and breaks that cycle.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Schema = Mapping[str, Any]

_ANNOTATIONS = frozenset(
    {
        "$comment",
        "$id",
        "$schema",
        "contentEncoding",
        "contentMediaType",
        "default",
        "deprecated",
        "description",
        "example",
        "examples",
        "externalDocs",
        "format",  # formats are annotations by default in JSON Schema too
        "readOnly",
        "title",
        "writeOnly",
        "xml",
    }
)


def is_annotation(keyword: str) -> bool:
    """True for keywords that describe a schema without constraining values."""
    return keyword in _ANNOTATIONS or keyword.startswith("x-")


def without_dispatch(schema: Schema) -> Schema:
    """The base part of a polymorphic schema: its own properties, no subtype dispatch."""
    if "discriminator" not in schema:
        return schema
    # With a discriminator, oneOf/anyOf only enumerate the subtypes.
    return {k: v for k, v in schema.items() if k not in ("discriminator", "oneOf", "anyOf")}


def flatten(schema: Schema, resolve: Callable[[str], Any], stack: tuple[str, ...]) -> Schema:
    """Return ``schema`` with its ``allOf`` members merged in (the input is not modified).

    ``stack`` holds the refs of the schemas being flattened, outermost first, so that a
    member referring back to one of them (cyclic inheritance) is skipped, and a
    discriminated base is recognised as *inherited* by one of its mapped subtypes.
    """
    if "$ref" in schema and any(k != "$ref" and not is_annotation(k) for k in schema):
        # OpenAPI 3.1 allows constraints next to $ref; they combine like allOf.
        rest = {k: v for k, v in schema.items() if k != "$ref"}
        schema = {"allOf": [{"$ref": schema["$ref"]}, rest]}
    members = schema.get("allOf")
    if not members:
        return schema
    merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
    residual: list[Any] = []
    for member in members:
        if isinstance(member, Mapping) and "$ref" in member:
            ref = member["$ref"]
            if ref in stack:
                continue
            target = resolve(ref)
            if "discriminator" in target and not _is_subtype(target, stack):
                residual.append(member)  # a polymorphic value used as a constraint: check it whole
                continue
            member = flatten(without_dispatch(target), resolve, (*stack, ref))
        elif isinstance(member, Mapping):
            member = flatten(member, resolve, stack)
        else:
            continue
        _merge(merged, member, residual)
    if residual:
        merged["allOf"] = residual
    return merged


def _is_subtype(base: Schema, stack: tuple[str, ...]) -> bool:
    mapping = base["discriminator"].get("mapping") or {}
    if not mapping:  # implicit mapping: every schema extending the base is a subtype
        return True
    names = {ref.rsplit("/", 1)[-1] for ref in stack}
    return any(target.rsplit("/", 1)[-1] in names for target in mapping.values())


def _merge(merged: dict[str, Any], member: Schema, residual: list[Any]) -> None:
    for key, value in member.items():
        if is_annotation(key):
            continue
        if key == "properties":
            props = dict(merged.get("properties") or {})
            for name, sub in value.items():
                old = props.get(name)
                props[name] = sub if old is None or old == sub else {"allOf": [old, sub]}
            merged["properties"] = props
        elif key == "required":
            merged["required"] = list(dict.fromkeys([*merged.get("required", ()), *value]))
        elif key == "additionalProperties":
            # Closed if any member is closed; closure then covers the merged properties.
            merged[key] = (
                False if value is False or merged.get(key) is False else merged.get(key, value)
            )
        elif key not in merged:
            merged[key] = value
        elif merged[key] != value:
            residual.append({key: value})  # e.g. a narrower enum: checked in addition
