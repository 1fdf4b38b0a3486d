"""WhatsApp Cloud API stand-in: /whatsapp/<version>/<phone-number-id>/messages and the
recipients' side (signed webhooks carrying their replies and delivery statuses).

Like Meta, the send call does not tell you a recipient blocked you: a `blocked` fault
answers 200 and the message never arrives; send a "failed" status to tell the bot.
"""

from __future__ import annotations

import hmac
import json
import re
import secrets
from typing import TYPE_CHECKING, Any

from aiohttp import web
from yarl import URL

from .httputil import drop_after_hold, json_response, read_json
from .ids import fbtrace_id, numeric_id, wamid
from .inbox import Inboxes
from .records import Delivery, SentMessage
from .webhooks import whatsapp_headers

if TYPE_CHECKING:
    from .core import Sandbox
    from .records import Call

STATUSES = ("sent", "delivered", "read", "failed")
ERROR_TITLES = {
    130429: "Rate limit hit",
    131000: "Something went wrong",
    131026: "Message undeliverable",
    131047: "Re-engagement message",
    131049: "This message was not delivered to maintain healthy ecosystem engagement.",
    131050: "Unable to deliver the message. This recipient has chosen to stop receiving "
    "marketing messages on WhatsApp from your business",
    131056: "(Business Account, Consumer Account) pair rate limit hit",
}
_LIMITS = {
    130429: "Cloud API message throughput has been reached.",
    80007: "The WhatsApp Business Account has reached its rate limit.",
}


def graph_error(message: str, code: int, **extra: Any) -> dict[str, Any]:
    """A Graph API error body."""
    return {
        "error": {
            "message": message,
            "type": "OAuthException",
            "code": code,
            **extra,
            "fbtrace_id": fbtrace_id(),
        }
    }


def message_view(body: dict[str, Any]) -> tuple[str | None, list[list[tuple[str, str]]]]:
    """Text and reply-button rows of a message request, as tests read them."""
    kind = body.get("type", "text")
    part = body.get(kind) or {}
    if kind == "text":
        return part.get("body"), []
    if kind == "interactive":
        action = part.get("action") or {}
        buttons = [(b["reply"]["title"], b["reply"]["id"]) for b in action.get("buttons") or []]
        rows = [
            [(r["title"], r["id"])]
            for s in action.get("sections") or []
            for r in s.get("rows") or []
        ]
        return (part.get("body") or {}).get("text"), ([buttons] if buttons else []) + rows
    if kind == "template":
        values = [
            str(p.get("text"))
            for c in part.get("components") or []
            for p in c.get("parameters") or []
            if "text" in p
        ]
        return f"[template {part.get('name')}]" + (" " + " | ".join(values) if values else ""), []
    return part.get("caption"), []


class WhatsAppStandIn:
    """WhatsApp Cloud API as the bot sees it, and the recipients, for tests and the console."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.display_phone_number = "1555" + numeric_id(7)
        self.waba_id = numeric_id(15)
        self.contacts: dict[str, str] = {}
        self.sent: dict[str, str] = {}
        self.inboxes = Inboxes("whatsapp", sandbox.journal)

    def register(self, router: web.UrlDispatcher) -> None:
        """Add the Graph API routes."""
        router.add_post("/whatsapp/{version}/{phone_number_id}/{edge}", self.handle)
        router.add_route("*", "/whatsapp/{tail:.*}", self.handle)

    def _respond(
        self, name: str, body: Any, status: int, payload: Any, fault: str | None = None
    ) -> web.Response:
        self.sandbox.record_call("whatsapp", name, body, status, fault=fault, response=payload)
        return json_response(payload, status=status)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """One Graph API request."""
        path = request.path.removeprefix("/whatsapp")
        name = f"{request.method} {path}"
        expected = f"Bearer {self.sandbox.credentials.whatsapp_token}".encode()
        if not hmac.compare_digest(request.headers.get("Authorization", "").encode(), expected):
            error = graph_error("Invalid OAuth access token - Cannot parse access token", 190)
            return self._respond(name, None, 401, error)
        try:
            body = await read_json(request)
        except ValueError:
            self.sandbox.add_violation("whatsapp", name, ["the body is not JSON"])
            return self._respond(name, None, 400, graph_error("(#100) Invalid JSON", 100))
        phone_number_id = request.match_info.get("phone_number_id")
        if (
            phone_number_id is not None
            and phone_number_id != self.sandbox.credentials.whatsapp_phone_number_id
        ):
            message = (
                f"Unsupported post request. Object with ID '{phone_number_id}' does not exist, "
                "cannot be loaded due to missing permissions, or does not support this operation."
            )
            return self._respond(name, body, 400, graph_error(message, 100, error_subcode=33))
        problems = self.sandbox.specs.whatsapp.check_request(request.method, path, body)
        if problems:
            self.sandbox.add_violation("whatsapp", name, problems)
            details = {"messaging_product": "whatsapp", "details": "; ".join(problems)}
            return self._respond(
                name, body, 400, graph_error("(#100) Invalid parameter", 100, error_data=details)
            )
        if request.method != "POST" or request.match_info.get("edge") != "messages":
            self.sandbox.add_violation("whatsapp", name, ["the sandbox does not implement it"])
            return self._respond(
                name, body, 501, graph_error("Not implemented by the Broadside sandbox", 3)
            )
        fault = self.sandbox.faults.pick("whatsapp", name)
        if fault is not None and fault.kind in ("rate_limit", "server_error"):
            return self._respond(
                name, body, *self._fault_answer(fault.kind, fault.code, fault.status), fault.kind
            )
        if fault is not None and fault.kind == "timeout" and not fault.processed:
            self.sandbox.record_call("whatsapp", name, body, 0, fault=fault.kind)
            return await drop_after_hold(self.sandbox, request, fault)
        payload = self._send(body, deliver=fault is None or fault.kind != "blocked")
        if fault is not None and fault.kind == "timeout":
            self.sandbox.record_call("whatsapp", name, body, 0, fault=fault.kind)
            return await drop_after_hold(self.sandbox, request, fault)
        return self._respond(name, body, 200, payload, fault.kind if fault else None)

    @staticmethod
    def _fault_answer(kind: str, code: int | None, status: int) -> tuple[int, dict[str, Any]]:
        if kind == "rate_limit":
            code = code if code in _LIMITS else 130429
            title = "Rate limit hit" if code == 130429 else "Rate limit issues"
            details = {"messaging_product": "whatsapp", "details": _LIMITS[code]}
            return 429, graph_error(f"(#{code}) {title}", code, error_data=details)
        return status, graph_error("An unknown error has occurred.", 1, is_transient=True)

    def _send(self, body: dict[str, Any], *, deliver: bool) -> dict[str, Any]:
        if body.get("status") == "read":
            return {"success": True}
        to = str(body.get("to", ""))
        wa_id = re.sub(r"\D", "", to)
        message_id = wamid()
        self.sent[message_id] = wa_id
        if deliver:
            text, buttons = message_view(body)
            self.inboxes.add(SentMessage(message_id, wa_id, text, buttons, raw=body))
        entry: dict[str, Any] = {"id": message_id}
        if body.get("type") == "template":
            entry["message_status"] = "accepted"
        return {
            "messaging_product": "whatsapp",
            "contacts": [{"input": to, "wa_id": wa_id}],
            "messages": [entry],
        }

    # --- the recipients' side --------------------------------------------------------------

    def _metadata(self) -> dict[str, str]:
        return {
            "display_phone_number": self.display_phone_number,
            "phone_number_id": self.sandbox.credentials.whatsapp_phone_number_id,
        }

    async def _emit(self, value: dict[str, Any], *, field: str = "messages") -> Delivery:
        payload = {
            "object": "whatsapp_business_account",
            "entry": [{"id": self.waba_id, "changes": [{"value": value, "field": field}]}],
        }
        raw = json.dumps(payload, ensure_ascii=False).encode()
        headers = whatsapp_headers(self.sandbox.credentials.whatsapp_app_secret, raw)
        return await self.sandbox.deliver(
            "whatsapp", self.sandbox.webhook_url("whatsapp"), raw, headers
        )

    async def send_text(self, wa_id: str, text: str, *, name: str = "Test") -> None:
        """A text message from the recipient (a reply, or "STOP")."""
        self.contacts[wa_id] = name
        message = {
            "from": wa_id,
            "id": wamid(),
            "timestamp": str(int(self.sandbox.now().timestamp())),
            "type": "text",
            "text": {"body": text},
        }
        await self._emit(
            {
                "messaging_product": "whatsapp",
                "metadata": self._metadata(),
                "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
                "messages": [message],
            }
        )

    async def send_status(self, wamid: str, status: str, *, error_code: int | None = None) -> None:
        """A status webhook for a message the bot sent: sent, delivered, read or failed
        (failed carries `error_code`, 131026 "Message undeliverable" by default)."""
        wa_id = self.sent.get(wamid)
        if wa_id is None:
            raise ValueError(f"the bot sent no message {wamid!r}")
        if status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}")
        if error_code is not None and status != "failed":
            raise ValueError("only a failed status carries an error")
        entry: dict[str, Any] = {
            "id": wamid,
            "status": status,
            "timestamp": str(int(self.sandbox.now().timestamp())),
            "recipient_id": wa_id,
        }
        if status == "failed":
            code = error_code or 131026
            title = ERROR_TITLES.get(code, "Error")
            entry["errors"] = [
                {"code": code, "title": title, "message": title, "error_data": {"details": title}}
            ]
        else:
            entry["conversation"] = {"id": secrets.token_hex(16), "origin": {"type": "service"}}
            entry["pricing"] = {"billable": True, "pricing_model": "PMP", "category": "service"}
        await self._emit(
            {"messaging_product": "whatsapp", "metadata": self._metadata(), "statuses": [entry]}
        )

    async def send_marketing_preference(self, wa_id: str, value: str = "stop") -> None:
        """The recipient told WhatsApp to stop (or resume) the business's marketing messages:
        Meta's `user_preferences` webhook."""
        if value not in ("stop", "resume"):
            raise ValueError("value must be stop or resume")
        detail = {
            "stop": "User requested to stop marketing messages",
            "resume": "User requested to resume marketing messages",
        }[value]
        preference = {
            "wa_id": wa_id,
            "detail": detail,
            "category": "marketing_messages",
            "value": value,
            "timestamp": int(self.sandbox.now().timestamp()),
        }
        await self._emit(
            {
                "messaging_product": "whatsapp",
                "metadata": self._metadata(),
                "contacts": [{"wa_id": wa_id, "profile": {"name": self.contacts.get(wa_id, "")}}],
                "user_preferences": [preference],
            },
            field="user_preferences",
        )

    async def verify_webhook(self, *, verify_token: str | None = None) -> Delivery:
        """Meta's subscription handshake: GET with hub.* parameters; the bot must echo the
        challenge (compare `Delivery.response` with `Delivery.url`'s hub.challenge)."""
        token = (
            verify_token
            if verify_token is not None
            else self.sandbox.credentials.whatsapp_verify_token
        )
        query = {
            "hub.mode": "subscribe",
            "hub.verify_token": token,
            "hub.challenge": numeric_id(10),
        }
        url = str(URL(self.sandbox.webhook_url("whatsapp")).update_query(query))
        return await self.sandbox.deliver("whatsapp", url, b"", {}, method="GET")

    # --- what tests read -------------------------------------------------------------------

    def inbox(self, wa_id: str) -> list[SentMessage]:
        """Messages the recipient received, in order."""
        return self.inboxes.inbox(wa_id)

    async def next_message(self, wa_id: str, *, timeout: float = 5.0) -> SentMessage:  # noqa: ASYNC109 - a bounded wait callers tune
        """The next message to that recipient that this method has not returned yet."""
        try:
            return await self.inboxes.next_message(wa_id, timeout=timeout)
        except TimeoutError:
            raise AssertionError(
                self.sandbox.explain_silence("whatsapp", wa_id, timeout, self.inbox(wa_id))
            ) from None

    async def wait_for_call(self, method: str, *, timeout: float = 5.0) -> Call:  # noqa: ASYNC109 - a bounded wait callers tune
        """The next call to "VERB /path" or "/path" not yet returned here."""
        return await self.sandbox.wait_for_call("whatsapp", method, timeout=timeout)
