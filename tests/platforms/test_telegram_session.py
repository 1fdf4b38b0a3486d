"""Bot API calls go as JSON bodies, except the ones that upload a file (a form, as aiogram's)."""

from __future__ import annotations

import json

from aiogram import Bot
from aiogram.methods import SendDocument, SendMessage
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from bot.platforms.telegram_session import JsonSession

TOKEN = "123456:" + "A" * 35


def test_a_call_without_files_is_one_json_object_with_its_nested_objects() -> None:
    session = JsonSession()
    bot = Bot(TOKEN, session=session)
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Yes", callback_data="cmp:go:1")]]
    )
    body = session.json_body(bot, SendMessage(chat_id=42, text="Hola", reply_markup=keyboard))
    assert body is not None
    assert json.loads(body) == {
        "chat_id": 42,
        "text": "Hola",
        "reply_markup": {"inline_keyboard": [[{"text": "Yes", "callback_data": "cmp:go:1"}]]},
    }


def test_a_call_with_a_file_is_left_to_aiogram_s_form() -> None:
    session = JsonSession()
    bot = Bot(TOKEN, session=session)
    upload = SendDocument(chat_id=42, document=BufferedInputFile(b"a,b\n", filename="list.csv"))
    assert session.json_body(bot, upload) is None
