"""The Telegram limit benchmark: a campaign at the product's 30/s against a sandbox that
enforces Telegram's limits, for ten minutes: how much of the limit it uses, how many 429s.

    .venv/bin/python -m bench.telegram_limit [--seconds 600] [--config embedded|postgres+redis|both]

Per configuration, this process (the driver):
1. Serves a fresh Sandbox enforcing Telegram's flood control (30 messages a second per bot,
   one a second per chat, counted on arrival over a moving second: bot/sandbox/
   telegram_limits.py) and makes a fresh database (embedded: a new SQLite file;
   postgres+redis: broadside_bench_limit and Redis db 13, both WIPED), one member and one list
   of (seconds + 60) x 30 Telegram contacts: enough that the campaign is still sending when
   the window ends.
2. Starts real `run_bot.py worker` processes (embedded: 1; postgres+redis: --workers, 2,
   sharing the limit through Redis) with the product's TELEGRAM_RATE_LIMIT (30: the benchmark
   does not set it), and launches the campaign through CampaignService.
3. Waits for the first message at the sandbox, then `--seconds`; pauses the campaign and
   stops the workers. The figures come from the sandbox's record of every request:
   `telegram_limit_utilisation` = messages let through in the window / (30 x window seconds),
   `telegram_429_count` = 429 answers from the launch to the stop.

Writes bench/results/telegram_limit.<config>.json (telegram_limit_<N>s.<config>.json for
another --seconds than 600) in the shape of /work/shared/BENCH-RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.campaign_setup import create_audience, fresh_database, inbox_counts, serve
from bench.campaign_watch import campaign_status
from bench.campaign_workers import Worker, start_worker, stop_workers, wait_ready
from bench.campaign_workers import worker_environment as limits_off_environment
from bench.common import CONFIGS, EMBEDDED, each_config_apart, git_dirty, load_average, write_result
from bench.telegram_limit_figures import arrivals, print_summary, window_figures

BENCH = "telegram_limit"
# Its own database and Redis db, wiped at every run: neither the test suite's (test, db 15)
# nor the other benchmarks' (broadside_bench, db 14), so that it can run beside them (it is
# light on CPU, and ten minutes long).
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/broadside_bench_limit"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"
DEFAULT_SECONDS = 600
# A minute more of recipients than the window takes at the limit: the launch's snapshot and
# the first sweep come before the first send, and the window must end mid-campaign.
EXTRA_SECONDS = 60
TEXT = "Broadside bench: the spring sale starts today. Reply STOP to opt out."
POLL_SECONDS = 0.5


def _settings_default(name: str) -> Any:
    from bot.config import Settings

    return Settings.model_fields[name].default


def worker_environment(sandbox_env: dict[str, str], **urls: Any) -> dict[str, str]:
    """The campaign benchmark's worker environment with the product's own Telegram limit."""
    env = limits_off_environment(sandbox_env, **urls)
    del env["TELEGRAM_RATE_LIMIT"]  # the product's default applies: what a deployment runs
    return env


async def _first_send(sandbox: Any, workers: list[Worker], *, timeout: float) -> float:
    """The epoch time of the first message the sandbox let through."""
    deadline = time.monotonic() + timeout
    seen = 0
    while True:
        for call in sandbox.calls[seen:]:
            if call.method == "sendMessage" and call.status == 200:
                return call.time.timestamp()
        seen = len(sandbox.calls)
        _check_alive(workers)
        if time.monotonic() > deadline:
            raise TimeoutError(f"no message within {timeout} s of the launch")
        await asyncio.sleep(0.05)


def _check_alive(workers: list[Worker]) -> None:
    for worker in workers:
        if worker.process.returncode is not None:
            raise RuntimeError(f"a worker died:\n{worker.log_tail()}")


async def _run_window(
    campaign_id: int, sandbox: Any, workers: list[Worker], seconds: float
) -> tuple[float, str]:
    """Wait for the first send, then `seconds`; the first send's time and the campaign's
    status at the end of the window (it should still be running)."""
    first = await _first_send(sandbox, workers, timeout=120)
    while (left := first + seconds - time.time()) > 0:
        _check_alive(workers)
        await asyncio.sleep(min(POLL_SECONDS, left))
    return first, await campaign_status(campaign_id)


async def _campaign(config: str, args: argparse.Namespace, scratch: Path) -> dict[str, Any]:
    """One run in one configuration: what the sandbox saw and the workers used."""
    from bot.app import App
    from bot.config import Settings
    from bot.sandbox import Sandbox, TelegramLimits
    from bot.services.campaigns.service import Draft
    from bot.services.clock import utc_now
    from models import Channel, Member

    limits = TelegramLimits()
    sandbox = Sandbox(telegram_limits=limits)
    runner, url = await serve(sandbox)
    try:
        database_url, redis_url = await fresh_database(
            config, scratch, database_url=args.database_url, redis_url=args.redis_url
        )
        env = worker_environment(
            sandbox.bot_environment(url), database_url=database_url, redis_url=redis_url
        )
        app = await App.build(Settings(_env_file=None, **env))  # type: ignore[arg-type]
        workers: list[Worker] = []
        try:
            count = (args.seconds + EXTRA_SECONDS) * limits.per_bot
            audience = await create_audience(
                "telegram", count, sandbox, now=utc_now(), sealer=app.services.sealer
            )
            gc.collect()
            gc.freeze()  # the audience stays: out of the collector's way
            campaigns = app.services.campaigns
            member = await Member.get(id=audience.member_id)
            draft = Draft(
                name="bench limit",
                list_ids=[audience.list_id],
                text=TEXT,
                channels=[Channel.TELEGRAM],
            )
            campaign = await campaigns.save(member, draft)
            for number in range(1 if config == EMBEDDED else args.workers):
                log = scratch / f"worker-{config.replace('+', '_')}-{number}.log"
                workers.append(await start_worker(env, log, py_spy=None))
            await wait_ready(workers)
            load = load_average()
            print(
                f"[{config}] {count:,} recipients, {len(workers)} worker(s); launching "
                f"(load {load:.2f}); the window is {args.seconds} s from the first send",
                flush=True,
            )
            cpu0 = [worker.cpu() for worker in workers]
            await campaigns.launch(campaign)
            first, status = await _run_window(campaign.id, sandbox, workers, args.seconds)
            cpu = sum(worker.cpu() - c for worker, c in zip(workers, cpu0, strict=True))
            sent_by_then = sum(
                1
                for call in sandbox.calls
                if call.method == "sendMessage"
                and call.status == 200
                and call.time.timestamp() < first + args.seconds
            )
            await campaigns.pause(campaign)
        finally:
            await stop_workers(workers)
            await app.tasks.drain(grace=60)
            await app.close()
        held = inbox_counts("telegram", sandbox, audience.addresses)
        return {
            "sandbox": sandbox,
            "limits": limits,
            "first": first,
            "status_at_end": status,
            "worker_cpu_s": cpu,
            "sent_by_then": sent_by_then,
            "recipients": count,
            "held": held,
            "workers": len(workers),
            "loadavg_1m_before": load,
            "worker_log_tail": [line for w in workers for line in w.log_tail(5).splitlines()],
        }
    finally:
        await sandbox.close()
        await runner.cleanup()
        gc.unfreeze()


def _figures(outcome: dict[str, Any], seconds: float) -> tuple[dict[str, Any], list[str]]:
    sandbox, limits = outcome["sandbox"], outcome["limits"]
    tried, accepted = arrivals(sandbox.calls)
    figures = window_figures(tried, accepted, seconds=seconds, limit=limits.per_bot)
    figures["telegram_429_count"] = sum(1 for call in sandbox.calls if call.status == 429)
    figures["telegram_messages_sent"] = len(accepted)
    figures["telegram_worker_cpu_ms_per_1k"] = round(
        outcome["worker_cpu_s"] * 1e6 / max(1, outcome["sent_by_then"]), 1
    )
    figures["campaign_status_at_window_end"] = outcome["status_at_end"]
    figures["loadavg_1m_before"] = round(outcome["loadavg_1m_before"], 2)
    problems = []
    if outcome["status_at_end"] != "running":
        problems.append(f"the campaign was {outcome['status_at_end']} at the window's end")
    if any(messages > 1 for messages in outcome["held"]):
        problems.append(f"someone got the message twice: people by messages {outcome['held']}")
    if sandbox.violations:
        problems.append(f"{len(sandbox.violations)} spec violations: {sandbox.violations[:3]}")
    figures["verified"] = not problems
    figures["dirty_tree"] = git_dirty()
    return figures, problems


async def run_config(config: str, args: argparse.Namespace) -> dict[str, Any]:
    """One configuration: the run, its figures, the results file."""
    with tempfile.TemporaryDirectory(prefix="bench-limit-") as folder:
        outcome = await _campaign(config, args, Path(folder))
    figures, problems = _figures(outcome, args.seconds)
    for problem in problems:
        print(f"[{config}] CHECK FAILED: {problem}", file=sys.stderr)
    for line in outcome["worker_log_tail"]:
        print(f"[{config}] worker: {line}", file=sys.stderr)
    limits = outcome["limits"]
    params = {
        "seconds": args.seconds,
        "recipients": outcome["recipients"],
        "workers": outcome["workers"],
        "telegram_rate_limit": _settings_default("TELEGRAM_RATE_LIMIT"),
        "sandbox_limit_per_bot": limits.per_bot,
        "sandbox_limit_per_chat": limits.per_chat,
        "dispatch_window": _settings_default("DISPATCH_WINDOW"),
        "dispatch_concurrency": _settings_default("DISPATCH_CONCURRENCY"),
    }
    name = BENCH if args.seconds == DEFAULT_SECONDS else f"{BENCH}_{args.seconds}s"
    path = write_result(name, config=config, params=params, figures=figures)
    print(f"[{config}] wrote {path}", flush=True)
    return {"config": config, "figures": figures}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.telegram_limit",
        description="A Telegram campaign at the product's 30/s against a sandbox enforcing "
        "Telegram's limits: share of the limit used, 429s received.",
    )
    parser.add_argument("--seconds", type=int, default=DEFAULT_SECONDS, help="the window")
    parser.add_argument("--config", choices=[*CONFIGS, "both"], default=EMBEDDED)
    parser.add_argument("--workers", type=int, default=2, help="postgres+redis workers")
    parser.add_argument(
        "--database-url", default=DEFAULT_DATABASE_URL, help="postgres+redis only; WIPED"
    )
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL, help="postgres+redis only; WIPED")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = _parser().parse_args(argv)
    if args.config == "both":
        return each_config_apart("bench.telegram_limit", argv)
    record = asyncio.run(run_config(args.config, args))
    print_summary([record])
    return 0 if record["figures"]["verified"] else 1


if __name__ == "__main__":
    sys.exit(main())
