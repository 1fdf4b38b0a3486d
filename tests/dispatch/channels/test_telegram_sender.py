"""The Telegram sender against the sandbox's Bot API: outcomes for sends, limits and refusals."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import pytest

from bot.dispatch.channels import Outcome, Outgoing, Result, TelegramSender
from bot.sandbox import Sandbox
from tests.support.harness import Harness


@pytest.fixture
async def sender(harness: Harness) -> AsyncIterator[TelegramSender]:
    """The dispatcher's sender, built from the bot's own settings (pointed at the sandbox)."""
    built = TelegramSender.build(harness.app.settings)
    try:
        yield built
    finally:
        await built.close()


def _recipients(sandbox: Sandbox, *chat_ids: int) -> None:
    for chat_id in chat_ids:
        sandbox.telegram.add_user(chat_id)


def _by_id(outcomes: list[Outcome]) -> dict[int, Outcome]:
    return {outcome.delivery_id: outcome for outcome in outcomes}


def _send_calls(sandbox: Sandbox) -> list[str | None]:
    return [call.fault for call in sandbox.calls if call.method == "sendMessage"]


async def test_messages_land_in_each_inbox_with_the_message_id(
    harness: Harness, sender: TelegramSender
) -> None:
    sandbox = harness.sandbox
    _recipients(sandbox, 2001, 2002)
    outcomes = _by_id(
        await sender.send([Outgoing(1, "2001", "Sale today"), Outgoing(2, "2002", "Sale <b>now")])
    )
    assert sender.account == sandbox.credentials.telegram_token.split(":")[0]
    for delivery_id, chat_id, text in [(1, 2001, "Sale today"), (2, 2002, "Sale <b>now")]:
        [received] = sandbox.telegram.inbox(chat_id)
        assert received.text == text  # plain text: no parse mode mangles it
        assert outcomes[delivery_id] == Outcome(
            delivery_id, Result.SENT, message_id=str(received.message_id)
        )
    assert sender.requests_for([Outgoing(1, "2001", "a"), Outgoing(2, "2002", "a")]) == 2


async def test_flood_control_is_a_retry_with_its_pause_and_no_wait(
    harness: Harness, sender: TelegramSender
) -> None:
    sandbox = harness.sandbox
    _recipients(sandbox, 2001)
    sandbox.faults.rate_limit("telegram", match="sendMessage", times=1, retry_after=7)
    [outcome] = await sender.send([Outgoing(1, "2001", "Offer")])
    assert outcome == Outcome(1, Result.RETRY, retry_after=7.0)
    # Sent once: the dispatcher's Bot leaves the waiting to the engine.
    assert _send_calls(sandbox) == ["rate_limit"]
    assert sandbox.telegram.inbox(2001) == []


async def test_server_errors_are_retries_and_lost_answers_ambiguous(
    harness: Harness, sender: TelegramSender
) -> None:
    sandbox = harness.sandbox
    _recipients(sandbox, 2001, 2002)
    sandbox.faults.server_error("telegram", match="sendMessage", times=1, status=502)
    [broken] = await sender.send([Outgoing(1, "2001", "Offer")])
    # 1 s for the answer: long enough for the request to reach the stand-in on a loaded
    # machine (0.5 s once was not), well short of the stand-in's 3 s hold.
    sandbox.faults.timeout("telegram", match="sendMessage", times=1, hold=3.0)
    hasty = TelegramSender.build(harness.app.settings, timeout=1.0)
    try:
        [lost] = await hasty.send([Outgoing(2, "2002", "Offer")])
    finally:
        await hasty.close()
    assert broken == Outcome(1, Result.RETRY)
    # The request reached Telegram; it may have sent the message: never repeated.
    assert lost == Outcome(2, Result.AMBIGUOUS)
    assert _send_calls(sandbox) == ["server_error", "timeout"]


async def test_one_limited_message_does_not_hold_back_the_others(
    harness: Harness, sender: TelegramSender
) -> None:
    sandbox = harness.sandbox
    _recipients(sandbox, 2001, 2002, 2003)
    sandbox.faults.rate_limit("telegram", match="sendMessage", times=1, retry_after=3)
    outcomes = await sender.send([Outgoing(n, str(2000 + n), "Offer") for n in (1, 2, 3)])
    assert sorted(outcome.result for outcome in outcomes) == [
        Result.RETRY,
        Result.SENT,
        Result.SENT,
    ]
    received = sum(len(sandbox.telegram.inbox(2000 + n)) for n in (1, 2, 3))
    assert received == 2


async def test_a_blocked_or_unknown_recipient_is_unreachable(
    harness: Harness, sender: TelegramSender
) -> None:
    sandbox = harness.sandbox
    _recipients(sandbox, 2001)
    await sandbox.telegram.block(2001)
    outcomes = _by_id(
        await sender.send(
            [
                Outgoing(1, "2001", "Offer"),
                Outgoing(2, "9999", "Offer"),  # never started the bot
                Outgoing(3, "not-a-chat", "Offer"),
            ]
        )
    )
    assert outcomes[1] == Outcome(
        1, Result.FAILED, error_code="403:blocked", unreachable=True, opted_out=True
    )
    chat_not_found = {"error_code": "400:chat not found", "unreachable": True}
    assert outcomes[2] == Outcome(2, Result.FAILED, **chat_not_found)
    assert outcomes[3] == Outcome(3, Result.FAILED, **chat_not_found)
    assert len(_send_calls(sandbox)) == 2  # no request for an address that is no chat id


async def test_a_refused_message_fails_without_blaming_the_recipient(
    harness: Harness, sender: TelegramSender
) -> None:
    sandbox = harness.sandbox
    _recipients(sandbox, 2001)
    [outcome] = await sender.send([Outgoing(1, "2001", "x" * 5000)])
    assert outcome == Outcome(1, Result.FAILED, error_code="400")


async def test_a_connection_that_never_opened_is_a_retry(harness: Harness) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    settings = harness.app.settings.model_copy(
        update={"TELEGRAM_API_URL": f"http://127.0.0.1:{closed}"}
    )
    unreachable = TelegramSender.build(settings)
    try:
        [outcome] = await unreachable.send([Outgoing(1, "2001", "Offer")])
    finally:
        await unreachable.close()
    assert outcome == Outcome(1, Result.RETRY)  # nothing reached Telegram: safe to send again
