"""The sandbox console's JSON API (the console page is built on it), and the page itself.

There is no authentication: serve the sandbox on loopback only.

    GET  /console                      the page (static/console.html; a placeholder until built)
    GET  /console/console.js, /console/console.css   its script and style sheet
    GET  /console/api/state?since=N    everything the page shows, inbox entries after cursor N:
         {"cursor": int,                          pass it back as ?since= next time
          "telegram": {"bot": User, "webhook": {"url", "pending_update_count"},
                       "users": [{"user_id", "first_name", "language_code", "blocked", "inbox",
                                  "said"}]},
          "line":     {"bot_user_id",
                       "users": [{"user_id", "display_name", "language", "following", "inbox",
                                  "said"}]},
          "whatsapp": {"phone_number_id", "users": [{"wa_id", "name", "inbox", "said"}]},
          "calls": int, "violations": [str], "faults": [Fault], "deliveries": [Delivery (last 20)]}
         an inbox entry: {"seq", "message_id", "text", "buttons": [[{"label", "data"}]],
                          "document": {"name", "size"} | null, "edited", "deleted"}
         (an edited or deleted message comes again, with a higher seq, to replace the old entry)
         a said entry, what the person did through this API, numbered with the same seq:
                         {"seq", "id", "kind", "text", "error"}, kind one of text, button,
                         file, photo, sticker, block, unblock, follow, unfollow; error (str)
                         when it did not reach the bot (it comes again with the error set)
    GET  /console/api/calls?since=N    {"cursor": int, "calls": [Call]} (requests after index N)

    POST /console/api/telegram/send_text      {"user_id": int, "text", "language_code"?,
                                               "first_name"?}
    POST /console/api/telegram/press_button   {"user_id": int, "message_id": int, "data"}
    POST /console/api/telegram/send_document  multipart/form-data: user_id, file
    POST /console/api/telegram/send_photo     {"user_id": int}
    POST /console/api/telegram/send_sticker   {"user_id": int}
    POST /console/api/telegram/block          {"user_id": int}       (and .../unblock)
    POST /console/api/telegram/add_user       {"user_id": int, "first_name"?, "language_code"?}
                                              (someone who started the bot before: no update)
    POST /console/api/line/follow             {"user_id"?, "language"?, "display_name"?}
                                              (a fresh user id when none is given)
    POST /console/api/line/unfollow           {"user_id"}
    POST /console/api/line/send_text          {"user_id", "text"}
    POST /console/api/line/postback           {"user_id", "data", "display_text"?}
    POST /console/api/line/send_file          multipart/form-data: user_id, file
    POST /console/api/line/send_image         {"user_id"}
    POST /console/api/line/send_sticker       {"user_id"}
    POST /console/api/whatsapp/send_text      {"wa_id", "text", "name"?}
    POST /console/api/whatsapp/send_status    {"wamid", "status", "error_code"?}
    POST /console/api/whatsapp/add_user       {"wa_id": digits, "name"?}  (listed; no webhook)
         each answers {"ok": true, "user_id"?: ..., "delivery": Delivery | null}: how the bot
         answered the webhook the action caused (null when it queued for getUpdates)

    GET    /console/api/faults              {"faults": [Fault]}
    POST   /console/api/faults              {"platform", "kind", "match"?, "times"?,
                                             "probability"?, "retry_after"?, "status"?, "hold"?,
                                             "processed"?, "code"?}
                                            -> Fault (see faults.py for the meaning of each field)
    POST   /console/api/faults/clear        {"platform"?}  (all platforms when absent)
    DELETE /console/api/faults/{id}

    Errors: 400 {"error": "..."} for bad input; 409 {"error": "..."} when the action cannot
    happen now (e.g. the bot's URL is not known yet); 404 for an unknown action.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from aiohttp import web
from aiohttp.web_request import FileField

from .console_views import (
    PERSON_KINDS,
    PersonMessage,
    calls_json,
    delivery_json,
    person_message,
    state_json,
)
from .httputil import json_response
from .records import SandboxBug

if TYPE_CHECKING:
    from .core import Sandbox
    from .records import Platform

_PLACEHOLDER = (
    "<!doctype html><html><head><meta charset='utf-8'><title>Broadside sandbox</title></head>"
    "<body><h1>Broadside sandbox</h1><p>The console is coming. Its JSON API is under "
    "<code>/console/api/</code>.</p></body></html>"
)

# The page is edited while the sandbox runs: browsers must ask again each time.
_NO_CACHE = {"Cache-Control": "no-cache"}

Action = Callable[[dict[str, Any]], Awaitable[dict[str, Any] | None]]


def _need(body: dict[str, Any], key: str, kind: type = str) -> Any:
    value = body.get(key)
    if kind is int and isinstance(value, str) and value.lstrip("-").isdigit():
        value = int(value)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ValueError(f"{key} must be {'an integer' if kind is int else 'a string'}")
    return value


class Console:
    """Routes of the console page and its JSON API."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        tg, line, wa = sandbox.telegram, sandbox.line, sandbox.whatsapp
        self.actions: dict[tuple[str, str], Action] = {
            ("telegram", "send_text"): lambda b: tg.send_text(
                _need(b, "user_id", int),
                _need(b, "text"),
                language_code=b.get("language_code", "en"),
                first_name=b.get("first_name", "Test"),
            ),
            ("telegram", "press_button"): self._press_button,
            ("telegram", "send_document"): lambda b: tg.send_document(
                _need(b, "user_id", int), *self._file(b)
            ),
            ("telegram", "send_photo"): lambda b: tg.send_photo(_need(b, "user_id", int)),
            ("telegram", "send_sticker"): lambda b: tg.send_sticker(_need(b, "user_id", int)),
            ("telegram", "block"): lambda b: tg.block(_need(b, "user_id", int)),
            ("telegram", "unblock"): lambda b: tg.unblock(_need(b, "user_id", int)),
            ("telegram", "add_user"): self._add_telegram_user,
            ("line", "follow"): self._follow,
            ("line", "unfollow"): lambda b: line.unfollow(_need(b, "user_id")),
            ("line", "send_text"): lambda b: line.send_text(_need(b, "user_id"), _need(b, "text")),
            ("line", "postback"): lambda b: line.press_postback(
                _need(b, "user_id"), _need(b, "data"), display_text=b.get("display_text")
            ),
            ("line", "send_file"): lambda b: line.send_file(
                _need(b, "user_id"), *self._file(b)[:2]
            ),
            ("line", "send_image"): lambda b: line.send_image(_need(b, "user_id")),
            ("line", "send_sticker"): lambda b: line.send_sticker(_need(b, "user_id")),
            ("whatsapp", "send_text"): lambda b: wa.send_text(
                _need(b, "wa_id"), _need(b, "text"), name=b.get("name", "Test")
            ),
            ("whatsapp", "send_status"): lambda b: wa.send_status(
                _need(b, "wamid"), _need(b, "status"), error_code=b.get("error_code")
            ),
            ("whatsapp", "add_user"): self._add_whatsapp_user,
        }

    def register(self, router: web.UrlDispatcher) -> None:
        """Add the console routes."""
        router.add_get("/console", self.page)
        router.add_get(r"/console/{asset:console\.(?:js|css)}", self.asset)
        router.add_get("/console/api/state", self.state)
        router.add_get("/console/api/calls", self.calls)
        router.add_get("/console/api/faults", self.list_faults)
        router.add_post("/console/api/faults", self.add_fault)
        router.add_post("/console/api/faults/clear", self.clear_faults)
        router.add_delete("/console/api/faults/{fault_id}", self.remove_fault)
        router.add_post("/console/api/{platform}/{action}", self.action)

    async def page(self, _request: web.Request) -> web.StreamResponse:
        """The console page, or a placeholder until someone builds it."""
        page = await asyncio.to_thread(_static_file, "console.html")
        if page is not None:
            return web.FileResponse(page, headers=_NO_CACHE)
        return web.Response(text=_PLACEHOLDER, content_type="text/html")

    async def asset(self, request: web.Request) -> web.StreamResponse:
        """The page's script or style sheet."""
        path = await asyncio.to_thread(_static_file, request.match_info["asset"])
        if path is None:
            raise web.HTTPNotFound
        return web.FileResponse(path, headers=_NO_CACHE)

    # --- reading -------------------------------------------------------------------------------

    async def state(self, request: web.Request) -> web.Response:
        """GET /console/api/state?since=N."""
        return json_response(state_json(self.sandbox, _cursor(request)))

    async def calls(self, request: web.Request) -> web.Response:
        """GET /console/api/calls?since=N."""
        return json_response(calls_json(self.sandbox, _cursor(request)))

    # --- acting --------------------------------------------------------------------------------

    async def action(self, request: web.Request) -> web.Response:
        """POST /console/api/{platform}/{action}."""
        key = (request.match_info["platform"], request.match_info["action"])
        handler = self.actions.get(key)
        if handler is None:
            return json_response({"error": f"no action {key[0]}/{key[1]}"}, status=404)
        platform = cast("Platform", key[0])  # every action is under a known platform
        before = len(self.sandbox.deliveries)
        person = None
        try:
            body = await _body(request)
            person = self._person_acts(platform, key[1], body)
            extra = await handler(body) or {}
        except SandboxBug as error:
            return self._refused(person, f"sandbox bug: {error}", 500)
        except RuntimeError as error:
            return self._refused(person, str(error), 409)
        except (ValueError, KeyError, TypeError) as error:
            return self._refused(person, str(error), 400)
        caused = self.sandbox.deliveries[before:]
        if person is not None and caused and not caused[-1].ok:
            status = caused[-1].status
            self._mark(person, f"the bot answered {status}" if status else "the bot is unreachable")
        delivery = delivery_json(caused[-1]) if caused else None
        return json_response({"ok": True, **extra, "delivery": delivery})

    def _person_acts(
        self, platform: Platform, action: str, body: dict[str, Any]
    ) -> PersonMessage | None:
        """Journal the person's side of an action before it runs, so it precedes the replies."""
        if action not in PERSON_KINDS:
            return None
        if (platform, action) == ("line", "follow"):
            # Chosen here rather than in _follow: the journal entry must name the chat.
            body["user_id"] = body.get("user_id") or self.sandbox.line.new_user_id()
        if platform == "telegram":
            chat_id: int | str = _need(body, "user_id", int)
        else:
            chat_id = _need(body, "wa_id" if platform == "whatsapp" else "user_id")
        person = person_message(self.sandbox, platform, chat_id, action, body)
        self.sandbox.journal.record(platform, person)
        return person

    def _mark(self, person: PersonMessage, error: str) -> None:
        """The person's action did not reach the bot: show it again, with why."""
        person.error = error
        self.sandbox.journal.record(person.platform, person)

    def _refused(self, person: PersonMessage | None, error: str, status: int) -> web.Response:
        if person is not None:
            self._mark(person, error)
        return json_response({"error": error}, status=status)

    async def _press_button(self, body: dict[str, Any]) -> None:
        user_id = _need(body, "user_id", int)
        message = self.sandbox.telegram.inboxes.find(user_id, _need(body, "message_id", int))
        if message is None:
            raise ValueError("no such bot message in that chat")
        await self.sandbox.telegram.press_button(user_id, message, _need(body, "data"))

    async def _follow(self, body: dict[str, Any]) -> dict[str, Any]:
        user_id = body.get("user_id") or self.sandbox.line.new_user_id()
        await self.sandbox.line.follow(
            user_id,
            language=body.get("language", "en"),
            display_name=body.get("display_name", "Test"),
        )
        return {"user_id": user_id}

    async def _add_telegram_user(self, body: dict[str, Any]) -> dict[str, Any]:
        user_id = _need(body, "user_id", int)
        if user_id < 1:
            raise ValueError("user_id must be positive")
        self.sandbox.telegram.add_user(
            user_id,
            first_name=str(body.get("first_name") or "Test"),
            language_code=body.get("language_code", "en"),
        )
        return {"user_id": user_id}

    async def _add_whatsapp_user(self, body: dict[str, Any]) -> dict[str, Any]:
        wa_id = _need(body, "wa_id")
        if not (wa_id.isdigit() and 6 <= len(wa_id) <= 15):
            raise ValueError("wa_id must be a phone number in digits, country code first")
        self.sandbox.whatsapp.contacts[wa_id] = str(body.get("name") or "Test")
        return {"wa_id": wa_id}

    @staticmethod
    def _file(body: dict[str, Any]) -> tuple[str, bytes, str]:
        upload = body.get("file")
        if not isinstance(upload, FileField):
            raise ValueError("send the file as multipart/form-data field 'file'")
        return upload.filename, upload.file.read(), upload.content_type

    # --- faults --------------------------------------------------------------------------------

    async def list_faults(self, _request: web.Request) -> web.Response:
        """GET /console/api/faults."""
        return json_response({"faults": [fault.to_json() for fault in self.sandbox.faults.rules]})

    async def add_fault(self, request: web.Request) -> web.Response:
        """POST /console/api/faults."""
        try:
            body = await _body(request)
            options = {k: v for k, v in body.items() if k not in ("platform", "kind")}
            fault = self.sandbox.faults.add(_need(body, "platform"), _need(body, "kind"), **options)
        except (ValueError, TypeError) as error:
            return json_response({"error": str(error)}, status=400)
        return json_response(fault.to_json())

    async def clear_faults(self, request: web.Request) -> web.Response:
        """POST /console/api/faults/clear."""
        try:
            body = await _body(request)
        except ValueError as error:
            return json_response({"error": str(error)}, status=400)
        self.sandbox.faults.clear(body.get("platform"))
        return json_response({"ok": True})

    async def remove_fault(self, request: web.Request) -> web.Response:
        """DELETE /console/api/faults/{id}."""
        fault_id = request.match_info["fault_id"]
        if not fault_id.isdigit() or not self.sandbox.faults.remove(int(fault_id)):
            return json_response({"error": "no such fault"}, status=404)
        return json_response({"ok": True})


def _static_file(name: str) -> Path | None:
    """A file of static/ beside this module, if it exists (blocking I/O)."""
    path = Path(__file__).resolve().parent / "static" / name
    return path if path.is_file() else None


def _cursor(request: web.Request) -> int:
    since = request.query.get("since", "0")
    return int(since) if since.isdigit() else 0


async def _body(request: web.Request) -> dict[str, Any]:
    """A JSON object or form body as a dict (file parts stay FileField)."""
    if request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        return dict(await request.post())
    if not request.can_read_body:
        return {}
    body = await request.json()
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    return body
