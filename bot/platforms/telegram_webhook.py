"""Telegram's webhook: aiogram's request handler, with the body parsed before it is accepted.

aiogram's SimpleRequestHandler decodes the JSON inside the request (an undecodable body is a
500, which Telegram retries for hours) and validates the Update in a background task, where a
bad one is an exception nobody retrieves. Here both happen first: a body that is not an Update
is answered 400 and dropped, and only a parsed Update goes to the background.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any

from aiogram import Bot
from aiogram.methods import TelegramMethod
from aiogram.types import Update
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from bot.platforms import MalformedWebhook

log = logging.getLogger(__name__)


def parse_update(body: bytes, *, bot: Bot | None) -> Update:
    """The Update in a webhook body (bound to `bot`, as aiogram binds it); MalformedWebhook if
    the body is not one."""
    try:
        return Update.model_validate(json.loads(body), context={"bot": bot})
    # JSON and pydantic's errors are ValueErrors; RecursionError: JSON nested too deep.
    except (ValueError, RecursionError) as error:
        raise MalformedWebhook("telegram: not an Update") from error


class CheckedRequestHandler(SimpleRequestHandler):
    """SimpleRequestHandler (secret token checked first, updates handled in the background)
    that parses the body before answering; `on_malformed` counts the bodies refused."""

    def __init__(self, *, on_malformed: Callable[[], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._on_malformed = on_malformed

    async def _handle_request_background(self, bot: Bot, request: web.Request) -> web.Response:
        try:
            update = parse_update(await request.read(), bot=bot)
        except MalformedWebhook:
            self._on_malformed()
            return web.Response(status=400, text="Malformed body")
        task = asyncio.create_task(self._feed(bot, update))
        # aiogram's own set: it keeps the task referenced and is awaited on shutdown.
        self._background_feed_update_tasks.add(task)
        task.add_done_callback(self._background_feed_update_tasks.discard)
        return web.json_response({}, dumps=bot.session.json_dumps)

    async def _feed(self, bot: Bot, update: Update) -> None:
        try:
            result = await self.dispatcher.feed_update(bot, update, **self.data)
            if isinstance(result, TelegramMethod):
                await self.dispatcher.silent_call_request(bot=bot, result=result)
        except Exception:  # Telegram has its 200: the update is logged, not left unretrieved
            log.exception("telegram update %s failed", update.update_id)
