"""The WhatsApp sender against the sandbox's Cloud API: spec-valid bodies and Graph errors."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from pydantic import SecretStr

from bot.dispatch.channels import Outcome, Outgoing, Result, Template, WhatsAppSender
from bot.sandbox import Call, Sandbox
from tests.support.harness import Harness


@pytest.fixture
async def sender(harness: Harness) -> AsyncIterator[WhatsAppSender]:
    """The dispatcher's sender, built from the bot's own settings (pointed at the sandbox)."""
    built = WhatsAppSender.build(harness.app.settings)
    try:
        yield built
    finally:
        await built.close()


def _message_calls(sandbox: Sandbox) -> list[Call]:
    return [call for call in sandbox.calls if call.platform == "whatsapp"]


async def test_a_text_message_is_sent_as_the_spec_wants(
    harness: Harness, sender: WhatsAppSender
) -> None:
    sandbox = harness.sandbox
    [outcome] = await sender.send([Outgoing(1, "+15550001234", "See https://example.com")])
    [received] = sandbox.whatsapp.inbox("15550001234")
    assert outcome == Outcome(1, Result.SENT, message_id=received.message_id)
    assert received.text == "See https://example.com"
    assert received.raw["text"] == {"preview_url": False, "body": "See https://example.com"}
    assert sandbox.violations == []
    assert sender.account == sandbox.credentials.whatsapp_phone_number_id


async def test_templates_are_sent_with_their_language_and_parameters(
    harness: Harness, sender: WhatsAppSender
) -> None:
    sandbox = harness.sandbox
    offer = Template("spring_offer", "es_MX", ("Ana", "20 %"))
    plain = Template("hello_world", "en_US")
    outcomes = await sender.send(
        [Outgoing(1, "+15550001234", "", offer), Outgoing(2, "+15550005678", "", plain)]
    )
    assert [outcome.result for outcome in outcomes] == [Result.SENT, Result.SENT]
    [with_parameters] = sandbox.whatsapp.inbox("15550001234")
    [without] = sandbox.whatsapp.inbox("15550005678")
    assert with_parameters.text == "[template spring_offer] Ana | 20 %"
    assert with_parameters.raw["template"]["language"] == {
        "code": "es_MX",
        "policy": "deterministic",
    }
    assert without.text == "[template hello_world]"
    assert "components" not in without.raw["template"]
    assert sandbox.violations == []


@pytest.mark.parametrize("code", [None, 80007])
async def test_rate_limits_are_retries_after_a_second(
    harness: Harness, sender: WhatsAppSender, code: int | None
) -> None:
    sandbox = harness.sandbox
    sandbox.faults.rate_limit("whatsapp", times=1, code=code)
    [outcome] = await sender.send([Outgoing(1, "+15550001234", "Offer")])
    assert outcome == Outcome(1, Result.RETRY, retry_after=1.0)
    assert [call.fault for call in _message_calls(sandbox)] == ["rate_limit"]


async def test_server_errors_are_retries_and_lost_answers_ambiguous(
    harness: Harness, sender: WhatsAppSender
) -> None:
    sandbox = harness.sandbox
    sandbox.faults.server_error("whatsapp", times=1, status=503)
    [broken] = await sender.send([Outgoing(1, "+15550001234", "Offer")])
    sandbox.faults.timeout("whatsapp", times=1, hold=2.0)
    hasty = WhatsAppSender.build(harness.app.settings, timeout=0.5)
    try:
        [lost] = await hasty.send([Outgoing(2, "+15550001234", "Offer")])
    finally:
        await hasty.close()
    assert (broken, lost) == (Outcome(1, Result.RETRY), Outcome(2, Result.AMBIGUOUS))
    assert sandbox.whatsapp.inbox("15550001234") == []


@dataclass
class GraphStandIn:
    """A Graph API stand-in that answers each request with the next queued answer.

    The sandbox injects only rate limits and 5xx on the send call (Meta reports most
    recipient problems later, in status webhooks); the other error codes come from here.
    """

    url: str = ""
    answers: list[tuple[int, dict[str, Any], dict[str, str]]] = field(default_factory=list)

    def answer(self, status: int, code: int, *, headers: dict[str, str] | None = None) -> None:
        """Queue a Graph error with that HTTP status and error code."""
        payload = {"error": {"message": f"(#{code}) ...", "type": "OAuthException", "code": code}}
        self.answers.append((status, payload, headers or {}))

    async def handle(self, _request: web.Request) -> web.Response:
        """Answer with the next queued error."""
        status, payload, headers = self.answers.pop(0)
        return web.json_response(payload, status=status, headers=headers)

    def sender(self) -> WhatsAppSender:
        """A sender pointed at this stand-in."""
        return WhatsAppSender(api_url=self.url, phone_number_id="1055", token=SecretStr("EAAx"))


@pytest.fixture
async def graph() -> AsyncIterator[GraphStandIn]:
    """The Graph stand-in on 127.0.0.1."""
    stand_in = GraphStandIn()
    app = web.Application()
    app.router.add_post("/v23.0/{phone_number_id}/messages", stand_in.handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    stand_in.url = str(server.make_url("/v23.0"))
    try:
        yield stand_in
    finally:
        await server.close()


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (400, 131026, Outcome(1, Result.FAILED, error_code="131026", unreachable=True)),
        (
            400,
            131050,
            Outcome(1, Result.FAILED, error_code="131050", unreachable=True, opted_out=True),
        ),
        (400, 131049, Outcome(1, Result.FAILED, error_code="131049")),
        (400, 131047, Outcome(1, Result.FAILED, error_code="131047")),
        (404, 132000, Outcome(1, Result.FAILED, error_code="132000")),
        (400, 132001, Outcome(1, Result.FAILED, error_code="132001")),
        (400, 131056, Outcome(1, Result.RETRY, retry_after=1.0)),
        (400, 4, Outcome(1, Result.RETRY, retry_after=1.0)),
        (500, 131000, Outcome(1, Result.RETRY)),
    ],
)
async def test_graph_error_codes_become_outcomes(
    graph: GraphStandIn, status: int, code: int, expected: Outcome
) -> None:
    graph.answer(status, code)
    sender = graph.sender()
    try:
        assert await sender.send([Outgoing(1, "+15550001234", "Offer")]) == [expected]
    finally:
        await sender.close()


async def test_a_retry_after_header_sets_the_pause(graph: GraphStandIn) -> None:
    graph.answer(429, 130429, headers={"Retry-After": "12"})
    sender = graph.sender()
    try:
        [outcome] = await sender.send([Outgoing(1, "+15550001234", "Offer")])
    finally:
        await sender.close()
    assert outcome == Outcome(1, Result.RETRY, retry_after=12.0)


async def test_a_connection_that_never_opened_is_a_retry(harness: Harness) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    settings = harness.app.settings.model_copy(
        update={"WHATSAPP_API_URL": f"http://127.0.0.1:{closed}/v23.0"}
    )
    unreachable = WhatsAppSender.build(settings)
    try:
        [outcome] = await unreachable.send([Outgoing(1, "+15550001234", "Offer")])
    finally:
        await unreachable.close()
    assert outcome == Outcome(1, Result.RETRY)  # nothing reached Meta: safe to send again
