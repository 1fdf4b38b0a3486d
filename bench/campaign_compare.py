"""The campaign benchmark's comparisons: the same Telegram audience sent the way bots usually
broadcast, in a process of its own, against the same sandbox.

- `loop`: the plain aiogram broadcast loop the issue names (send, sleep, catch RetryAfter), as
  aiogram's own broadcast example writes it: one message awaited at a time, then a 0.05 s sleep
  ("20 messages per second, limit 30"); on 429 it sleeps retry_after and sends that message again.
- `loop_nosleep`: the same loop without the sleep, which only a bot with limits off may run: the
  fastest one aiogram Bot goes one message at a time.
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

KINDS = ("loop", "loop_nosleep", "broadcaster")
# aiogram's broadcast example (examples/broadcast_example.py): "20 messages per second (Limit: 30
# messages per second)".
LOOP_DELAY_S = 0.05


def broadcaster_version() -> str | None:
    """The installed aiogram-broadcaster's version, or None when it is not installed."""
    try:
        from importlib.metadata import PackageNotFoundError, version

        return version("aiogram-broadcaster")
    except PackageNotFoundError:
        return None


async def _loop(bot: Any, ids: list[int], text: str, *, delay: float) -> tuple[int, int]:
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
        if delay:
            await asyncio.sleep(delay)
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
    try:
        cpu0, t0 = cpu_seconds(), time.perf_counter()
        if kind == "broadcaster":
            sent, failed = await _broadcaster(bot, ids, text)
        else:
            delay = LOOP_DELAY_S if kind == "loop" else 0.0
            sent, failed = await _loop(bot, ids, text, delay=delay)
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
