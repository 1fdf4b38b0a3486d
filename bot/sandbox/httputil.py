"""Small HTTP helpers the three stand-ins share."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from .core import Sandbox
    from .faults import Fault


async def read_json(request: web.Request) -> Any:
    """The decoded JSON body, None when there is none; ValueError if it is not JSON."""
    raw = await request.read()
    if not raw:
        return None
    return json.loads(raw)


async def drop_after_hold(sandbox: Sandbox, request: web.Request, fault: Fault) -> web.Response:
    """A timeout fault: keep the client waiting, then close the connection unanswered.

    The hold is bounded by the fault (and cut short when the sandbox closes) so a
    forgotten rule cannot wedge a test run.
    """
    await sandbox.hold(fault.hold)
    if request.transport is not None:
        request.transport.close()
    # Never reaches the client: the connection is gone.
    return web.Response(status=504)


def json_response(
    payload: Any, *, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """A JSON answer that keeps non-ASCII text readable."""
    return web.Response(
        text=json.dumps(payload, ensure_ascii=False),
        status=status,
        content_type="application/json",
        headers=headers,
    )
