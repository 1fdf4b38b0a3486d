"""Without TELEGRAM_WEBHOOK_URL the bot long-polls getUpdates; the conversation is the same."""

from __future__ import annotations

from models import ChatAccount, Platform
from tests.support.chats import button_data
from tests.support.harness import running_bot


async def test_start_over_long_polling(database_url: str, redis_url: str | None) -> None:
    async with running_bot(
        database_url=database_url, redis_url=redis_url, telegram_polling=True
    ) as harness:
        chat = harness.chat(Platform.TELEGRAM)
        await chat.start()
        welcome = await chat.next()
        assert "lang:en" in button_data(welcome)
        await chat.press(welcome, "lang:th")
        assert "tz:Asia/Bangkok" in button_data(await chat.next())
        assert await ChatAccount.filter(platform=Platform.TELEGRAM).count() == 1
        calls = [call.method for call in harness.sandbox.calls if call.platform == "telegram"]
        assert "getUpdates" in calls
        assert "setWebhook" not in calls
