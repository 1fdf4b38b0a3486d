"""The Telegram stand-in, driven by the real aiogram Bot over loopback HTTP."""

from __future__ import annotations

import asyncio
import json
import secrets

import aiohttp
import pytest
from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramUnauthorizedError,
)
from aiogram.types import BotCommand, BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from bot.sandbox import Sandbox
from tests.sandbox.helpers import Receiver, Served, make_bot

KEYBOARD = InlineKeyboardMarkup(
    inline_keyboard=[
        [InlineKeyboardButton(text="Yes", callback_data="yes")],
        [InlineKeyboardButton(text="Docs", url="https://example.com/docs")],
    ]
)


async def test_get_me_describes_the_bot_behind_the_token(bot: Bot, sandbox: Sandbox) -> None:
    me = await bot.get_me()
    assert me.is_bot
    assert me.id == int(sandbox.credentials.telegram_token.split(":")[0])


async def test_a_wrong_token_is_unauthorized(served: Served) -> None:
    intruder = make_bot(served, token="123456:" + "x" * 35)
    try:
        with pytest.raises(TelegramUnauthorizedError):
            await intruder.get_me()
    finally:
        await intruder.session.close()
    assert served.sandbox.calls[-1].status == 401


async def test_long_poll_wakes_when_the_user_writes(bot: Bot, sandbox: Sandbox) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await sandbox.telegram.wait_for_poll()
    await sandbox.telegram.send_text(1001, "/start promo", language_code="de")
    updates = await asyncio.wait_for(poll, 2)
    message = updates[0].message
    assert message is not None
    assert message.text == "/start promo"
    assert message.chat.id == message.from_user.id == 1001
    assert message.from_user.language_code == "de"
    entity = message.entities[0]
    assert (entity.type, entity.offset, entity.length) == ("bot_command", 0, 6)
    # The offset confirms what was received.
    assert await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0) == []


async def test_a_second_poller_terminates_the_first(served: Served, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=10))
    await served.sandbox.telegram.wait_for_poll()
    other = make_bot(served)
    try:
        assert await other.get_updates(timeout=0) == []
    finally:
        await other.session.close()
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates"):
        await asyncio.wait_for(first, 2)


async def test_webhook_delivery_carries_the_secret(
    bot: Bot, sandbox: Sandbox, receiver: Receiver
) -> None:
    secret = secrets.token_urlsafe(16)
    await bot.set_webhook(f"{receiver.url}/webhooks/telegram", secret_token=secret)
    with pytest.raises(TelegramConflictError, match="webhook is active"):
        await bot.get_updates()
    await sandbox.telegram.send_text(1001, "hello")
    received = receiver.requests[-1]
    assert received.path == "/webhooks/telegram"
    assert received.headers["X-Telegram-Bot-Api-Secret-Token"] == secret
    assert json.loads(received.body)["message"]["text"] == "hello"


async def test_a_refused_webhook_shows_in_webhook_info(
    bot: Bot, sandbox: Sandbox, receiver: Receiver
) -> None:
    receiver.status = 401
    await bot.set_webhook(f"{receiver.url}/webhooks/telegram")
    await sandbox.telegram.send_text(1001, "hello")
    assert sandbox.deliveries[-1].status == 401
    info = await bot.get_webhook_info()
    assert info.last_error_message == "Wrong response from the webhook: 401"


async def test_updates_queued_before_set_webhook_are_flushed_to_it(
    bot: Bot, sandbox: Sandbox, receiver: Receiver
) -> None:
    await sandbox.telegram.send_text(1001, "early")
    assert (await bot.get_webhook_info()).pending_update_count == 1
    await bot.set_webhook(f"{receiver.url}/webhooks/telegram")

    def flushed() -> bool | None:
        return True if receiver.requests else None

    await sandbox.changes.wait_for(flushed, timeout=2)
    assert json.loads(receiver.requests[0].body)["message"]["text"] == "early"


async def test_messages_with_keyboards_reach_the_inbox_and_buttons_work(
    bot: Bot, sandbox: Sandbox
) -> None:
    await sandbox.telegram.send_text(1001, "/start")
    sent = await bot.send_message(1001, "Continue?", reply_markup=KEYBOARD)
    assert sent.reply_markup is not None
    assert sent.reply_markup.model_dump() == KEYBOARD.model_dump()
    seen = await sandbox.telegram.next_message(1001)
    assert seen.text == "Continue?"
    assert seen.buttons == [[("Yes", "yes")], [("Docs", "https://example.com/docs")]]
    with pytest.raises(ValueError, match="no inline button"):
        await sandbox.telegram.press_button(1001, seen, "no")
    await sandbox.telegram.press_button(1001, seen, "yes")
    updates = await bot.get_updates(timeout=1)
    query = updates[-1].callback_query
    assert query is not None
    assert query.data == "yes"
    assert query.message.message_id == sent.message_id
    assert await bot.answer_callback_query(query.id, text="Done")
    call = await sandbox.telegram.wait_for_call("answerCallbackQuery")
    assert call.params["text"] == "Done"
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query.id)


async def test_html_is_parsed_like_telegram_and_bad_html_refused(
    bot: Bot, sandbox: Sandbox
) -> None:
    await sandbox.telegram.send_text(1001, "/start")
    sent = await bot.send_message(1001, "😀 <b>Sale</b> &amp; more", parse_mode="HTML")
    assert sent.text == "😀 Sale & more"
    bold = sent.entities[0]
    assert (bold.type, bold.offset, bold.length) == ("bold", 3, 4)  # the emoji is 2 UTF-16 units
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(1001, "Tom <Jerry>", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(999, "nobody here")


async def test_edits_update_the_inbox_in_place(bot: Bot, sandbox: Sandbox) -> None:
    await sandbox.telegram.send_text(1001, "/start")
    sent = await bot.send_message(1001, "Pick one", reply_markup=KEYBOARD)
    await bot.edit_message_text("Picked", chat_id=1001, message_id=sent.message_id)
    [seen] = sandbox.telegram.inbox(1001)
    assert (seen.text, seen.buttons, seen.edited) == ("Picked", [], True)
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text("Picked", chat_id=1001, message_id=sent.message_id)
    await bot.delete_message(1001, sent.message_id)
    assert sandbox.telegram.inbox(1001) == []
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_reply_markup(chat_id=1001, message_id=sent.message_id)


async def test_documents_go_both_ways(bot: Bot, sandbox: Sandbox) -> None:
    await sandbox.telegram.send_text(1001, "/start")
    upload = BufferedInputFile(b"name,phone\nAda,+4412345\n", filename="contacts.csv")
    sent = await bot.send_document(1001, upload, caption="Your export")
    assert sent.document is not None
    assert (sent.document.file_name, sent.document.mime_type) == ("contacts.csv", "text/csv")
    seen = await sandbox.telegram.next_message(1001)
    assert seen.document == ("contacts.csv", b"name,phone\nAda,+4412345\n")
    assert seen.text == "Your export"

    await sandbox.telegram.send_document(1001, "list.txt", b"+15550001", "text/plain")
    updates = await bot.get_updates(timeout=1)
    document = updates[-1].message.document
    file = await bot.get_file(document.file_id)
    downloaded = await bot.download(file)
    assert downloaded is not None
    assert downloaded.read() == b"+15550001"


async def test_photos_stickers_chat_and_commands(bot: Bot, sandbox: Sandbox) -> None:
    await sandbox.telegram.send_photo(1001)
    await sandbox.telegram.send_sticker(1001)
    updates = await bot.get_updates(timeout=1)
    assert updates[0].message.photo
    assert updates[1].message.sticker
    photo = BufferedInputFile(b"\x89PNG fake", filename="banner.png")
    assert (await bot.send_photo(1001, photo, caption="Banner")).photo
    assert (await bot.get_chat(1001)).first_name == "Test"
    assert await bot.send_chat_action(1001, "typing")
    assert await bot.set_my_commands([BotCommand(command="start", description="Begin")])
    assert [c.command for c in await bot.get_my_commands()] == ["start"]


async def test_a_blocking_user_makes_sends_forbidden(bot: Bot, sandbox: Sandbox) -> None:
    await sandbox.telegram.send_text(1001, "/start")
    await sandbox.telegram.block(1001)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(1001, "Hello?")
    await sandbox.telegram.unblock(1001)
    await bot.send_message(1001, "Welcome back")
    updates = await bot.get_updates(timeout=1)
    changes = [u.my_chat_member.new_chat_member.status for u in updates if u.my_chat_member]
    assert changes == ["kicked", "member"]


async def test_spec_violations_are_refused_and_recorded(served: Served, bot: Bot) -> None:
    sandbox = served.sandbox
    base = f"{served.url}/telegram/bot{sandbox.credentials.telegram_token}"
    await sandbox.telegram.send_text(1001, "/start")
    async with aiohttp.ClientSession() as http:
        response = await http.post(f"{base}/sendMessage", json={"chat_id": 1001})
        answer = await response.json()
        assert response.status == 400
        assert answer["description"].startswith("Bad Request: sandbox spec check: ")
        response = await http.post(f"{base}/sendMessages", json={})
        assert (response.status, (await response.json())["description"]) == (404, "Not Found")
        response = await http.post(f"{base}/SENDPOLL", json={"chat_id": 1, "question": "?"})
        assert response.status == 501
    assert len(sandbox.violations) == 3
    assert "text" in sandbox.violations[0]
    assert sandbox.telegram.inbox(1001) == []
    sandbox.violations.clear()


async def test_next_message_explains_a_silent_chat(sandbox: Sandbox) -> None:
    with pytest.raises(AssertionError, match="no new bot message in telegram chat 5"):
        await sandbox.telegram.next_message(5, timeout=0.05)
