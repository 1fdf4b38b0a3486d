"""The spec validators accept what the platforms accept and name what they would reject.

Expectations follow the vendored files themselves (bot/sandbox/specs/data), including
where they are stricter than the platforms' docs (see the WhatsApp tests at the end).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.methods import SendMediaGroup, SendMessage
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    Update,
)
from linebot.v3 import messaging as m

from bot.sandbox.specs import LineSpec, TelegramSpec, WhatsAppSpec

BOT_USER_ID = "U" + "0123456789abcdef" * 2
USER_ID = "U" + "fedcba9876543210" * 2


@pytest.fixture(scope="module")
def telegram() -> TelegramSpec:
    return TelegramSpec.load()


@pytest.fixture(scope="module")
def line() -> LineSpec:
    return LineSpec.load()


@pytest.fixture(scope="module")
def whatsapp() -> WhatsAppSpec:
    return WhatsAppSpec.load()


def test_load_is_cached() -> None:
    assert TelegramSpec.load() is TelegramSpec.load()
    assert LineSpec.load() is LineSpec.load()
    assert WhatsAppSpec.load() is WhatsAppSpec.load()


# --- Telegram --------------------------------------------------------------------------

KEYBOARD = {
    "inline_keyboard": [
        [{"text": "Yes", "callback_data": "yes"}, {"text": "Docs", "url": "https://example.com"}],
        [{"text": "No", "callback_data": "no"}],
    ]
}


def test_send_message_as_json_passes(telegram: TelegramSpec) -> None:
    params = {"chat_id": 1001, "text": "Hello", "parse_mode": "HTML", "reply_markup": KEYBOARD}
    assert telegram.check_call("sendMessage", params) == []


def test_send_message_form_encoded_passes(telegram: TelegramSpec) -> None:
    # aiogram's form encoding: every value is text, objects and arrays as JSON.
    params = {
        "chat_id": "1001",
        "text": "Hello",
        "disable_notification": "true",
        "reply_markup": json.dumps(KEYBOARD),
        "entities": json.dumps([{"type": "bold", "offset": 0, "length": 5}]),
    }
    assert telegram.check_call("sendMessage", params) == []


def test_request_built_by_aiogram_passes(telegram: TelegramSpec) -> None:
    session = AiohttpSession()
    bot = Bot("123:abc", session=session, default=DefaultBotProperties(parse_mode="HTML"))
    button = InlineKeyboardButton(text="Go", callback_data="go")
    calls = [
        SendMessage(
            chat_id=1001, text="Hi", reply_markup=InlineKeyboardMarkup(inline_keyboard=[[button]])
        ),
        SendMediaGroup(
            chat_id=1001,
            media=[
                InputMediaPhoto(media=BufferedInputFile(b"png", "a.png")),
                InputMediaPhoto(media="id"),
            ],
        ),
    ]
    for call in calls:
        params, files = {}, []
        # aiohttp's FormData has no public accessor for its parts.
        for options, _headers, value in session.build_form_data(bot, call)._fields:
            if "filename" in options:
                files.append(options["name"])
            else:
                params[options["name"]] = value
        assert telegram.check_call(call.__api_method__, params, files=files) == []


def test_method_names_are_case_insensitive(telegram: TelegramSpec) -> None:
    assert telegram.has_method("sendMessage")
    assert telegram.has_method("SENDMESSAGE")
    assert not telegram.has_method("sendMessages")
    assert telegram.check_call("sendmessage", {"chat_id": 1, "text": "x"}) == []


def test_missing_chat_id_fails(telegram: TelegramSpec) -> None:
    errors = telegram.check_call("sendMessage", {"text": "Hello"})
    assert len(errors) == 1
    assert errors[0].startswith("chat_id: missing required")


def test_unknown_method_fails(telegram: TelegramSpec) -> None:
    assert telegram.check_call("sendMesage", {"chat_id": 1, "text": "x"}) == [
        "unknown method 'sendMesage'"
    ]


def test_unknown_parameter_fails(telegram: TelegramSpec) -> None:
    errors = telegram.check_call("sendMessage", {"chat_id": 1, "text": "x", "colour": "red"})
    assert errors == ["colour: unknown parameter of sendMessage"]


def test_wrong_types_fail(telegram: TelegramSpec) -> None:
    errors = telegram.check_call("sendMessage", {"chat_id": [1001], "text": {"body": "x"}})
    assert errors == [
        "chat_id: expected Integer or String, got array",
        "text: expected String, got object",
    ]


@pytest.mark.parametrize(
    ("name", "value"),
    [("disable_notification", "yes"), ("reply_markup", "{not json"), ("message_thread_id", "7a")],
)
def test_form_values_that_do_not_decode_fail(telegram: TelegramSpec, name: str, value: str) -> None:
    errors = telegram.check_call("sendMessage", {"chat_id": "1", "text": "x", name: value})
    assert len(errors) == 1
    assert errors[0].startswith(f"{name}: expected ")


def test_nested_button_without_text_fails(telegram: TelegramSpec) -> None:
    keyboard = {
        "inline_keyboard": [[{"text": "Yes", "callback_data": "y"}, {"callback_data": "n"}]]
    }
    for reply_markup in (keyboard, json.dumps(keyboard)):
        errors = telegram.check_call(
            "sendMessage", {"chat_id": 1, "text": "x", "reply_markup": reply_markup}
        )
        assert errors == [
            "reply_markup.inline_keyboard[0][1].text: "
            "missing required field of InlineKeyboardButton"
        ]


def test_send_document_with_attached_file_passes(telegram: TelegramSpec) -> None:
    params = {"chat_id": "1001", "document": "attach://report", "caption": "Report"}
    assert telegram.check_call("sendDocument", params, files=["report"]) == []
    # The file part may also carry the field's own name, or the field a file_id.
    assert telegram.check_call("sendDocument", {"chat_id": "1001"}, files=["document"]) == []
    assert telegram.check_call("sendDocument", {"chat_id": 1001, "document": "BQACAgIAAx"}) == []


def test_attach_to_a_missing_file_part_fails(telegram: TelegramSpec) -> None:
    errors = telegram.check_call(
        "sendDocument", {"chat_id": 1, "document": "attach://report"}, files=["other"]
    )
    assert errors == ["document: 'attach://report' names a file part the request does not contain"]


def test_media_group_items_dispatch_on_type(telegram: TelegramSpec) -> None:
    media = [{"type": "photo", "media": "attach://p1"}, {"type": "video", "media": "file-id"}]
    params = {"chat_id": 1, "media": json.dumps(media)}
    assert telegram.check_call("sendMediaGroup", params, files=["p1"]) == []
    media[1]["type"] = "gif"
    errors = telegram.check_call("sendMediaGroup", {"chat_id": 1, "media": media}, files=["p1"])
    assert len(errors) == 1
    assert errors[0].startswith("media[1].type: unknown type 'gif'")


def test_abstract_types_check_the_chosen_subtype(telegram: TelegramSpec) -> None:
    commands = [{"command": "start", "description": "Start"}]
    ok = {"commands": commands, "scope": {"type": "chat", "chat_id": 1001}}
    assert telegram.check_call("setMyCommands", ok) == []
    errors = telegram.check_call("setMyCommands", {"commands": commands, "scope": {"type": "chat"}})
    assert errors == ["scope.chat_id: missing required field of BotCommandScopeChat"]


UPDATE: dict[str, Any] = {
    "update_id": 10,
    "message": {
        "message_id": 5,
        "date": 1_700_000_000,
        "chat": {"id": 1001, "type": "private", "first_name": "Ann"},
        "from": {"id": 1001, "is_bot": False, "first_name": "Ann", "language_code": "en"},
        "text": "/start",
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
    },
}


def test_update_with_a_message_passes(telegram: TelegramSpec) -> None:
    assert telegram.check_object("Update", UPDATE) == []
    assert telegram.check_object("Array of Update", [UPDATE]) == []


def test_malformed_update_fails(telegram: TelegramSpec) -> None:
    message = {k: v for k, v in UPDATE["message"].items() if k != "date"}
    message["chat"] = {"id": "1001", "type": "private"}
    message["colour"] = "red"
    errors = telegram.check_object("Update", {"update_id": 10, "message": message})
    assert sorted(errors) == [
        "message.chat.id: expected Integer, got string '1001'",
        "message.colour: unknown field of Message",
        "message.date: missing required field of Message",
    ]


def test_objects_serialised_by_aiogram_pass(telegram: TelegramSpec) -> None:
    update = Update.model_validate(UPDATE)
    dumped = update.model_dump(mode="json", exclude_none=True, by_alias=True)
    assert telegram.check_object("Update", dumped) == []


def test_unknown_type_name_fails(telegram: TelegramSpec) -> None:
    assert telegram.check_object("Mesage", {}) == ["unknown Telegram type 'Mesage'"]


# --- LINE ------------------------------------------------------------------------------

TEXT = {"type": "text", "text": "Hello"}


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v2/bot/message/push", {"to": USER_ID, "messages": [TEXT]}),
        ("/v2/bot/message/reply", {"replyToken": "r1", "messages": [TEXT, TEXT]}),
        ("/v2/bot/message/multicast", {"to": [USER_ID], "messages": [TEXT]}),
    ],
)
def test_line_text_messages_pass(line: LineSpec, path: str, body: dict[str, Any]) -> None:
    assert line.check_request("POST", path, body) == []


def test_line_bodies_built_by_the_sdk_pass(line: LineSpec) -> None:
    quick_reply = m.QuickReply(
        items=[
            m.QuickReplyItem(action=m.PostbackAction(label="Yes", data="yes", display_text="Yes"))
        ]
    )
    flex = m.FlexBubble(
        body=m.FlexBox(layout="vertical", contents=[m.FlexText(text="Hi", weight="bold")])
    )
    messages = [
        m.TextMessage(text="Hi", quick_reply=quick_reply),
        m.FlexMessage(alt_text="Hi", contents=flex),
        m.TemplateMessage(
            alt_text="Sure?",
            template=m.ConfirmTemplate(
                text="Sure?",
                actions=[
                    m.MessageAction(label="Yes", text="yes"),
                    m.MessageAction(label="No", text="no"),
                ],
            ),
        ),
    ]
    body = m.PushMessageRequest(to=USER_ID, messages=messages).to_dict()
    assert line.check_request("POST", "/v2/bot/message/push", body) == []


def test_line_text_message_without_text_fails(line: LineSpec) -> None:
    body = {"to": USER_ID, "messages": [TEXT, {"type": "text"}]}
    errors = line.check_request("POST", "/v2/bot/message/push", body)
    assert errors == ["messages[1].text: missing required property"]


def test_line_unknown_message_type_fails(line: LineSpec) -> None:
    body = {"to": USER_ID, "messages": [{"type": "txt", "text": "Hello"}]}
    errors = line.check_request("POST", "/v2/bot/message/push", body)
    assert len(errors) == 1
    assert errors[0].startswith("messages[0].type: unknown type 'txt' (expected one of: ")


def test_line_request_shape_is_checked(line: LineSpec) -> None:
    push = "/v2/bot/message/push"
    assert line.check_request("POST", push, {"to": USER_ID, "messages": []}) == [
        "messages: has 0 items, needs at least 1"
    ]
    assert line.check_request("POST", push, None) == [
        f"POST {push}: the JSON request body is missing"
    ]
    assert line.check_request("POST", push, {"messages": [TEXT]}) == [
        "to: missing required property"
    ]


def test_line_paths_and_methods(line: LineSpec) -> None:
    assert line.check_request("GET", f"/v2/bot/profile/{USER_ID}", None) == []
    assert line.check_request("GET", "/v2/bot/richmenu/list", None) == []  # not /richmenu/{id}
    assert line.check_request("GET", "/v2/bot/followers/ids?limit=10", None) == []
    assert line.check_request("POST", f"/v2/bot/profile/{USER_ID}", None) == [
        f"POST /v2/bot/profile/{USER_ID}: method not allowed (the spec defines GET)"
    ]
    assert line.check_request("GET", "/v2/bot/profiles", None) == [
        "GET /v2/bot/profiles: no such path in LINE Messaging API"
    ]


def test_line_wrong_host_fails(line: LineSpec) -> None:
    content = "/v2/bot/message/5001/content"
    assert line.check_request("GET", content, None, host="data") == []
    assert line.check_request("GET", content, None, host="api") == [
        f"GET {content}: served by https://api-data.line.me, not https://api.line.me"
    ]
    push = {"to": USER_ID, "messages": [TEXT]}
    assert line.check_request("POST", "/v2/bot/message/push", push, host="data") != []
    with pytest.raises(ValueError, match="host"):
        line.check_request("GET", content, None, host="api-data.line.me")


def _event(kind: str, **fields: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "mode": "active",
        "timestamp": 1_700_000_000_000,
        "webhookEventId": "01HF2J3K4M5N6P7Q8R9S0T1V2W",
        "deliveryContext": {"isRedelivery": False},
        "source": {"type": "user", "userId": USER_ID},
        **fields,
    }


def test_line_webhook_events_pass(line: LineSpec) -> None:
    events = [
        _event(
            "message",
            replyToken="r1",
            # The spec requires quoteToken on text message content.
            message={"type": "text", "id": "5001", "text": "Hi", "quoteToken": "q1"},
        ),
        _event("follow", replyToken="r2", follow={"isUnblocked": False}),
        _event("postback", replyToken="r3", postback={"data": "action=join"}),
        _event("unfollow"),
    ]
    assert line.check_webhook({"destination": BOT_USER_ID, "events": events}) == []
    assert line.check_webhook({"destination": BOT_USER_ID, "events": []}) == []


def test_malformed_line_webhook_fails(line: LineSpec) -> None:
    event = _event("message", replyToken="r1", message={"type": "text", "id": "5001", "text": "Hi"})
    del event["webhookEventId"]
    errors = line.check_webhook({"destination": "bot", "events": [event, _event("wave")]})
    assert sorted(errors)[:4] == [
        "destination: 'bot' does not match '^U[0-9a-f]{32}$'",
        "destination: shorter than 33 characters",
        "events[0].message.quoteToken: missing required property",
        "events[0].webhookEventId: missing required property",
    ]
    assert len(errors) == 5
    assert sorted(errors)[4].startswith("events[1].type: unknown type 'wave' (expected one of: ")
    assert line.check_webhook([]) == ["(root): expected object, got array"]


# --- WhatsApp --------------------------------------------------------------------------

MESSAGES = "/v23.0/1234567890/messages"
# The spec requires recipient_type on every message (Meta's examples often omit it).
RECIPIENT = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": "15550001"}


def test_whatsapp_text_message_passes(whatsapp: WhatsAppSpec) -> None:
    body = {**RECIPIENT, "type": "text", "text": {"body": "Hello", "preview_url": False}}
    assert whatsapp.check_request("POST", MESSAGES, body) == []


def test_whatsapp_template_message_passes(whatsapp: WhatsAppSpec) -> None:
    template = {
        "name": "campaign_update",
        # The spec requires language.policy, although Meta's own examples leave it out.
        "language": {"policy": "deterministic", "code": "en_US"},
        "components": [
            {"type": "body", "parameters": [{"type": "text", "text": "Ann"}]},
            {
                "type": "button",
                "sub_type": "quick_reply",
                "index": "0",  # the file's pattern for index is broken; fixed in whatsapp.py
                "parameters": [{"type": "payload", "payload": "STOP"}],
            },
        ],
    }
    body = {**RECIPIENT, "type": "template", "template": template}
    assert whatsapp.check_request("POST", MESSAGES, body) == []


def test_whatsapp_interactive_buttons_pass(whatsapp: WhatsAppSpec) -> None:
    interactive = {
        "type": "button",
        "body": {"text": "Join?"},
        "action": {"buttons": [{"type": "reply", "reply": {"id": "join", "title": "Join"}}]},
    }
    body = {**RECIPIENT, "type": "interactive", "interactive": interactive}
    assert whatsapp.check_request("POST", MESSAGES, body) == []


def test_whatsapp_malformed_messages_fail(whatsapp: WhatsAppSpec) -> None:
    text = {**RECIPIENT, "type": "text", "text": {"body": "Hello"}}
    no_product = {k: v for k, v in text.items() if k != "messaging_product"}
    assert whatsapp.check_request("POST", MESSAGES, no_product) == [
        "messaging_product: missing required property"
    ]
    bad_type = whatsapp.check_request("POST", MESSAGES, {**text, "type": "txt"})
    assert len(bad_type) == 1
    assert bad_type[0].startswith("type: unknown type 'txt'")
    assert whatsapp.check_request("POST", MESSAGES, {**text, "text": "Hello"}) == [
        "text: expected object, got string"
    ]
    # additionalProperties: false in the subtype still admits the inherited properties.
    assert whatsapp.check_request("POST", MESSAGES, {**text, "colour": "red"}) == [
        "colour: unknown property"
    ]


def test_whatsapp_paths_are_checked(whatsapp: WhatsAppSpec) -> None:
    assert whatsapp.check_request("GET", "/v23.0/1234567890", None) == []
    assert whatsapp.check_request("POST", "/v23.0/1234567890/messagez", {}) == [
        "POST /v23.0/1234567890/messagez: no such path in WhatsApp Cloud API v23.0"
    ]
    assert whatsapp.check_request("PUT", MESSAGES, {}) == [
        f"PUT {MESSAGES}: method not allowed (the spec defines POST)"
    ]
