"""Real webhook bodies of each platform, as the sandbox sends them: the seeds of mutation."""

from __future__ import annotations

from typing import Any

_USER = {"id": 42, "is_bot": False, "first_name": "Eve", "language_code": "es"}
_CHAT = {"id": 42, "type": "private", "first_name": "Eve"}
_MESSAGE = {"message_id": 7, "date": 1763891234, "chat": _CHAT, "from": _USER}

TELEGRAM: list[dict[str, Any]] = [
    {"update_id": 1, "message": {**_MESSAGE, "text": "/start x"}},
    {"update_id": 2, "message": {**_MESSAGE, "text": "hola"}},
    {
        "update_id": 3,
        "message": {
            **_MESSAGE,
            "document": {
                "file_id": "BQAC",
                "file_unique_id": "AgAD",
                "file_name": "../../etc/passwd.csv",
                "mime_type": "text/csv",
                "file_size": 12,
            },
        },
    },
    {
        "update_id": 4,
        "message": {
            **_MESSAGE,
            "photo": [{"file_id": "A", "file_unique_id": "B", "width": 1, "height": 1}],
        },
    },
    {
        "update_id": 5,
        "message": {
            **_MESSAGE,
            "contact": {"phone_number": "+34", "first_name": "E", "user_id": 42},
        },
    },
    {
        "update_id": 6,
        "callback_query": {
            "id": "1",
            "from": _USER,
            "chat_instance": "9",
            "data": "lst:open:1",
            "message": {**_MESSAGE, "from": {**_USER, "is_bot": True}, "text": "x"},
        },
    },
    {
        "update_id": 7,
        "my_chat_member": {
            "chat": _CHAT,
            "from": _USER,
            "date": 1763891234,
            "old_chat_member": {"status": "member", "user": _USER},
            "new_chat_member": {"status": "kicked", "user": _USER, "until_date": 0},
        },
    },
]

_SOURCE = {"type": "user", "userId": "U" + "0" * 32}
_EVENT = {
    "mode": "active",
    "timestamp": 1763891234000,
    "source": _SOURCE,
    "webhookEventId": "01JD0000000000000000000000",
    "deliveryContext": {"isRedelivery": False},
    "replyToken": "0f3779fba3b349968c5d07db31eab56f",
}
_LINE_EVENTS: list[dict[str, Any]] = [
    {**_EVENT, "type": "follow", "follow": {"isUnblocked": False}},
    {**_EVENT, "type": "unfollow"},
    {**_EVENT, "type": "postback", "postback": {"data": "cmp:open:1"}},
    {
        **_EVENT,
        "type": "message",
        "message": {"type": "text", "id": "1", "quoteToken": "q", "text": "start abc"},
    },
    {
        **_EVENT,
        "type": "message",
        "message": {"type": "file", "id": "2", "fileName": "/etc/passwd", "fileSize": 3},
    },
    {
        **_EVENT,
        "type": "message",
        "message": {
            "type": "image",
            "id": "3",
            "quoteToken": "q",
            "contentProvider": {"type": "line"},
        },
    },
]
LINE: list[dict[str, Any]] = [
    {"destination": "U" + "1" * 32, "events": [event]} for event in _LINE_EVENTS
]

_METADATA = {"display_phone_number": "15550001111", "phone_number_id": "1"}


def _whatsapp(value: dict[str, Any], field: str = "messages") -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"value": value, "field": field}]}],
    }


WHATSAPP: list[dict[str, Any]] = [
    _whatsapp(
        {
            "messaging_product": "whatsapp",
            "metadata": _METADATA,
            "contacts": [{"profile": {"name": "Eve"}, "wa_id": "34612345678"}],
            "messages": [
                {
                    "from": "34612345678",
                    "id": "wamid.1",
                    "timestamp": "1763891234",
                    "type": "text",
                    "text": {"body": "STOP"},
                }
            ],
        }
    ),
    _whatsapp(
        {
            "messaging_product": "whatsapp",
            "metadata": _METADATA,
            "statuses": [
                {
                    "id": "wamid.2",
                    "status": "failed",
                    "timestamp": "1763891234",
                    "recipient_id": "34612345678",
                    "errors": [{"code": 131026, "title": "Message undeliverable"}],
                }
            ],
        }
    ),
    _whatsapp(
        {
            "messaging_product": "whatsapp",
            "metadata": _METADATA,
            "user_preferences": [
                {
                    "wa_id": "34612345678",
                    "category": "marketing_messages",
                    "value": "stop",
                    "timestamp": 1763891234,
                }
            ],
        },
        field="user_preferences",
    ),
]
