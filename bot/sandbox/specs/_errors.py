"""Helpers shared by the validators for naming locations and values in messages."""

from __future__ import annotations

from typing import Any

ROOT = "(root)"


def join(path: str, name: str) -> str:
    """Path of property ``name`` inside the value at ``path`` (``a.b``; root is ``""``)."""
    return f"{path}.{name}" if path else name


def show(path: str) -> str:
    """Printable form of a path; the root value has the empty path."""
    return path or ROOT


def kind_of(value: Any) -> str:
    """JSON type name of a decoded value, for messages and type dispatch."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__
