"""Locate and parse the vendored specification files (each parsed once per process)."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import yaml

try:  # libyaml's loader parses the 1 MB WhatsApp file in ~0.5 s; pure Python takes ~10x longer
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader  # type: ignore[assignment]

DATA_DIR = Path(__file__).resolve().parent / "data"


@functools.cache
def load_document(path: Path) -> Any:
    """Parse a JSON or YAML file; cached, so callers must not mutate the result."""
    with path.open("rb") as handle:
        if path.suffix == ".json":
            return json.load(handle)
        return yaml.load(handle, Loader=SafeLoader)


def data_file(path: Path | str | None, default: str) -> Path:
    """``path`` as an absolute Path, or the vendored file ``default`` when None."""
    return Path(path).resolve() if path is not None else DATA_DIR / default
