"""What the console API shows: JSON views of the sandbox's state (see console.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .records import Delivery, SentMessage

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
    """GET /console/api/state: people per platform with inbox entries after `since`."""
    inboxes: dict[tuple[str, Any], list[dict[str, Any]]] = {}
    for entry in sandbox.journal.since(since):
        key = (entry.platform, entry.message.chat_id)
        inboxes.setdefault(key, []).append(message_json(entry.seq, entry.message))
    tg, line, wa = sandbox.telegram, sandbox.line, sandbox.whatsapp
    tg_users = [
        {
            "user_id": user_id,
            "first_name": user["first_name"],
            "language_code": user.get("language_code"),
            "blocked": user_id in tg.blocked,
            "inbox": inboxes.get(("telegram", user_id), []),
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
        }
        for user in line.users.values()
    ]
    wa_ids = dict.fromkeys([*wa.contacts, *wa.inboxes.chats()])
    wa_users = [
        {
            "wa_id": wa_id,
            "name": wa.contacts.get(wa_id),
            "inbox": inboxes.get(("whatsapp", wa_id), []),
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
