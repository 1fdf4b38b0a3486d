"""The LINE sender against the sandbox's Messaging API: multicasts, pushes and retry keys."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from linebot.v3.messaging import AsyncApiClient, AsyncMessagingApi, Configuration

from bot.dispatch.channels import LineSender, Outcome, Outgoing, Result
from bot.dispatch.channels.line import plan_requests
from bot.sandbox import Sandbox
from tests.support.harness import Harness


@pytest.fixture
async def sender(harness: Harness) -> AsyncIterator[LineSender]:
    """The dispatcher's sender with its own client on the sandbox's LINE host."""
    built = LineSender.build(harness.app.settings, account="sandbox")
    try:
        yield built
    finally:
        await built.close()


def _friends(sandbox: Sandbox, count: int) -> list[str]:
    return [sandbox.line.add_user(sandbox.line.new_user_id()) for _ in range(count)]


def _texts(sandbox: Sandbox, user_id: str) -> list[str | None]:
    return [message.text for message in sandbox.line.inbox(user_id)]


def _line_calls(sandbox: Sandbox) -> list[tuple[str, int, str | None]]:
    return [
        (call.method, call.status, call.fault) for call in sandbox.calls if call.platform == "line"
    ]


async def test_identical_texts_go_as_multicasts_of_500(
    harness: Harness, sender: LineSender
) -> None:
    sandbox = harness.sandbox
    users = _friends(sandbox, 1001)
    messages = [Outgoing(n, user_id, "Spring sale") for n, user_id in enumerate(users, 1)]
    assert sender.requests_for(messages) == 3
    outcomes = await sender.send(messages)
    assert sorted(outcome.delivery_id for outcome in outcomes) == list(range(1, 1002))
    assert {outcome.result for outcome in outcomes} == {Result.SENT}
    assert all(_texts(sandbox, user_id) == ["Spring sale"] for user_id in users)
    methods = sorted(method for method, _, _ in _line_calls(sandbox))
    assert methods == [
        "POST /v2/bot/message/multicast",
        "POST /v2/bot/message/multicast",
        "POST /v2/bot/message/push",
    ]
    multicasts = [call.params for call in sandbox.calls if call.method.endswith("multicast")]
    assert sorted(len(params["to"]) for params in multicasts) == [500, 500]


async def test_a_text_of_its_own_is_pushed_and_named_by_its_message_id(
    harness: Harness, sender: LineSender
) -> None:
    sandbox = harness.sandbox
    first, second, third = _friends(sandbox, 3)
    messages = [
        Outgoing(3, third, "Hello Ann"),
        Outgoing(1, first, "Hello all"),
        Outgoing(2, second, "Hello all"),
    ]
    assert sender.requests_for(messages) == 2
    outcomes = {outcome.delivery_id: outcome for outcome in await sender.send(messages)}
    [pushed] = sandbox.line.inbox(third)
    assert outcomes[3] == Outcome(3, Result.SENT, message_id=str(pushed.message_id))
    # A multicast's answer is empty: sent, without a message id.
    assert (outcomes[1], outcomes[2]) == (Outcome(1, Result.SENT), Outcome(2, Result.SENT))
    assert (_texts(sandbox, first), _texts(sandbox, second)) == (["Hello all"], ["Hello all"])


async def test_a_group_sent_again_after_a_lost_answer_arrives_once(harness: Harness) -> None:
    sandbox = harness.sandbox
    users = _friends(sandbox, 3)
    group = [Outgoing(10 + n, user_id, "Flash sale") for n, user_id in enumerate(users)]
    lone = [Outgoing(20, _friends(sandbox, 1)[0], "Just for you")]
    sandbox.faults.timeout("line", match="*/message/*", times=2, hold=2.0, processed=True)
    sender = LineSender.build(harness.app.settings, account="sandbox", timeout=0.5)
    try:
        lost = await sender.send(group + lone)
        # The engine retries the same deliveries: same requests, same retry keys, 409 each.
        again = {outcome.delivery_id: outcome for outcome in await sender.send(group + lone)}
    finally:
        await sender.close()
    assert {outcome.result for outcome in lost} == {Result.RETRY}
    assert {again[m.delivery_id].result for m in group} == {Result.SENT}
    [pushed] = sandbox.line.inbox(lone[0].address)
    assert again[20] == Outcome(20, Result.SENT, message_id=str(pushed.message_id))
    assert all(_texts(sandbox, user_id) == ["Flash sale"] for user_id in users)
    assert sorted(status for _, status, _ in _line_calls(sandbox)) == [0, 0, 409, 409]


async def test_rate_limits_and_server_errors_are_retries(
    harness: Harness, sender: LineSender
) -> None:
    sandbox = harness.sandbox
    first, second = _friends(sandbox, 2)
    sandbox.faults.rate_limit("line", match="*/message/push", times=1)
    [limited] = await sender.send([Outgoing(1, first, "Offer")])
    sandbox.faults.server_error("line", times=1, status=503)
    broken = await sender.send([Outgoing(2, first, "Offer"), Outgoing(3, second, "Offer")])
    assert limited == Outcome(1, Result.RETRY, retry_after=1.0)
    assert broken == [Outcome(2, Result.RETRY), Outcome(3, Result.RETRY)]
    assert (sandbox.line.inbox(first), sandbox.line.inbox(second)) == ([], [])


async def test_an_unknown_or_malformed_user_id_is_unreachable(
    harness: Harness, sender: LineSender
) -> None:
    sandbox = harness.sandbox
    [friend] = _friends(sandbox, 1)
    stranger = sandbox.line.new_user_id()  # well formed, but not a friend of this channel
    messages = [
        Outgoing(1, stranger, "Offer"),
        Outgoing(2, "+15550001234", "Offer"),
        Outgoing(3, friend, "Offer"),
    ]
    # The malformed id is refused before any request, so it cannot spoil the multicast.
    assert sender.requests_for(messages) == 1
    outcomes = {outcome.delivery_id: outcome for outcome in await sender.send(messages)}
    assert outcomes[2] == Outcome(2, Result.FAILED, error_code="400", unreachable=True)
    # The multicast to stranger and friend is accepted; LINE skips whom it cannot reach.
    assert (outcomes[1].result, outcomes[3].result) == (Result.SENT, Result.SENT)
    assert _texts(sandbox, friend) == ["Offer"]
    [pushed] = await sender.send([Outgoing(4, stranger, "Offer")])
    assert pushed == Outcome(4, Result.FAILED, error_code="400", unreachable=True)


def test_requests_and_their_retry_keys_do_not_depend_on_the_order_given() -> None:
    users = [f"U{n:032x}" for n in range(1200)]
    messages = [Outgoing(n, user, "A" if n % 3 else "B") for n, user in enumerate(users)]
    shuffled = random.Random(1).sample(messages, len(messages))
    planned, replanned = plan_requests(messages), plan_requests(shuffled)
    assert [r.retry_key for r in planned] == [r.retry_key for r in replanned]
    assert [(r.text, len(r.messages)) for r in planned] == [("B", 400), ("A", 500), ("A", 300)]
    assert len({r.retry_key for r in planned}) == 3


Answer = tuple[int, dict[str, Any], dict[str, str]]


@pytest.fixture
async def line_answers() -> AsyncIterator[tuple[str, list[Answer]]]:
    """A Messaging API stand-in answering pushes with queued (status, body, headers).

    For answers the sandbox does not give: it accepts texts over LINE's 5,000 characters
    (the OpenAPI file has no maxLength) and never sends Retry-After.
    """
    answers: list[Answer] = []

    async def push(_request: web.Request) -> web.Response:
        status, body, headers = answers.pop(0)
        return web.json_response(body, status=status, headers=headers)

    app = web.Application()
    app.router.add_post("/v2/bot/message/push", push)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("")).rstrip("/"), answers
    finally:
        await server.close()


_TOO_LONG = {
    "message": "The request body has 1 error(s)",
    "details": [{"message": "Length must be between 0 and 5000", "property": "messages[0].text"}],
}


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (
            (400, {"message": "Failed to send messages"}, {}),
            Outcome(1, Result.FAILED, error_code="400", unreachable=True),
        ),
        ((400, _TOO_LONG, {}), Outcome(1, Result.FAILED, error_code="400")),
        (
            (429, {"message": "rate limit"}, {"Retry-After": "5"}),
            Outcome(1, Result.RETRY, retry_after=5.0),
        ),
        ((401, {"message": "bad token"}, {}), Outcome(1, Result.FAILED, error_code="401")),
    ],
    ids=["unknown-user", "bad-message", "retry-after", "unauthorized"],
)
async def test_a_refused_push_blames_the_recipient_only_for_the_user_id(
    line_answers: tuple[str, list[Answer]], answer: Answer, expected: Outcome
) -> None:
    url, answers = line_answers
    answers.append(answer)
    client = AsyncApiClient(Configuration(host=url, access_token="token"))
    sender = LineSender(AsyncMessagingApi(client), account="test")
    try:
        assert await sender.send([Outgoing(1, f"U{1:032x}", "Offer")]) == [expected]
    finally:
        await sender.close()
