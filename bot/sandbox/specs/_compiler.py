"""Compile OpenAPI 3.0/3.1 schema objects into ``Node`` validators.

Why not plain ``jsonschema``: the vendored specs rely on OpenAPI semantics that JSON
Schema does not share.  Subtypes extend a base through ``allOf`` while declaring
``additionalProperties: false`` in one branch (WhatsApp), which under JSON Schema
rules rejects every property of the sibling branch; and polymorphism is expressed
with ``discriminator`` whose subtypes ``allOf``-include the very base that dispatches
to them (LINE), which is a cycle for a naive validator.  So ``allOf`` members are
merged into one object shape (see ``_merge``) and discriminators dispatch on the tag.
Also translated: ``nullable`` (3.0), ``exclusiveMinimum`` as flag (3.0) or bound (3.1),
``type`` lists (3.1).  ``format`` is an annotation, as in JSON Schema by default.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from ._merge import flatten, is_annotation
from ._schema import TYPE_CHECKS, Node


class SchemaCompiler:
    """Compiles schemas of one OpenAPI document, memoising ``$ref`` targets.

    ``pattern_overrides`` replaces ``pattern`` values the vendor got wrong (value
    ``None`` drops the pattern); keys are the pattern strings as they appear in the file.
    """

    def __init__(
        self, document: Mapping[str, Any], pattern_overrides: Mapping[str, str | None] | None = None
    ):
        self._doc = document
        self._overrides = dict(pattern_overrides or {})
        self._refs: dict[str, Node] = {}

    def resolve(self, ref: str) -> Any:
        """Return the raw object a local ``#/...`` JSON pointer names."""
        if not ref.startswith("#/"):
            raise ValueError(f"only local $refs are supported, got {ref!r}")
        target: Any = self._doc
        for part in ref[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        return target

    def ref(self, ref: str) -> Node:
        """Compiled node for the schema a ``$ref`` names (compiled once, then shared)."""
        node = self._refs.get(ref)
        if node is None:
            node = self._refs[ref] = Node()  # registered first so recursive schemas terminate
            self._fill(node, flatten(self.resolve(ref), self.resolve, (ref,)))
        return node

    def compile(self, schema: Any) -> Node:
        """Compile an inline schema object (which may itself be a ``$ref``)."""
        if isinstance(schema, Mapping) and "$ref" in schema and not _has_constraints(schema):
            return self.ref(schema["$ref"])
        node = Node()
        if schema is False:
            node.not_ = Node()
        elif isinstance(schema, Mapping):
            self._fill(node, flatten(schema, self.resolve, ()))
        return node

    def _fill(self, node: Node, s: Mapping[str, Any]) -> None:
        types = s.get("type")
        if types is not None:
            names = [types] if isinstance(types, str) else list(types)
            checks = tuple(TYPE_CHECKS[t] for t in names if t in TYPE_CHECKS)
            node.types = checks[0] if len(checks) == 1 else lambda v: any(c(v) for c in checks)
            node.type_label = " or ".join(names)
        node.nullable = bool(s.get("nullable"))
        if "enum" in s:
            node.enum = tuple(s["enum"])
        if "const" in s:
            node.const = (s["const"],)
        node.props = {name: self.compile(sub) for name, sub in (s.get("properties") or {}).items()}
        node.required = tuple(s.get("required") or ())
        extra = s.get("additionalProperties", True)
        if isinstance(extra, Mapping):
            node.additional = self.compile(extra) if extra else True
        else:
            node.additional = bool(extra)
        if isinstance(s.get("items"), Mapping):
            node.items = self.compile(s["items"])
        node.min_items, node.max_items = s.get("minItems"), s.get("maxItems")
        node.min_len, node.max_len = s.get("minLength"), s.get("maxLength")
        node.unique = bool(s.get("uniqueItems"))
        node.minimum = _bound(s, "minimum", "exclusiveMinimum", max)
        node.maximum = _bound(s, "maximum", "exclusiveMaximum", min)
        node.pattern = self._pattern(s.get("pattern"))
        node.all_of = tuple(self.compile(sub) for sub in s.get("allOf") or ())
        node.one_of = tuple(self.compile(sub) for sub in s.get("oneOf") or ())
        node.any_of = tuple(self.compile(sub) for sub in s.get("anyOf") or ())
        if "not" in s:
            node.not_ = self.compile(s["not"])
        if isinstance(s.get("discriminator"), Mapping):
            # The tag picks the branch; oneOf/anyOf only decide when the tag is absent.
            node.disc = self._discriminator(s)

    def _discriminator(self, s: Mapping[str, Any]) -> tuple[str, dict[str, Node]] | None:
        disc = s["discriminator"]
        targets = dict(disc.get("mapping") or {})
        if not targets:  # implicit mapping: the tag is the subtype's schema name
            for sub in (s.get("oneOf") or []) + (s.get("anyOf") or []):
                if "$ref" in sub:
                    targets[sub["$ref"].rsplit("/", 1)[-1]] = sub["$ref"]
        if not targets:
            return None
        mapping = {
            tag: self.ref(ref if ref.startswith("#/") else f"#/components/schemas/{ref}")
            for tag, ref in targets.items()
        }
        return disc["propertyName"], mapping

    def _pattern(self, pattern: Any) -> re.Pattern[str] | None:
        if not isinstance(pattern, str):
            return None
        pattern = self._overrides.get(pattern, pattern)
        if pattern is None:
            return None
        try:
            return re.compile(pattern)
        except re.error:
            return None  # an ECMA-only construct: tolerate rather than reject everything


def _bound(
    s: Mapping[str, Any], key: str, exclusive_key: str, pick: Any
) -> tuple[float, bool] | None:
    bound = s.get(key)
    exclusive = s.get(exclusive_key)
    if isinstance(exclusive, bool):  # OpenAPI 3.0: a flag on the inclusive bound
        return (bound, exclusive) if bound is not None else None
    # OpenAPI 3.1: a bound of its own; the tighter of the two applies.
    if (
        isinstance(exclusive, int | float)
        and math.isfinite(exclusive)
        and (bound is None or pick(bound, exclusive) == exclusive)
    ):
        return (exclusive, True)
    return (bound, False) if bound is not None else None


def _has_constraints(schema: Mapping[str, Any]) -> bool:
    # OpenAPI 3.1 allows keywords beside $ref; descriptive ones change nothing.
    return any(k != "$ref" and not is_annotation(k) for k in schema)
