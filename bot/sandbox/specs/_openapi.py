"""Route HTTP requests to OpenAPI operations and validate their JSON bodies."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ._compiler import SchemaCompiler
from ._schema import Node

_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
_NO_BODY = (None, "", b"", {})


@dataclass
class Operation:
    """One (method, path template) of the document, with lazily compiled validators."""

    method: str
    template: str
    servers: tuple[str, ...]
    raw: Mapping[str, Any]
    path_params: dict[str, Any]  # name -> raw schema
    _body: tuple[Node | None, bool, bool] | None = field(default=None, repr=False)

    def body_rules(self, compiler: SchemaCompiler) -> tuple[Node | None, bool, bool]:
        """(JSON body validator or None, body required, operation declares a body)."""
        if self._body is None:
            request_body = self.raw.get("requestBody")
            if isinstance(request_body, Mapping) and "$ref" in request_body:
                request_body = compiler.resolve(request_body["$ref"])
            if not request_body:
                self._body = (None, False, False)
            else:
                content = request_body.get("content") or {}
                json_type = next(
                    (t for t in content if t == "application/json" or t.endswith("+json")), None
                )
                schema = (content[json_type] or {}).get("schema") if json_type else None
                # Only JSON bodies are checked: for form or binary uploads there is no JSON.
                node = compiler.compile(schema) if schema is not None else None
                self._body = (node, bool(request_body.get("required")) and node is not None, True)
        return self._body


@dataclass
class _Route:
    template: str
    params: tuple[str, ...]
    operations: dict[str, Operation]


class _Trie:
    """Path templates by segment, so matching costs one dict lookup per segment."""

    __slots__ = ("literal", "param", "routes")

    def __init__(self) -> None:
        self.literal: dict[str, _Trie] = {}
        self.param: _Trie | None = None
        self.routes: list[_Route] = []

    def insert(self, parts: list[str], route: _Route) -> None:
        node = self
        for part in parts:
            if part.startswith("{") and part.endswith("}"):
                node.param = node.param or _Trie()
                node = node.param
            else:
                node = node.literal.setdefault(part, _Trie())
        node.routes.append(route)

    def find(self, parts: list[str], index: int, values: tuple[str, ...], found: list[Any]) -> None:
        if index == len(parts):
            found.extend((route, values) for route in self.routes)
            return
        part = parts[index]
        # Literal before parameter, left to right: /richmenu/list wins over /richmenu/{id}.
        child = self.literal.get(part)
        if child is not None:
            child.find(parts, index + 1, values, found)
        if self.param is not None and part:
            self.param.find(parts, index + 1, (*values, part), found)


class OpenApiDocument:
    """An OpenAPI document ready to check requests: routes indexed, validators cached."""

    def __init__(
        self,
        document: Mapping[str, Any],
        *,
        title: str | None = None,
        pattern_overrides: Mapping[str, str | None] | None = None,
    ):
        self.title = title or str((document.get("info") or {}).get("title", "the spec"))
        self.compiler = SchemaCompiler(document, pattern_overrides)
        default_servers = _server_urls(document.get("servers"))
        self._root = _Trie()
        for template, item in (document.get("paths") or {}).items():
            parts = template.strip("/").split("/")
            path_servers = _server_urls(item.get("servers")) or default_servers
            operations = {}
            for method in _METHODS:
                raw = item.get(method)
                if isinstance(raw, Mapping):
                    operations[method.upper()] = Operation(
                        method=method.upper(),
                        template=template,
                        servers=_server_urls(raw.get("servers")) or path_servers,
                        raw=raw,
                        path_params=self._path_params(
                            item.get("parameters"), raw.get("parameters")
                        ),
                    )
            self._root.insert(
                parts,
                _Route(template, tuple(p[1:-1] for p in parts if p.startswith("{")), operations),
            )
        self._param_nodes: dict[int, Node] = {}

    def match(self, path: str) -> list[tuple[_Route, dict[str, str]]]:
        """Routes whose template matches ``path``, most specific first, with parameter values."""
        parts = path.split("?", 1)[0].strip("/").split("/")
        found: list[tuple[_Route, tuple[str, ...]]] = []
        self._root.find(parts, 0, (), found)
        return [(route, dict(zip(route.params, values, strict=True))) for route, values in found]

    def check_request(
        self, method: str, path: str, body: Any, *, server: str | None = None
    ) -> list[str]:
        """Violations of a request; ``server`` (a base URL) restricts the operations considered."""
        method = method.upper()
        where = f"{method} {path.split('?', 1)[0]}"
        matches = self.match(path)
        if not matches:
            return [f"{where}: no such path in {self.title}"]
        candidates = [
            (r.operations[method], values) for r, values in matches if method in r.operations
        ]
        if not candidates:
            allowed = sorted({m for r, _ in matches for m in r.operations})
            return [f"{where}: method not allowed (the spec defines {', '.join(allowed)})"]
        if server is not None:
            elsewhere = sorted({s for op, _ in candidates for s in op.servers if s != server})
            candidates = [(op, v) for op, v in candidates if server in op.servers]
            if not candidates:
                return [f"{where}: served by {', '.join(elsewhere)}, not {server}"]
        best: list[str] | None = None
        # Several templates can match (/{Version}/{Phone-Number-ID} vs /{Version}/{WABA-ID}):
        # the request conforms if it fits any of them; otherwise report the closest.
        for operation, values in candidates:
            errors = self._check_params(operation, values) + self._check_body(
                operation, body, where
            )
            if not errors:
                return []
            if best is None or len(errors) < len(best):
                best = errors
        return best or []

    def _check_body(self, operation: Operation, body: Any, where: str) -> list[str]:
        node, required, declared = operation.body_rules(self.compiler)
        if not declared:
            return [] if body in _NO_BODY else [f"{where}: this operation takes no request body"]
        if body is None:
            return [f"{where}: the JSON request body is missing"] if required else []
        if node is None:
            return []
        errors: list[str] = []
        node.check(body, "", errors)
        return errors

    def _check_params(self, operation: Operation, values: dict[str, str]) -> list[str]:
        errors: list[str] = []
        for name, value in values.items():
            schema = operation.path_params.get(name)
            if schema is None:
                continue
            key = id(schema)
            node = self._param_nodes.get(key)
            if node is None:
                node = self._param_nodes[key] = self.compiler.compile(schema)
            node.check(_path_value(schema, value), f"{{{name}}}", errors)
        return errors

    def _path_params(self, *lists: Any) -> dict[str, Any]:
        params: dict[str, Any] = {}
        for entries in lists:
            for entry in entries or ():
                if "$ref" in entry:
                    entry = self.compiler.resolve(entry["$ref"])
                if entry.get("in") == "path" and isinstance(entry.get("schema"), Mapping):
                    params[entry["name"]] = entry["schema"]  # operation-level entries override
        return params


def _path_value(schema: Mapping[str, Any], value: str) -> Any:
    # Path segments are text; a numeric parameter is checked as the number it spells.
    if schema.get("type") in ("integer", "number"):
        try:
            return int(value) if schema["type"] == "integer" else float(value)
        except ValueError:
            return value
    return value


def _server_urls(servers: Any) -> tuple[str, ...]:
    return tuple(
        s["url"].rstrip("/") for s in servers or () if isinstance(s, Mapping) and "url" in s
    )
