"""The inbound benchmark: signed webhooks through the bot's real HTTP endpoint, and how soon a
recipient's STOP holds while a campaign runs.

    .venv/bin/python -m bench.inbound [--config embedded|postgres+redis|both]
                                      [--events 20000] [--recipients 20000] [--stops 200]

Per configuration, against a fresh sandbox and database, with the bot as real processes
(embedded: one `run_bot.py run`, everything in one process; postgres+redis: one `run_bot.py
web` and `--workers` `run_bot.py worker`s):

1. `inbound_events_per_s`: the driver POSTs `--events` WhatsApp status webhooks (one event
   each: `delivered` for a distinct message id, signed with the app secret as Meta signs them)
   over 64 connections, and times them from the first request to the last answer; every
   answer must be 200 (the bot answers once the event is checked and logged for dedup, and
   processes it in the background). `events_processed_per_s`: until the bot's dedup log holds
   every event (background work included).
2. `stop_effective_p50_s` / `stop_effective_p99_s`: a Telegram campaign to `--recipients`,
   paced at `--telegram-rate` (300/s, Telegram's paid-broadcast rate: about a minute, sent in
   paced slices as at 30/s); while it runs, `--stops` recipients reply STOP through the sandbox
   (a Telegram webhook to the bot) at random moments, each from someone whose turn is near
   (not yet sent to, among the next 4,000 in send order: the chunks the workers hold, part of
   them already claimed). For each: the time from the
   webhook's POST to the last campaign message the sandbox received for them after it (0 when
   none came after). The promise: within a second.

Writes bench/results/inbound.<config>.json in the shape of /work/shared/BENCH-RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import socket
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp

from bench.campaign_setup import (
    DEFAULT_DATABASE_URL,
    DEFAULT_REDIS_URL,
    create_audience,
    fresh_database,
    serve,
)
from bench.campaign_workers import (
    Worker,
    start_worker,
    stop_workers,
    wait_ready,
    worker_environment,
)
from bench.common import (
    CONFIGS,
    EMBEDDED,
    each_config_apart,
    git_dirty,
    load_average,
    print_table,
    write_result,
)
from bot.sandbox.webhooks import post_all, whatsapp_status

BENCH = "inbound"
TARGET_EVENTS_PER_S = 5000
TARGET_STOP_P99_S = 1.0
CONNECTIONS = 64
CAMPAIGN_TEXT = "Winter sale: 20% off until Sunday"
# Deliveries the workers may hold at once: 4 chunks of 1,000 (DISPATCH_CONCURRENCY x CHUNK_SIZE).
IN_FLIGHT = 4000


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _logged(prefix: str) -> int:
    from models import InboundEvent

    return await InboundEvent.filter(key__startswith=prefix).count()


async def _until_healthy(url: str, processes: list[Worker], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as http:
        while True:
            for process in processes:
                if process.process.returncode is not None:
                    raise RuntimeError(f"a bot process exited:\n{process.log_tail()}")
            try:
                async with http.get(f"{url}/healthz") as answer:
                    if answer.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"the bot's web server did not answer within {timeout} s")
            await asyncio.sleep(0.1)


async def _start_bot(config: str, env: dict[str, str], workers: int, scratch: Path) -> list[Worker]:
    commands = ["run"] if config == EMBEDDED else ["web"] + ["worker"] * workers
    processes = []
    for number, command in enumerate(commands):
        log = scratch / f"{config.replace('+', '_')}-{command}-{number}.log"
        processes.append(await start_worker(env, log, py_spy=None, command_name=command))
    await wait_ready(processes)
    return processes


async def _measure_events(url: str, sandbox: Any, count: int) -> dict[str, Any]:
    secret = sandbox.credentials.whatsapp_app_secret
    phone_number_id = sandbox.credentials.whatsapp_phone_number_id
    posts = [
        whatsapp_status(
            secret,
            phone_number_id,
            message_id=f"wamid.bench{number:012d}",
            status="delivered",
            recipient="34600000000",
        )
        for number in range(count)
    ]
    load = load_average()
    t0 = time.perf_counter()
    seconds, refused = await post_all(url, posts, connections=CONNECTIONS)
    async with asyncio.timeout(300):
        # Logged by the bot's background tasks in its own process: polled, with a deadline.
        while (logged := await _logged("whatsapp:status:wamid.bench")) < count:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    processed_s = time.perf_counter() - t0
    return {
        "inbound_events_per_s": round(count / seconds),
        "events_processed_per_s": round(count / processed_s),
        "events": count,
        "events_refused": refused,
        "events_logged": logged,
        "events_loadavg_1m_before": round(load, 2),
    }


async def _measure_stops(
    app: Any, sandbox: Any, audience: Any, args: argparse.Namespace
) -> dict[str, Any]:
    from bot.services.campaigns.service import Draft
    from models import Campaign, CampaignStatus, Channel, Member, Suppression

    rng = random.Random(args.seed)
    member = await Member.get(id=audience.member_id)
    draft = Draft(
        name="bench",
        list_ids=[audience.list_id],
        text=CAMPAIGN_TEXT,
        channels=[Channel.TELEGRAM],
    )
    campaigns = app.services.campaigns
    campaign = await campaigns.launch(await campaigns.save(member, draft))
    expected_s = len(audience.addresses) / args.telegram_rate
    load = load_average()
    async with asyncio.timeout(60):
        while not any(call.method == "sendMessage" for call in sandbox.calls):  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    # STOPs at random moments over the first half of the run, each from someone whose turn is
    # near: not yet sent to, among the next IN_FLIGHT of the audience in send order (the
    # chunks the workers have claimed: their messages are queued, some already in a claim).
    moments = sorted(rng.uniform(0, expected_s / 2) for _ in range(args.stops))
    started = time.monotonic()
    stopped_at: dict[int, datetime] = {}
    for moment in moments:
        await asyncio.sleep(max(0.0, started + moment - time.monotonic()))
        sent = {
            int((call.params or {}).get("chat_id", 0))
            for call in sandbox.calls
            if call.method == "sendMessage"
        }
        near = [
            address
            for address in audience.addresses
            if address not in sent and address not in stopped_at
        ][:IN_FLIGHT]
        if not near:
            break
        chat_id = rng.choice(near)
        stopped_at[chat_id] = datetime.now(UTC)
        await sandbox.telegram.send_text(chat_id, "STOP")
    async with asyncio.timeout(expected_s * 4 + 120):
        while (await Campaign.get(id=campaign.id)).status is not CampaignStatus.FINISHED:  # noqa: ASYNC110
            await asyncio.sleep(0.2)
    latest: dict[int, datetime] = {}
    for call in sandbox.calls:
        if call.method != "sendMessage" or call.status != 200:
            continue
        params = call.params or {}
        chat_id = int(params.get("chat_id", 0))
        if chat_id in stopped_at and params.get("text") == CAMPAIGN_TEXT:
            latest[chat_id] = max(latest.get(chat_id, call.time), call.time)
    latencies = sorted(
        max(0.0, (latest[chat_id] - at).total_seconds()) if chat_id in latest else 0.0
        for chat_id, at in stopped_at.items()
    )
    after = sum(1 for chat_id, at in stopped_at.items() if latest.get(chat_id, at) > at)
    return {
        "stop_effective_p50_s": round(statistics.median(latencies), 3),
        "stop_effective_p99_s": round(latencies[max(0, int(len(latencies) * 0.99) - 1)], 3),
        "stop_effective_max_s": round(latencies[-1], 3),
        "stops": len(stopped_at),
        "stops_sent_to_after": after,
        # Reached before their STOP, and never reached (their turn came after it): both right.
        "stops_sent_to_before": sum(
            1 for chat_id, at in stopped_at.items() if latest.get(chat_id, at) < at
        ),
        "stops_never_sent_to": sum(1 for chat_id in stopped_at if chat_id not in latest),
        "stops_listed": await Suppression.filter(member_id=member.id).count(),
        "stop_campaign_seconds": round(time.monotonic() - started, 1),
        "stop_loadavg_1m_before": round(load, 2),
    }


async def run_config(config: str, args: argparse.Namespace) -> dict[str, Any]:
    """Both measurements in one configuration; writes the results file."""
    from bot.app import App
    from bot.config import Settings
    from bot.sandbox import Sandbox
    from bot.services.clock import utc_now

    with tempfile.TemporaryDirectory(prefix="bench-inbound-") as folder:
        scratch = Path(folder)
        sandbox = Sandbox()
        runner, sandbox_url = await serve(sandbox)
        processes: list[Worker] = []
        try:
            database_url, redis_url = await fresh_database(
                config, scratch, database_url=args.database_url, redis_url=args.redis_url
            )
            port = _free_port()
            bot_url = f"http://127.0.0.1:{port}"
            env = worker_environment(
                sandbox.bot_environment(sandbox_url), database_url=database_url, redis_url=redis_url
            )
            env |= {
                "WEB_PORT": str(port),
                "TELEGRAM_WEBHOOK_URL": f"{bot_url}/webhooks/telegram",
                "TELEGRAM_RATE_LIMIT": str(args.telegram_rate),
            }
            sandbox.connect_bot(bot_url)
            app = await App.build(Settings(_env_file=None, **env))  # type: ignore[arg-type]
            try:
                audience = await create_audience(
                    "telegram",
                    args.recipients,
                    sandbox,
                    now=utc_now(),
                    sealer=app.services.sealer,
                )
                processes = await _start_bot(config, env, args.workers, scratch)
                await _until_healthy(bot_url, processes)
                print(f"[{config}] bot up; {args.events:,} signed webhooks...", flush=True)
                figures = await _measure_events(bot_url, sandbox, args.events)
                if args.stops:  # none: the events alone, a quicker run while iterating
                    print(
                        f"[{config}] a {args.recipients:,}-recipient campaign at "
                        f"{args.telegram_rate}/s with {args.stops} STOPs...",
                        flush=True,
                    )
                    figures |= await _measure_stops(app, sandbox, audience, args)
            finally:
                await stop_workers(processes)
                await app.close()
        finally:
            await sandbox.close()
            await runner.cleanup()
    figures["dirty_tree"] = git_dirty()
    params = {
        "events": args.events,
        "connections": CONNECTIONS,
        "recipients": args.recipients,
        "stops": args.stops,
        "telegram_rate": args.telegram_rate,
        "processes": 1 if config == EMBEDDED else 1 + args.workers,
        "seed": args.seed,
    }
    if config != EMBEDDED:
        params["workers"] = args.workers
    path = write_result(BENCH, config=config, params=params, figures=figures)
    print(f"[{config}] wrote {path}", flush=True)
    return {"config": config, "figures": figures}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.inbound", description=__doc__)
    parser.add_argument("--config", choices=[*CONFIGS, "both"], default=EMBEDDED)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--recipients", type=int, default=20_000)
    parser.add_argument("--stops", type=int, default=200)
    parser.add_argument("--telegram-rate", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2, help="postgres+redis workers")
    parser.add_argument("--seed", type=int, default=20261206)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help="WIPED")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL, help="WIPED")
    return parser


async def _main(args: argparse.Namespace) -> list[dict[str, Any]]:
    return [await run_config(args.config, args)]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = _parser().parse_args(argv)
    if args.config == "both":
        return each_config_apart("bench.inbound", argv)
    records = asyncio.run(_main(args))
    rows = []
    for record in records:
        f = record["figures"]
        stops = (
            [
                f"{f['stop_effective_p50_s']:.3f}",
                f"{f['stop_effective_p99_s']:.3f}",
                f"{f['stops_sent_to_after']}/{f['stops']}",
            ]
            if "stops" in f
            else ["-", "-", "-"]
        )
        rows.append(
            [
                record["config"],
                f"{f['inbound_events_per_s']:,}",
                f"{f['events_processed_per_s']:,}",
                str(f["events_refused"]),
                *stops,
            ]
        )
    print()
    print_table(
        ["config", "events/s", "processed/s", "refused", "STOP p50 s", "p99 s", "sent after"],
        rows,
    )
    for record in records:
        f = record["figures"]
        fast = f["inbound_events_per_s"] >= TARGET_EVENTS_PER_S
        verdict = (
            f"[{record['config']}] inbound_events_per_s {f['inbound_events_per_s']:,} "
            f"{'PASS' if fast else 'MISS'} >={TARGET_EVENTS_PER_S:,}"
        )
        if "stops" in f:
            held = f["stop_effective_p99_s"] <= TARGET_STOP_P99_S
            verdict += (
                f"; stop_effective_p99_s {f['stop_effective_p99_s']} "
                f"{'PASS' if held else 'MISS'} <={TARGET_STOP_P99_S}"
            )
        print(verdict)
    ok = all(record["figures"]["events_refused"] == 0 for record in records)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
