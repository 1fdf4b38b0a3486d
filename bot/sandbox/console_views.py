"""What the console API shows: JSON views of the sandbox's state (see console.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .records import Delivery, Platform, SentMessage

if TYPE_CHECKING:
    from .core import Sandbox


def message_json(seq: int, message: SentMessage) -> dict[str, Any]:
    """An inbox entry (documents by name and size; the bytes stay in the sandbox)."""
    document = message.document
    return {
        "seq": seq,
        "message_id": message.message_id,
        "text": message.text,
        "buttons": [
            [{"label": label, "data": data} for label, data in row] for row in message.buttons
        ],
        "document": {"name": document[0], "size": len(document[1])} if document else None,
        "edited": message.edited,
        "deleted": message.deleted,
    }


def delivery_json(delivery: Delivery) -> dict[str, Any]:
    """A webhook delivery and how the bot answered it."""
    return {
        "platform": delivery.platform,
        "url": delivery.url,
        "status": delivery.status,
        "error": delivery.error,
        "time": delivery.time.isoformat(),
    }


def state_json(sandbox: Sandbox, since: int) -> dict[str, Any]:
    """GET /console/api/state: people per platform with chat entries after `since`."""
    inboxes: dict[tuple[str, Any], list[dict[str, Any]]] = {}
    said: dict[tuple[str, Any], list[dict[str, Any]]] = {}
    for entry in sandbox.journal.since(since):
        key = (entry.platform, entry.message.chat_id)
        if isinstance(entry.message, PersonMessage):
            said.setdefault(key, []).append(person_json(entry.seq, entry.message))
        else:
            inboxes.setdefault(key, []).append(message_json(entry.seq, entry.message))
    tg, line, wa = sandbox.telegram, sandbox.line, sandbox.whatsapp
    tg_users = [
        {
            "user_id": user_id,
            "first_name": user["first_name"],
            "language_code": user.get("language_code"),
            "blocked": user_id in tg.blocked,
            "inbox": inboxes.get(("telegram", user_id), []),
            "said": said.get(("telegram", user_id), []),
        }
        for user_id, user in tg.users.items()
    ]
    line_users = [
        {
            "user_id": user.user_id,
            "display_name": user.display_name,
            "language": user.language,
            "following": user.following,
            "inbox": inboxes.get(("line", user.user_id), []),
            "said": said.get(("line", user.user_id), []),
        }
        for user in line.users.values()
    ]
    wa_ids = dict.fromkeys([*wa.contacts, *wa.inboxes.chats()])
    wa_users = [
        {
            "wa_id": wa_id,
            "name": wa.contacts.get(wa_id),
            "inbox": inboxes.get(("whatsapp", wa_id), []),
            "said": said.get(("whatsapp", wa_id), []),
        }
        for wa_id in wa_ids
    ]
    return {
        "cursor": sandbox.journal.cursor,
        "telegram": {
            "bot": tg.bot_user,
            "webhook": {"url": tg.webhook.url, "pending_update_count": len(tg.pending)},
            "users": tg_users,
        },
        "line": {"bot_user_id": line.bot_user_id, "users": line_users},
        "whatsapp": {
            "phone_number_id": sandbox.credentials.whatsapp_phone_number_id,
            "users": wa_users,
        },
        "calls": len(sandbox.calls),
        "violations": sandbox.violations,
        "faults": [fault.to_json() for fault in sandbox.faults.rules],
        "deliveries": [delivery_json(d) for d in sandbox.deliveries[-20:]],
    }


def calls_json(sandbox: Sandbox, since: int) -> dict[str, Any]:
    """GET /console/api/calls: the requests the bot made, from index `since` on."""
    calls = [
        {
            "index": index,
            "platform": call.platform,
            "method": call.method,
            "params": call.params,
            "status": call.status,
            "fault": call.fault,
            "time": call.time.isoformat(),
        }
        for index, call in enumerate(sandbox.calls)
        if index >= since
    ]
    return {"cursor": len(sandbox.calls), "calls": calls}


@dataclass
class PersonMessage(SentMessage):
    """What a person did at the console (wrote, pressed, sent a file, followed or blocked),
    journaled beside the bot's messages so the page shows both sides of a chat in order.

    Never put in an inbox: the stand-ins' inboxes stay the bot's messages only. `error`
    says why it did not reach the bot (a refused action, or the bot's webhook answer).
    """

    platform: Platform = "telegram"
    kind: str = "text"
    error: str | None = None


# Console actions a person can see in their own chat, and how each shows there.
PERSON_KINDS = {
    "send_text": "text",
    "press_button": "button",
    "postback": "button",
    "send_document": "file",
    "send_file": "file",
    "send_photo": "photo",
    "send_image": "photo",
    "send_sticker": "sticker",
    "block": "block",
    "unblock": "unblock",
    "follow": "follow",
    "unfollow": "unfollow",
}


def person_message(
    sandbox: Sandbox, platform: Platform, chat_id: int | str, action: str, body: dict[str, Any]
) -> PersonMessage:
    """The person's side of a console action (one of PERSON_KINDS)."""
    kind = PERSON_KINDS[action]
    text: str | None = None
    if kind == "text":
        text = str(body.get("text", ""))
    elif kind == "file":
        upload = body.get("file")
        text = getattr(upload, "filename", None)
    elif action == "postback":
        text = str(body.get("display_text") or body.get("data", ""))
    elif action == "press_button":
        text = _button_label(sandbox, chat_id, body)
    message_id = f"person-{len(sandbox.journal.entries) + 1}"
    return PersonMessage(message_id, chat_id, text, platform=platform, kind=kind)


def _button_label(sandbox: Sandbox, chat_id: int | str, body: dict[str, Any]) -> str:
    data = str(body.get("data", ""))
    message_id = body.get("message_id")
    if not isinstance(chat_id, int) or not str(message_id).isdigit():
        return data
    message = sandbox.telegram.inboxes.find(chat_id, int(str(message_id)))
    buttons = [button for row in message.buttons for button in row] if message else []
    return next((label for label, payload in buttons if payload == data), data)


def person_json(seq: int, message: PersonMessage) -> dict[str, Any]:
    """A `said` entry: the person's side of the chat."""
    return {
        "seq": seq,
        "id": message.message_id,
        "kind": message.kind,
        "text": message.text,
        "error": message.error,
    }
