"""Broadside's composition root: configuration, logging, then the process you asked for."""

from __future__ import annotations

import argparse
import asyncio
import gc
import signal
import sys
from collections.abc import Awaitable, Callable

from bot.config import ConfigError, Settings, load_settings
from bot.logs import configure_logging

COMMANDS = {
    "run": "everything in one process: web server, Telegram polling or webhook, worker, scheduler",
    "web": "the web server only: webhooks, /healthz, /metrics (registers the Telegram webhook)",
    "worker": "the dispatcher worker and scheduler only",
    "migrate": "apply database migrations, then exit",
    "sandbox": "the platform stand-ins and their console, with the bot running against them",
}


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    parser = argparse.ArgumentParser(
        prog="run_bot.py",
        description="Broadside: the campaign manager you run from chat.",
        epilog="Configuration comes from environment variables and an optional .env file; "
        "see README.md.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, help_text in COMMANDS.items():
        sub = commands.add_parser(name, help=help_text, description=help_text)
        if name == "sandbox":
            sub.add_argument("--port", type=int, default=8081, help="sandbox port (default 8081)")
            sub.add_argument(
                "--telegram-limits",
                action="store_true",
                help="answer 429 as Telegram does past 30 messages a second, or one a second "
                "to the same chat (off: the sandbox never throttles)",
            )
    return parser


async def _with_app(settings: Settings, body: Callable[..., Awaitable[None]]) -> None:
    from bot.app import App

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    app = await App.build(settings)
    # What is built by now (modules, aiogram's and the LINE SDK's pydantic models, the App)
    # lives as long as the process. Frozen, it is out of the collector's way: each full
    # collection walked those few hundred thousand objects again, 2.2 s of a 20,000-message
    # Telegram campaign's 7 CPU-seconds (0.4 s frozen).
    gc.collect()
    gc.freeze()
    try:
        await body(app, stop)
    finally:
        await app.close()


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the chosen process; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        configure_logging(settings.LOG_LEVEL)
        _run(args, settings)
    except ConfigError as error:  # malformed settings, or (once the database is open) a
        print(f"configuration error: {error}", file=sys.stderr)  # noqa: T201 - wrong data key
        return 2
    return 0


def _run(args: argparse.Namespace, settings: Settings) -> None:
    # Imports follow the command: the chat SDKs take seconds to import and `migrate` needs none.
    if args.command == "migrate":
        from bot import db

        asyncio.run(db.apply_migrations(settings))
    elif args.command == "sandbox":
        from bot.sandbox.runner import run_sandbox

        asyncio.run(run_sandbox(settings, port=args.port, telegram_limits=args.telegram_limits))
    else:
        from bot import processes

        body = {
            "run": processes.run_everything,
            "web": processes.run_web,
            "worker": processes.run_worker,
        }[args.command]
        asyncio.run(_with_app(settings, body))


if __name__ == "__main__":
    sys.exit(main())
