"""Hypothesis strategies for webhook bodies: any JSON, and real bodies with one part replaced.

A signature proves who sent a body, not that it has the shape we expect: platforms add fields
and kinds of event, and a bug on their side (or a leaked secret) sends anything.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import strategies as st

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | st.sampled_from(["text", "message", "postback", "user", "U" + "a" * 32, "sent", "stop"])
)
ANY_JSON = st.recursive(
    _SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)


@st.composite
def mutated(draw: st.DrawFn, examples: list[dict[str, Any]]) -> bytes:
    """One of `examples` with one value somewhere inside replaced by any JSON (or removed)."""
    document = copy.deepcopy(draw(st.sampled_from(examples)))
    parent: Any = None
    key: Any = None
    node: Any = document
    # Walk down a random path; stop at a random depth or at a leaf.
    while isinstance(node, (dict, list)) and node and draw(st.integers(0, 3)) > 0:
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        parent, key = node, draw(st.sampled_from(keys))
        node = node[key]
    if parent is None:
        document = draw(ANY_JSON)
    elif draw(st.booleans()) and isinstance(parent, dict):
        del parent[key]
    else:
        parent[key] = draw(ANY_JSON)
    return json.dumps(document).encode()


def bodies(examples: list[dict[str, Any]]) -> st.SearchStrategy[bytes]:
    """Broken real bodies, any JSON, and bytes that are not JSON at all."""
    return st.one_of(
        mutated(examples),
        ANY_JSON.map(lambda value: json.dumps(value).encode()),
        st.binary(max_size=200),
        st.just(b"[" * 100_000),  # deeper than the JSON decoder recurses
    )
