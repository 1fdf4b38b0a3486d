"""Honour Telegram's flood control for the bot's own chat replies.

A 429 answer carries retry_after: waiting that long and sending again is what Telegram asks
for. Only a few attempts are made, so a member is answered late rather than never, and a
persistent failure still surfaces as an error.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from aiogram.client.session.middlewares.base import BaseRequestMiddleware
from aiogram.exceptions import TelegramRetryAfter

if TYPE_CHECKING:
    from aiogram import Bot
    from aiogram.client.session.middlewares.base import NextRequestMiddlewareType
    from aiogram.methods import Response, TelegramMethod

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
# A longer wait than this is not worth holding a chat reply for.
MAX_RETRY_AFTER = 30


class RetryAfterMiddleware(BaseRequestMiddleware):
    """Retries a request after the wait a 429 asks for, a bounded number of times."""

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[Any],
        bot: Bot,
        method: TelegramMethod[Any],
    ) -> Response[Any]:
        """Send; on 429 wait retry_after seconds and send again."""
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as error:
                if attempt == MAX_ATTEMPTS or error.retry_after > MAX_RETRY_AFTER:
                    raise
                log.warning(
                    "telegram flood control",
                    extra={"method": type(method).__name__, "retry_after": error.retry_after},
                )
                await asyncio.sleep(error.retry_after)
        raise AssertionError("unreachable")  # pragma: no cover
