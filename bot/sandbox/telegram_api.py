"""HTTP face of the Telegram stand-in: /telegram/bot<token>/<method> and file downloads.

Order of checks, like Telegram's: the token, then the method, then the parameters (the
spec check), then flood control when it is on (telegram_limits.py), then injected faults,
then the method itself. Every request is recorded in `Sandbox.calls`; a spec violation is
also recorded in `Sandbox.violations`.
"""

from __future__ import annotations

import hmac
from datetime import datetime
from typing import TYPE_CHECKING, Any

from aiohttp import web
from aiohttp.web_request import FileField

from .faults import Fault
from .httputil import drop_after_hold, json_response, read_json
from .records import SandboxBug
from .telegram_limits import counts_as_message
from .telegram_methods import TelegramMethods
from .telegram_params import BLOCKED, Method, Params, TelegramError

if TYPE_CHECKING:
    from .telegram import TelegramStandIn


class TelegramApi:
    """Routes and request handling of the Bot API stand-in."""

    def __init__(self, stand_in: TelegramStandIn) -> None:
        self.tg = stand_in
        self.sandbox = stand_in.sandbox
        self.methods = TelegramMethods(stand_in).table()

    def register(self, router: web.UrlDispatcher) -> None:
        """Add the Bot API routes."""
        router.add_get("/telegram/file/bot{token}/{path:.+}", self.download)
        router.add_route("*", "/telegram/bot{token}/{method}", self.handle)

    def _authorized(self, request: web.Request) -> bool:
        expected = self.sandbox.credentials.telegram_token
        return hmac.compare_digest(request.match_info["token"].encode(), expected.encode())

    def _answer(
        self,
        name: str,
        params: Any,
        status: int,
        payload: dict[str, Any],
        fault: str | None = None,
        at: datetime | None = None,
    ) -> web.Response:
        self.sandbox.record_call(
            "telegram", name, params, status, fault=fault, response=payload, at=at
        )
        return json_response(payload, status=status)

    def _error(
        self,
        name: str,
        params: Any,
        error: TelegramError,
        fault: str | None = None,
        at: datetime | None = None,
    ) -> web.Response:
        payload: dict[str, Any] = {
            "ok": False,
            "error_code": error.code,
            "description": error.description,
        }
        if error.retry_after is not None:
            payload["parameters"] = {"retry_after": error.retry_after}
            # Checked like every other answer: aiogram reads it as ResponseParameters.
            problems = self.sandbox.specs.telegram.check_object(
                "ResponseParameters", payload["parameters"]
            )
            if problems:
                self.sandbox.add_violation("telegram", f"{name} error (sandbox bug)", problems)
                raise SandboxBug(f"sandbox answered {name} with invalid parameters: {problems}")
        return self._answer(name, params, error.code, payload, fault, at)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """One Bot API call."""
        name = request.match_info["method"]
        if not self._authorized(request):
            return self._error(name, {}, TelegramError(401, "Unauthorized"))
        try:
            values, files = await _read_params(request)
        except ValueError:
            return self._error(name, {}, TelegramError(400, "Bad Request: can't parse request"))
        spec = self.sandbox.specs.telegram
        method = self.methods.get(name.lower())
        if method is None:
            if spec.has_method(name):
                self.sandbox.add_violation("telegram", name, ["the sandbox does not implement it"])
                error = TelegramError(501, f"Not Implemented: the sandbox has no {name}")
            else:
                self.sandbox.add_violation("telegram", name, ["no such Bot API method"])
                error = TelegramError(404, "Not Found")
            return self._error(name, values, error)
        problems = spec.check_call(method.name, values, files=list(files))
        if problems:
            self.sandbox.add_violation("telegram", method.name, problems)
            text = "Bad Request: sandbox spec check: " + "; ".join(problems)
            return self._error(method.name, values, TelegramError(400, text))
        # Messages are recorded at the moment flood control counted them (the handler may
        # await), so that the record and the count agree.
        arrived = self.sandbox.now()
        if (refused := self._flood_control(method.name, values, arrived)) is not None:
            return self._error(method.name, values, refused, "flood_control", arrived)
        fault = self.sandbox.faults.pick("telegram", method.name)
        if fault is not None and not (fault.kind == "timeout" and fault.processed):
            return await self._faulted(request, method.name, values, fault)
        try:
            result = await method.handler(Params(values, files))
        except TelegramError as error:
            return self._error(method.name, values, error)
        self._check_result(method, result)
        if fault is not None:
            return await self._faulted(request, method.name, values, fault)
        return self._answer(method.name, values, 200, {"ok": True, "result": result}, at=arrived)

    def _flood_control(
        self, name: str, values: dict[str, Any], arrived: datetime
    ) -> TelegramError | None:
        """Telegram's 429 when this message would break the broadcast limits (if enforced)."""
        flood = self.sandbox.telegram_flood
        if flood is None or not counts_as_message(name):
            return None
        token = self.sandbox.credentials.telegram_token
        wait = flood.admit(token, values.get("chat_id"), arrived.timestamp())
        if wait is None:
            return None
        return TelegramError(429, f"Too Many Requests: retry after {wait}", retry_after=wait)

    def _check_result(self, method: Method, result: Any) -> None:
        if method.returns is None:
            return
        problems = self.sandbox.specs.telegram.check_object(method.returns, result)
        if problems:
            self.sandbox.add_violation("telegram", f"{method.name} result (sandbox bug)", problems)
            raise SandboxBug(
                f"sandbox answered {method.name} with an invalid {method.returns}: {problems}"
            )

    async def _faulted(
        self, request: web.Request, name: str, params: Any, fault: Fault
    ) -> web.StreamResponse:
        if fault.kind == "timeout":
            self.sandbox.record_call("telegram", name, params, 0, fault=fault.kind)
            return await drop_after_hold(self.sandbox, request, fault)
        if fault.kind == "rate_limit":
            error = TelegramError(
                429,
                f"Too Many Requests: retry after {fault.retry_after}",
                retry_after=fault.retry_after,
            )
        elif fault.kind == "blocked":
            error = TelegramError(403, BLOCKED)
        else:
            error = TelegramError(fault.status, "Internal Server Error")
        return self._error(name, params, error, fault.kind)

    async def download(self, request: web.Request) -> web.StreamResponse:
        """A file download (the path comes from getFile)."""
        path = request.match_info["path"]
        params = {"file_path": path}
        if not self._authorized(request):
            return self._error("file", params, TelegramError(401, "Unauthorized"))
        fault = self.sandbox.faults.pick("telegram", "file")
        if fault is not None:
            return await self._faulted(request, "file", params, fault)
        stored = self.tg.file_by_path(path)
        if stored is None:
            return self._error("file", params, TelegramError(404, "Not Found"))
        self.sandbox.record_call("telegram", "file", params, 200)
        return web.Response(body=stored.content, content_type=stored.mime_type)


async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, FileField]]:
    """Fields and file parts of a call: query string, then JSON or form body."""
    values: dict[str, Any] = dict(request.query)
    files: dict[str, FileField] = {}
    if request.content_type == "application/json":
        body = await read_json(request)
        if body is not None and not isinstance(body, dict):
            raise ValueError("the JSON body must be an object")
        values.update(body or {})
    elif request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        for key, value in (await request.post()).items():
            if isinstance(value, FileField):
                files[key] = value
            else:
                values[key] = value
    return values, files
