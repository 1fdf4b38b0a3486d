"""Walking a new member through /start, for tests that need a registered member."""

from __future__ import annotations

from bot.sandbox import SentMessage
from tests.support.chats import MemberChat, button_data


async def onboard(chat: MemberChat, *, locale: str = "en", timezone: str = "UTC") -> SentMessage:
    """Start, pick language and timezone, accept the terms; returns the welcome message."""
    await chat.start()
    await chat.press(await chat.next(), f"lang:{locale}")
    prompt = await chat.next()
    if f"tz:{timezone}" in button_data(prompt):
        await chat.press(prompt, f"tz:{timezone}")
    else:
        await chat.send(timezone)
    await chat.press(await chat.next(), "terms:accept")
    return await chat.next()
