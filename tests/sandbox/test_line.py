"""The LINE stand-in, driven by the real line-bot-sdk async client over loopback HTTP."""

from __future__ import annotations

import json
import uuid

import aiohttp
import pytest
from linebot.v3 import WebhookParser
from linebot.v3.messaging import (
    ApiException,
    AsyncApiClient,
    AsyncMessagingApi,
    AsyncMessagingApiBlob,
    MulticastRequest,
    PostbackAction,
    PushMessageRequest,
    QuickReply,
    QuickReplyItem,
    ReplyMessageRequest,
    TextMessage,
)
from linebot.v3.webhooks import (
    FileMessageContent,
    FollowEvent,
    MessageEvent,
    PostbackEvent,
    StickerMessageContent,
    TextMessageContent,
    UnfollowEvent,
)

from bot.sandbox import Sandbox
from tests.sandbox.helpers import Receiver, Served


def _events(sandbox: Sandbox, receiver: Receiver) -> list[object]:
    """Every event delivered so far, signature-checked by the SDK's own parser."""
    parser = WebhookParser(sandbox.credentials.line_channel_secret)
    events: list[object] = []
    for received in receiver.requests:
        payload = parser.parse(
            received.body.decode(), received.headers["X-Line-Signature"], as_payload=True
        )
        assert payload.destination == sandbox.line.bot_user_id
        events.extend(payload.events)
    return events


def _ask(text: str) -> TextMessage:
    items = [
        QuickReplyItem(action=PostbackAction(label="English", data="lang:en")),
        QuickReplyItem(action=PostbackAction(label="日本語", data="lang:ja", displayText="日本語")),
    ]
    return TextMessage(text=text, quickReply=QuickReply(items=items))


async def test_user_actions_arrive_as_signed_webhooks(sandbox: Sandbox, receiver: Receiver) -> None:
    user_id = sandbox.line.new_user_id()
    await sandbox.line.follow(user_id, language="ja", display_name="Aiko")
    await sandbox.line.send_text(user_id, "こんにちは")
    await sandbox.line.press_postback(user_id, "lang:ja")
    await sandbox.line.send_sticker(user_id)
    await sandbox.line.send_file(user_id, "list.csv", b"a,b\n")
    await sandbox.line.unfollow(user_id)
    follow, text, postback, sticker, file, unfollow = _events(sandbox, receiver)
    assert isinstance(follow, FollowEvent)
    assert follow.reply_token
    assert isinstance(text, MessageEvent)
    assert isinstance(text.message, TextMessageContent)
    assert text.message.text == "こんにちは"
    assert isinstance(postback, PostbackEvent)
    assert postback.postback.data == "lang:ja"
    assert isinstance(sticker.message, StickerMessageContent)
    assert isinstance(file.message, FileMessageContent)
    assert file.message.file_size == 4
    assert isinstance(unfollow, UnfollowEvent)
    raw = json.loads(receiver.requests[0].body)["events"][0]
    assert raw["deliveryContext"] == {"isRedelivery": False}
    assert raw["mode"] == "active"
    assert len(raw["webhookEventId"]) == 26
    assert raw["source"] == {"type": "user", "userId": user_id}


async def test_reply_tokens_are_single_use_and_expire(
    served: Served, receiver: Receiver, line_client: AsyncApiClient
) -> None:
    sandbox, api = served.sandbox, AsyncMessagingApi(line_client)
    user_id = sandbox.line.new_user_id()
    await sandbox.line.follow(user_id)
    [follow] = _events(sandbox, receiver)
    request = ReplyMessageRequest(replyToken=follow.reply_token, messages=[_ask("Language?")])
    response = await api.reply_message(request)
    assert response.sent_messages[0].quote_token
    seen = await sandbox.line.next_message(user_id)
    assert seen.text == "Language?"
    assert seen.buttons == [[("English", "lang:en")], [("日本語", "lang:ja")]]
    with pytest.raises(ApiException) as used:
        await api.reply_message(request)
    assert used.value.status == 400
    assert json.loads(used.value.body)["message"] == "Invalid reply token"

    await sandbox.line.send_text(user_id, "hi")
    token = _events(sandbox, receiver)[-1].reply_token
    served.clock.advance(minutes=2)
    with pytest.raises(ApiException, match="Invalid reply token"):
        await api.reply_message(ReplyMessageRequest(replyToken=token, messages=[_ask("Late")]))


async def test_push_answers_like_line_and_retry_keys_deduplicate(
    sandbox: Sandbox, receiver: Receiver, line_client: AsyncApiClient
) -> None:
    api = AsyncMessagingApi(line_client)
    user_id = sandbox.line.new_user_id()
    await sandbox.line.follow(user_id)
    key = str(uuid.uuid4())
    request = PushMessageRequest(to=user_id, messages=[TextMessage(text="Campaign 1")])
    first = await api.push_message_with_http_info(request, x_line_retry_key=key)
    assert first.status_code == 200
    assert first.data.sent_messages[0].id
    with pytest.raises(ApiException) as again:
        await api.push_message(request, x_line_retry_key=key)
    assert again.value.status == 409
    assert again.value.headers["x-line-accepted-request-id"] == first.headers["x-line-request-id"]
    assert [m.text for m in sandbox.line.inbox(user_id)] == ["Campaign 1"]


async def test_multicast_skips_people_who_blocked_the_account(
    sandbox: Sandbox, receiver: Receiver, line_client: AsyncApiClient
) -> None:
    api = AsyncMessagingApi(line_client)
    stays, leaves = sandbox.line.new_user_id(), sandbox.line.new_user_id()
    for user_id in (stays, leaves):
        await sandbox.line.follow(user_id)
    await sandbox.line.unfollow(leaves)
    request = MulticastRequest(to=[stays, leaves], messages=[TextMessage(text="Sale!")])
    assert await api.multicast(request) == {}
    assert [m.text for m in sandbox.line.inbox(stays)] == ["Sale!"]
    assert sandbox.line.inbox(leaves) == []
    with pytest.raises(ApiException) as blocked:
        await api.get_profile(leaves)
    assert blocked.value.status == 404
    profile = await api.get_profile(stays)
    assert (profile.user_id, profile.display_name, profile.language) == (stays, "Test", "en")
    assert (await api.get_bot_info()).user_id == sandbox.line.bot_user_id


async def test_files_users_send_download_from_the_data_host(
    sandbox: Sandbox, receiver: Receiver, line_data_client: AsyncApiClient
) -> None:
    user_id = sandbox.line.new_user_id()
    await sandbox.line.send_file(user_id, "contacts.csv", b"name\nAda\n")
    [event] = _events(sandbox, receiver)
    content = await AsyncMessagingApiBlob(line_data_client).get_message_content(event.message.id)
    assert bytes(content) == b"name\nAda\n"


async def test_bad_token_and_spec_violations_are_refused(served: Served) -> None:
    sandbox = served.sandbox
    url = f"{served.url}/line/v2/bot/message/push"
    good = {"Authorization": f"Bearer {sandbox.credentials.line_access_token}"}
    async with aiohttp.ClientSession() as http:
        response = await http.post(url, json={}, headers={"Authorization": "Bearer nope"})
        assert response.status == 401
        response = await http.post(
            url, json={"to": sandbox.line.new_user_id(), "messages": []}, headers=good
        )
        assert response.status == 400
        assert "error(s)" in (await response.json())["message"]
        assert response.headers["x-line-request-id"]
    assert len(sandbox.violations) == 1
    assert "messages" in sandbox.violations[0]
    sandbox.violations.clear()


async def test_push_to_an_unknown_user_fails_like_line(
    sandbox: Sandbox, line_client: AsyncApiClient
) -> None:
    request = PushMessageRequest(to=sandbox.line.new_user_id(), messages=[TextMessage(text="?")])
    with pytest.raises(ApiException) as unknown:
        await AsyncMessagingApi(line_client).push_message(request)
    assert unknown.value.status == 400


async def test_forged_bodies_travel_the_same_path_and_refusals_are_recorded(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    receiver.status = 401
    body = b'{"destination": "U0", "events": []}'
    delivery = await sandbox.deliver_raw("line", body, {"X-Line-Signature": "forged"})
    assert (delivery.status, delivery.ok) == (401, False)
    assert receiver.requests[-1].headers["X-Line-Signature"] == "forged"
    assert receiver.requests[-1].body == body


async def test_an_unreachable_bot_is_recorded_not_raised(sandbox: Sandbox) -> None:
    sandbox.connect_bot("http://127.0.0.1:1")
    await sandbox.line.follow(sandbox.line.new_user_id())
    delivery = sandbox.deliveries[-1]
    assert delivery.status is None
    assert delivery.error
