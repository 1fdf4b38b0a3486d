"""Injected faults, as each platform's real client sees them."""

from __future__ import annotations

import uuid

import aiohttp
import pytest
from aiogram import Bot
from aiogram.exceptions import (
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from linebot.v3.messaging import (
    ApiException,
    AsyncApiClient,
    AsyncMessagingApi,
    PushMessageRequest,
    TextMessage,
)

from bot.sandbox import Faults, Sandbox
from tests.sandbox.helpers import Served, make_bot


async def test_telegram_faults_raise_aiogram_errors(bot: Bot, sandbox: Sandbox) -> None:
    await sandbox.telegram.send_text(1001, "/start")
    sandbox.faults.rate_limit("telegram", match="sendMessage", times=1, retry_after=3)
    with pytest.raises(TelegramRetryAfter) as limited:
        await bot.send_message(1001, "one")
    assert limited.value.retry_after == 3
    await bot.send_message(1001, "two")  # the rule fired its one time
    sandbox.faults.blocked("telegram", match="send*", times=1)
    with pytest.raises(TelegramForbiddenError, match="blocked by the user"):
        await bot.send_message(1001, "three")
    sandbox.faults.server_error("telegram", times=1, status=502)
    with pytest.raises(TelegramServerError):
        await bot.send_message(1001, "four")
    assert [m.text for m in sandbox.telegram.inbox(1001)] == ["two"]
    assert [c.fault for c in sandbox.calls if c.method == "sendMessage"] == [
        "rate_limit",
        None,
        "blocked",
        "server_error",
    ]


async def test_a_telegram_timeout_can_lose_the_answer_after_sending(served: Served) -> None:
    sandbox = served.sandbox
    await sandbox.telegram.send_text(1001, "/start")
    hasty = make_bot(served, timeout=0.2)
    try:
        sandbox.faults.timeout("telegram", match="sendMessage", times=1, hold=1.0)
        with pytest.raises(TelegramNetworkError):
            await hasty.send_message(1001, "lost")
        sandbox.faults.timeout("telegram", match="sendMessage", times=1, hold=1.0, processed=True)
        with pytest.raises(TelegramNetworkError):
            await hasty.send_message(1001, "sent, answer lost")
    finally:
        await hasty.session.close()
    assert [m.text for m in sandbox.telegram.inbox(1001)] == ["sent, answer lost"]
    assert [c.status for c in sandbox.calls if c.method == "sendMessage"] == [0, 0]


async def test_the_long_poll_is_not_faulted_by_a_catch_all_rule(bot: Bot, sandbox: Sandbox) -> None:
    sandbox.faults.server_error("telegram")
    assert await bot.get_updates(timeout=0) == []
    with pytest.raises(TelegramServerError):
        await bot.get_me()


async def test_line_faults_as_the_sdk_sees_them(
    sandbox: Sandbox, line_client: AsyncApiClient
) -> None:
    api = AsyncMessagingApi(line_client)
    user_id = sandbox.line.add_user(sandbox.line.new_user_id())
    request = PushMessageRequest(to=user_id, messages=[TextMessage(text="Offer")])
    sandbox.faults.rate_limit("line", match="*/message/push", times=1)
    with pytest.raises(ApiException) as limited:
        await api.push_message(request)
    assert limited.value.status == 429
    assert "rate limit" in limited.value.body
    sandbox.faults.server_error("line", times=1)
    with pytest.raises(ApiException) as broken:
        await api.push_message(request)
    assert broken.value.status == 500
    # LINE does not report blocked recipients: 200, and nobody gets the message.
    sandbox.faults.blocked("line", times=1)
    await api.push_message(request)
    assert sandbox.line.inbox(user_id) == []


async def test_a_line_retry_after_a_lost_answer_is_not_delivered_twice(
    served: Served, line_client: AsyncApiClient
) -> None:
    sandbox = served.sandbox
    api = AsyncMessagingApi(line_client)
    user_id = sandbox.line.add_user(sandbox.line.new_user_id())
    key = str(uuid.uuid4())
    request = PushMessageRequest(to=user_id, messages=[TextMessage(text="Once")])
    sandbox.faults.timeout("line", match="*/push", times=1, hold=1.0, processed=True)
    with pytest.raises((TimeoutError, aiohttp.ClientError)):
        await api.push_message(request, x_line_retry_key=key, _request_timeout=0.2)
    with pytest.raises(ApiException) as repeated:
        await api.push_message(request, x_line_retry_key=key)
    assert repeated.value.status == 409
    assert [m.text for m in sandbox.line.inbox(user_id)] == ["Once"]


async def test_whatsapp_faults_are_graph_errors(served: Served) -> None:
    sandbox = served.sandbox
    url = f"{served.url}/whatsapp/v23.0/{sandbox.credentials.whatsapp_phone_number_id}/messages"
    body = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "15550001234",
        "type": "text",
        "text": {"body": "Offer"},
    }
    headers = {"Authorization": f"Bearer {sandbox.credentials.whatsapp_token}"}
    sandbox.faults.rate_limit("whatsapp", times=1)
    sandbox.faults.rate_limit("whatsapp", times=1, code=80007)
    sandbox.faults.blocked("whatsapp", times=1)
    async with aiohttp.ClientSession(headers=headers) as http:
        first = await http.post(url, json=body)
        second = await http.post(url, json=body)
        third = await http.post(url, json=body)
        assert (first.status, (await first.json())["error"]["code"]) == (429, 130429)
        assert (second.status, (await second.json())["error"]["code"]) == (429, 80007)
        assert third.status == 200  # Meta reports blocks later, as a failed status
    assert sandbox.whatsapp.inbox("15550001234") == []


def test_probabilistic_faults_repeat_with_the_same_seed() -> None:
    def fired(seed: int) -> list[bool]:
        faults = Faults(seed=seed)
        faults.server_error("line", probability=0.5)
        return [faults.pick("line", "POST /v2/bot/message/push") is not None for _ in range(20)]

    assert fired(1) == fired(1)
    assert 0 < sum(fired(1)) < 20
    assert fired(1) != fired(2)


def test_rules_match_names_and_paths_and_can_be_removed() -> None:
    faults = Faults()
    rule = faults.timeout("line", match="/v2/bot/message/*")
    assert faults.pick("telegram", "sendMessage") is None
    assert faults.pick("line", "GET /v2/bot/info") is None
    assert faults.pick("line", "POST /v2/bot/message/push") is rule
    assert faults.remove(rule.id)
    assert faults.pick("line", "POST /v2/bot/message/push") is None
    faults.rate_limit("telegram", match="SENDMESSAGE")
    faults.rate_limit("whatsapp")
    faults.clear("telegram")
    assert [r.platform for r in faults.rules] == ["whatsapp"]
    with pytest.raises(ValueError, match="probability"):
        faults.add("line", "rate_limit", probability=2)
    with pytest.raises(ValueError, match="kind"):
        faults.add("line", "explode")  # type: ignore[arg-type]
