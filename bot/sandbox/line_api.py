"""HTTP face of the LINE stand-in: the Messaging API (/line) and its data host (/line-data).

Checks run in LINE's order: the bearer token, the request against LINE's OpenAPI spec,
injected faults, then the endpoint. Every response carries `x-line-request-id`.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .faults import Fault
from .httputil import drop_after_hold, json_response, read_json
from .ids import request_id

if TYPE_CHECKING:
    from .line import LineStandIn

RETRY_KEY_TTL = timedelta(hours=24)
_UUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
_USER_ID = re.compile(r"U[0-9a-f]{32}")
_RATE_LIMITED = "The API rate limit has been exceeded. Try again later."


@dataclass
class LineRequest:
    """One call as the endpoint sees it; `deliver` is False under a `blocked` fault."""

    request: web.Request
    body: Any
    params: dict[str, str]
    deliver: bool = True


@dataclass
class Answer:
    """An endpoint's response: JSON `payload`, or raw `content` bytes for downloads."""

    status: int
    payload: Any = None
    content: bytes | None = None
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Accepted:
    """A request accepted under an X-Line-Retry-Key."""

    request_id: str
    time: datetime
    sent_messages: list[dict[str, Any]] | None


Endpoint = Callable[[LineRequest], Awaitable[Answer]]


def _error(status: int, message: str, details: list[str] | None = None) -> Answer:
    payload: dict[str, Any] = {"message": message}
    if details:
        payload["details"] = [{"message": detail} for detail in details]
    return Answer(status, payload)


class LineApi:
    """Routes and endpoints of the Messaging API stand-in."""

    def __init__(self, stand_in: LineStandIn) -> None:
        self.line = stand_in
        self.sandbox = stand_in.sandbox
        self.accepted: dict[str, Accepted] = {}
        self.routes: list[tuple[str, str, re.Pattern[str], Endpoint]] = [
            ("api", "POST", re.compile(r"/v2/bot/message/reply"), self.reply),
            ("api", "POST", re.compile(r"/v2/bot/message/push"), self.push),
            ("api", "POST", re.compile(r"/v2/bot/message/multicast"), self.multicast),
            ("api", "GET", re.compile(r"/v2/bot/profile/(?P<user_id>[^/]+)"), self.profile),
            ("api", "GET", re.compile(r"/v2/bot/info"), self.bot_info),
            ("api", "POST", re.compile(r"/v2/bot/chat/loading/start"), self.loading),
            (
                "data",
                "GET",
                re.compile(r"/v2/bot/message/(?P<message_id>[^/]+)/content"),
                self.content,
            ),
        ]

    def register(self, router: web.UrlDispatcher) -> None:
        """Add the api host (/line) and data host (/line-data) routes."""
        router.add_route("*", "/line/{path:.*}", self.handle_api)
        router.add_route("*", "/line-data/{path:.*}", self.handle_data)

    async def handle_api(self, request: web.Request) -> web.StreamResponse:
        """A request to api.line.me."""
        return await self._handle(request, "api")

    async def handle_data(self, request: web.Request) -> web.StreamResponse:
        """A request to api-data.line.me."""
        return await self._handle(request, "data")

    def _respond(
        self, name: str, body: Any, answer: Answer, fault: str | None = None
    ) -> web.Response:
        self.sandbox.record_call(
            "line", name, body, answer.status, fault=fault, response=answer.payload
        )
        headers = {"x-line-request-id": request_id(), **answer.headers}
        if answer.content is not None:
            return web.Response(
                body=answer.content,
                status=answer.status,
                content_type=answer.content_type,
                headers=headers,
            )
        return json_response(answer.payload, status=answer.status, headers=headers)

    async def _handle(self, request: web.Request, host: str) -> web.StreamResponse:
        path = "/" + request.match_info["path"]
        name = f"{request.method} {path}"
        expected = f"Bearer {self.sandbox.credentials.line_access_token}".encode()
        if not hmac.compare_digest(request.headers.get("Authorization", "").encode(), expected):
            message = (
                "Authentication failed. "
                "Confirm that the access token in the authorization header is valid."
            )
            return self._respond(name, None, _error(401, message))
        try:
            body = await read_json(request)
        except ValueError:
            self.sandbox.add_violation("line", name, ["the body is not JSON"])
            return self._respond(
                name, None, _error(400, "The request body has 1 error(s)", ["Malformed JSON"])
            )
        problems = self.sandbox.specs.line.check_request(request.method, path, body, host=host)
        if problems:
            self.sandbox.add_violation("line", name, problems)
            return self._respond(
                name, body, _error(400, f"The request body has {len(problems)} error(s)", problems)
            )
        route = self._route(host, request.method, path)
        if route is None:
            self.sandbox.add_violation("line", name, ["the sandbox does not implement it"])
            return self._respond(
                name, body, _error(501, "Not implemented by the Broadside sandbox")
            )
        endpoint, params = route
        call = LineRequest(request, body, params)
        fault = self.sandbox.faults.pick("line", name)
        if fault is not None and fault.kind == "blocked":
            # LINE does not report blocked recipients: the send "succeeds", nobody gets it.
            call.deliver = False
        elif fault is not None and not (fault.kind == "timeout" and fault.processed):
            return await self._faulted(request, name, body, fault)
        answer = await endpoint(call)
        if fault is not None and fault.kind == "timeout":
            return await self._faulted(request, name, body, fault)
        return self._respond(name, body, answer, fault.kind if fault else None)

    def _route(self, host: str, method: str, path: str) -> tuple[Endpoint, dict[str, str]] | None:
        for route_host, verb, pattern, endpoint in self.routes:
            if route_host == host and verb == method and (match := pattern.fullmatch(path)):
                return endpoint, match.groupdict()
        return None

    async def _faulted(
        self, request: web.Request, name: str, body: Any, fault: Fault
    ) -> web.StreamResponse:
        if fault.kind == "timeout":
            self.sandbox.record_call("line", name, body, 0, fault=fault.kind)
            return await drop_after_hold(self.sandbox, request, fault)
        if fault.kind == "rate_limit":
            return self._respond(name, body, _error(429, _RATE_LIMITED), fault.kind)
        return self._respond(name, body, _error(fault.status, "Internal server error"), fault.kind)

    # --- retry keys --------------------------------------------------------------------------

    def _retry_key(self, call: LineRequest) -> tuple[str | None, Answer | None]:
        """The request's retry key, or the answer that ends the request early."""
        key = call.request.headers.get("X-Line-Retry-Key")
        if key is None:
            return None, None
        if not _UUID.fullmatch(key):
            return None, _error(400, "The value for the 'X-Line-Retry-Key' header is invalid")
        now = self.sandbox.now()
        accepted = self.accepted.get(key)
        if accepted is None or now - accepted.time > RETRY_KEY_TTL:
            return key, None
        payload: dict[str, Any] = {"message": "The retry key is already accepted"}
        if accepted.sent_messages:
            payload["sentMessages"] = accepted.sent_messages
        return key, Answer(
            409, payload, headers={"x-line-accepted-request-id": accepted.request_id}
        )

    def _accept(self, key: str | None, answer: Answer, sent: list[dict[str, Any]] | None) -> Answer:
        if key is not None:
            accepted_id = request_id()
            self.accepted[key] = Accepted(accepted_id, self.sandbox.now(), sent)
            answer.headers["x-line-request-id"] = accepted_id
        return answer

    # --- endpoints ---------------------------------------------------------------------------

    async def reply(self, call: LineRequest) -> Answer:
        """POST /v2/bot/message/reply: the token is single-use and expires."""
        user_id = self.line.reply_user(call.body["replyToken"])
        if user_id is None:
            return _error(400, "Invalid reply token")
        sent = self.line.deliver(
            user_id if call.deliver else None, call.body["messages"], call.body
        )
        return Answer(200, {"sentMessages": sent})

    async def push(self, call: LineRequest) -> Answer:
        """POST /v2/bot/message/push."""
        key, early = self._retry_key(call)
        if early is not None:
            return early
        to = call.body["to"]
        if not _USER_ID.fullmatch(to):
            return _error(
                400, "The property, 'to', in the request body is invalid (line: -, column: -)"
            )
        if to not in self.line.users:
            return _error(400, "Failed to send messages")
        sent = self.line.deliver(to if call.deliver else None, call.body["messages"], call.body)
        return self._accept(key, Answer(200, {"sentMessages": sent}), sent)

    async def multicast(self, call: LineRequest) -> Answer:
        """POST /v2/bot/message/multicast: unknown or blocking users are skipped silently."""
        key, early = self._retry_key(call)
        if early is not None:
            return early
        for index, to in enumerate(call.body["to"]):
            if not _USER_ID.fullmatch(to):
                return _error(400, f"The property, 'to[{index}]', in the request body is invalid")
        for to in call.body["to"]:
            self.line.deliver(to if call.deliver else None, call.body["messages"], call.body)
        return self._accept(key, Answer(200, {}), None)

    async def profile(self, call: LineRequest) -> Answer:
        """GET /v2/bot/profile/{userId}: 404 unless the user is a friend."""
        user = self.line.users.get(call.params["user_id"])
        if user is None or not user.following or not call.deliver:
            return _error(404, "Not found")
        profile = {
            "userId": user.user_id,
            "displayName": user.display_name,
            "language": user.language,
        }
        if user.picture_url:
            profile["pictureUrl"] = user.picture_url
        return Answer(200, profile)

    async def bot_info(self, _call: LineRequest) -> Answer:
        """GET /v2/bot/info."""
        return Answer(
            200,
            {
                "userId": self.line.bot_user_id,
                "basicId": self.line.basic_id,
                "displayName": "Broadside Sandbox",
                "chatMode": "bot",
                "markAsReadMode": "auto",
            },
        )

    async def loading(self, _call: LineRequest) -> Answer:
        """POST /v2/bot/chat/loading/start: the typing animation; nothing to show here."""
        return Answer(202, {})

    async def content(self, call: LineRequest) -> Answer:
        """GET /v2/bot/message/{messageId}/content on the data host."""
        stored = self.line.contents.get(call.params["message_id"])
        if stored is None:
            return _error(404, "Not found")
        content, mime = stored
        return Answer(200, content=content, content_type=mime)
