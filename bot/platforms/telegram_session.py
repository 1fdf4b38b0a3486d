"""aiogram's HTTP session, posting a call without files as one JSON body.

aiogram posts every Bot API call as a form. For a call without files aiohttp still builds a
FormData, which makes a multipart writer (a uuid4 boundary) before it settles on a urlencoded
body, and the nested objects (keyboards, entities) are each dumped to JSON inside it. The Bot
API takes an application/json body as well: one dumps of the whole call. A campaign is one
sendMessage per recipient, so this is paid per message: 3,000 sends against the sandbox in one
process (bot and sandbox) took about 510 CPU-ms per 1,000 instead of 660. A call that uploads a
file goes as aiogram sends it.
"""

from __future__ import annotations

from typing import Any, cast

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiohttp import ClientError

_JSON = {"Content-Type": "application/json"}


class JsonSession(AiohttpSession):
    """AiohttpSession whose calls without files are JSON bodies."""

    def json_body(self, bot: Bot, method: TelegramMethod[Any]) -> bytes | None:
        """The call as a JSON body, or None when it carries a file (a form is needed)."""
        files: dict[str, Any] = {}
        fields = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=files, _dumps_json=False)
            if prepared is not None:
                fields[key] = prepared
        if files:
            return None
        return self.json_dumps(fields).encode()

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 - aiogram's signature
    ) -> TelegramType:
        body = self.json_body(bot, method)
        if body is None:
            return await super().make_request(bot, method, timeout)
        session = await self.create_session()
        url = self.api.api_url(token=bot.token, method=method.__api_method__)
        # As aiogram's own make_request, but for the body.
        try:
            async with session.post(
                url, data=body, headers=_JSON, timeout=self.timeout if timeout is None else timeout
            ) as resp:
                raw_result = await resp.text()
        except TimeoutError as e:
            raise TelegramNetworkError(method=method, message="Request timeout error") from e
        except ClientError as e:
            raise TelegramNetworkError(method=method, message=f"{type(e).__name__}: {e}") from e
        response = self.check_response(
            bot=bot, method=method, status_code=resp.status, content=raw_result
        )
        return cast(TelegramType, response.result)
