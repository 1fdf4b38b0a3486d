"""The campaign benchmark's comparisons: the same Telegram audience sent the way bots usually
broadcast, in a process of its own, against the same sandbox.

- `loop`: one aiogram Bot and a for loop, one message awaited at a time, sleeping only when
  Telegram answers 429 (RetryAfter), then sending that message again.
- `broadcaster`: the aiogram-broadcaster package (a Mailer over the chat ids, no interval),
  if it is installed.

    python -m bench.campaign_compare loop|broadcaster IDS_FILE OUT_JSON
    (TELEGRAM_API_URL, TELEGRAM_BOT_TOKEN and BENCH_TEXT in the environment)
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import cpu_seconds, peak_rss_mb

KINDS = ("loop", "broadcaster")


def broadcaster_version() -> str | None:
    """The installed aiogram-broadcaster's version, or None when it is not installed."""
    try:
        from importlib.metadata import PackageNotFoundError, version

        return version("aiogram-broadcaster")
    except PackageNotFoundError:
        return None


async def _loop(bot: Any, ids: list[int], text: str) -> tuple[int, int]:
    from aiogram.exceptions import TelegramAPIError, TelegramRetryAfter

    sent = failed = 0
    for chat_id in ids:
        try:
            await bot.send_message(chat_id, text)
            sent += 1
        except TelegramRetryAfter as error:
            await asyncio.sleep(error.retry_after)
            await bot.send_message(chat_id, text)
            sent += 1
        except TelegramAPIError:
            failed += 1
    return sent, failed


async def _broadcaster(bot: Any, ids: list[int], text: str) -> tuple[int, int]:
    from aiogram_broadcaster import Broadcaster
    from aiogram_broadcaster.contents import TextContent

    broadcaster = Broadcaster(bot)
    mailer = await broadcaster.create_mailer(chats=ids, content=TextContent(text=text))
    await mailer.start()
    return len(mailer.chats.success), len(mailer.chats.failed)


async def run(kind: str, ids: list[int]) -> dict[str, Any]:
    """Send `BENCH_TEXT` to every id; the figures of the send alone (the Bot built first)."""
    from aiogram import Bot
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer

    session = AiohttpSession(api=TelegramAPIServer.from_base(os.environ["TELEGRAM_API_URL"]))
    bot = Bot(os.environ["TELEGRAM_BOT_TOKEN"], session=session)
    text = os.environ["BENCH_TEXT"]
    body = _loop if kind == "loop" else _broadcaster
    try:
        cpu0, t0 = cpu_seconds(), time.perf_counter()
        sent, failed = await body(bot, ids, text)
        elapsed, cpu = time.perf_counter() - t0, cpu_seconds() - cpu0
    finally:
        await session.close()
    return {
        "kind": kind,
        "sent": sent,
        "failed": failed,
        "seconds": elapsed,
        "cpu_s": cpu,
        "peak_rss_mb": peak_rss_mb(),
    }


def main(argv: list[str]) -> int:
    kind, ids_file, out = argv
    if kind not in KINDS:
        raise SystemExit(f"kind must be one of {KINDS}")
    ids = [int(line) for line in Path(ids_file).read_text(encoding="ascii").split()]
    result = asyncio.run(run(kind, ids))
    Path(out).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
