"""The campaign dispatch benchmark: N recipients per channel, end to end, rate limits off.

    .venv/bin/python -m bench.campaign [--recipients 100000] [--channels telegram,line,whatsapp]
                                       [--config embedded|postgres+redis|both] [--py-spy FILE]

Per configuration and channel, this process (the driver):
1. Serves a fresh Sandbox on loopback and makes a fresh database (embedded: a new SQLite file;
   postgres+redis: broadside_bench and Redis db 14, both WIPED), with one member, one list of
   N contacts (plain SQL) reachable on the channel, and the same N people known to the sandbox.
2. Builds the App with the bench settings (the sandbox's credentials, rate limits off) for
   CampaignService, and starts the bot's processes (embedded: the one `run_bot.py run`;
   postgres+redis: 2 `run_bot.py worker`s) with TELEGRAM/LINE/WHATSAPP_RATE_LIMIT=0 and
   LOG_LEVEL=WARNING, and waits until they are idle.
3. Saves a campaign (identical text; WhatsApp: template "bench", language "en", {first_name}
   as its parameter) and launches it: embedded, from the member's Telegram chat, so that the
   process that launches is the one that sends, as in the product (bench/campaign_chat.py);
   postgres+redis, through CampaignService, as a `web` process would. Then polls the database
   every 50 ms until it is FINISHED: that span is the end-to-end time. The processes' CPU and
   VmHWM are read from /proc then.
4. Checks that every delivery is SENT, every recipient's sandbox inbox holds exactly one
   message and no request broke the platform specs.
5. Measures the launch's snapshot (writing the delivery rows) on its own: a second launch of
   the same audience with no worker running, the driver's CPU for it (the sandbox idle).
6. Telegram only: sends the same audience with a plain aiogram loop and with
   aiogram-broadcaster (when installed), each in a process of its own, against the same
   sandbox (bench/campaign_compare.py).

Writes bench/results/campaign.<config>.json (campaign_<size>.<config>.json for another
--recipients than 100,000) in the shape of /work/shared/BENCH-RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import campaign_chat as chat
from bench.campaign_report import figures_of, notes, print_summary, size_label
from bench.campaign_setup import (
    DEFAULT_DATABASE_URL,
    DEFAULT_REDIS_URL,
    Audience,
    create_audience,
    fresh_database,
    inbox_counts,
    serve,
)
from bench.campaign_watch import (
    Timeline,
    chunks_added,
    non_200_answers,
    settled_mid_send,
    until_finished,
    verify,
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
    REPO_DIR,
    cpu_seconds,
    each_config_apart,
    git_dirty,
    load_average,
    write_result,
)

BENCH = "campaign"
CHANNELS = ("telegram", "line", "whatsapp")
TEXT = "Broadside bench: the spring sale starts today. Reply STOP to opt out."


def _draft(channel: str, list_id: int) -> Any:
    from bot.services.campaigns.service import Draft
    from models import Channel

    whatsapp = channel == "whatsapp"
    return Draft(
        name=f"bench {channel}",
        list_ids=[list_id],
        text=TEXT,
        channels=[Channel(channel)],
        whatsapp_template="bench" if whatsapp else None,
        whatsapp_language="en" if whatsapp else None,
        whatsapp_params=["first_name"] if whatsapp else [],
    )


async def _compare(kind: str, url: str, sandbox: Any, ids: list[int], scratch: Path) -> dict:
    """Run one comparison child (bench/campaign_compare.py) while this loop serves the sandbox."""
    ids_file, out = scratch / "compare-ids.txt", scratch / f"compare-{kind}.json"
    ids_file.write_text("\n".join(map(str, ids)), encoding="ascii")
    env = {
        "PATH": "/usr/bin:/bin",
        "TELEGRAM_API_URL": f"{url}/telegram",
        "TELEGRAM_BOT_TOKEN": sandbox.credentials.telegram_token,
        "BENCH_TEXT": TEXT,
    }
    command = [sys.executable, "-m", "bench.campaign_compare", kind, str(ids_file), str(out)]
    process = await asyncio.create_subprocess_exec(*command, env=env, cwd=REPO_DIR)
    if await process.wait() != 0:
        raise RuntimeError(f"the {kind} comparison failed")
    return json.loads(out.read_text(encoding="utf-8"))


async def run_channel(
    config: str, channel: str, args: argparse.Namespace, scratch: Path
) -> dict[str, Any]:
    """One campaign on one channel in one configuration: its figures and problems."""
    from bot.app import App
    from bot.config import Settings
    from bot.sandbox import Sandbox
    from bot.services.clock import utc_now
    from models import Member

    count = args.recipients
    sandbox = Sandbox()
    runner, url = await serve(sandbox)
    outcome: dict[str, Any] = {"channel": channel, "problems": []}
    try:
        database_url, redis_url = await fresh_database(
            config, scratch, database_url=args.database_url, redis_url=args.redis_url
        )
        env = worker_environment(
            sandbox.bot_environment(url), database_url=database_url, redis_url=redis_url
        )
        app = await App.build(Settings(_env_file=None, **env))  # type: ignore[arg-type]
        try:
            s0 = time.perf_counter()
            audience = await create_audience(
                channel, count, sandbox, now=utc_now(), sealer=app.services.sealer
            )
            print(
                f"[{config}/{channel}] {count:,} contacts and sandbox users in "
                f"{time.perf_counter() - s0:.1f} s",
                flush=True,
            )
            # The audience and the sandbox's users stay for the whole run: out of the collector's
            # way, so its passes over a million objects do not stall the sandbox's answers.
            gc.collect()
            gc.freeze()
            outcome.update(
                await _measure(config, channel, args, scratch, app, sandbox, env, audience)
            )
            member = await Member.get(id=audience.member_id)
            outcome.update(await _snapshot_alone(app, member, _draft(channel, audience.list_id)))
            problems = await verify(channel, sandbox, audience, outcome["campaign_id"])
            outcome["problems"].extend(problems)
            outcome["non_200_answers"] = non_200_answers(sandbox)
            if channel == "telegram" and not args.no_compare:
                outcome["compare"] = await _comparisons(url, sandbox, audience, args, scratch)
        finally:
            await app.close()
    finally:
        await sandbox.close()
        await runner.cleanup()
        gc.unfreeze()
    return outcome


async def _measure(
    config: str,
    channel: str,
    args: argparse.Namespace,
    scratch: Path,
    app: Any,
    sandbox: Any,
    env: dict[str, str],
    audience: Audience,
) -> dict[str, Any]:
    """Start the workers, launch, wait for FINISHED; what the processes used meanwhile."""
    from bot.services.terms import TERMS_VERSION
    from models import Member

    workers_wanted = 1 if config == EMBEDDED else args.workers
    spies = [None] * workers_wanted
    if args.py_spy is not None:
        args.py_spy.parent.mkdir(parents=True, exist_ok=True)
        tag = f"{config.replace('+', '_')}.{channel}"
        spies = [
            args.py_spy.with_name(f"{args.py_spy.stem}.{tag}.w{n}{args.py_spy.suffix}")
            for n in range(workers_wanted)
        ]
    workers: list[Worker] = []
    campaigns = app.services.campaigns
    member = await Member.get(id=audience.member_id)
    campaign = await campaigns.save(member, _draft(channel, audience.list_id))
    # Embedded: the one process, launched from its chat (bench/campaign_chat.py says why).
    in_chat = config == EMBEDDED
    # `run` also serves the web, unused here: on any free port.
    command, process_env = ("run", {**env, "WEB_PORT": "0"}) if in_chat else ("worker", env)
    try:
        for number, spy in enumerate(spies):
            log = scratch / f"worker-{config.replace('+', '_')}-{channel}-{number}.log"
            workers.append(await start_worker(process_env, log, py_spy=spy, command_name=command))
        await wait_ready(workers)
        summary = None
        if in_chat:
            await chat.link_member_chat(sandbox, member.id, terms_version=TERMS_VERSION)
            summary = await chat.to_summary(sandbox, campaign.id)
        load = load_average()
        print(
            f"[{config}/{channel}] {len(workers)} worker(s) ready; launching (load {load:.2f})",
            flush=True,
        )
        timeline = Timeline()
        arrivals = chat.Arrivals(sandbox, leave_out=chat.MEMBER_CHAT if in_chat else None)
        calls_before = len(sandbox.calls)
        driver0, worker0 = cpu_seconds(), [worker.cpu() for worker in workers]
        if summary is not None:
            await chat.launch(sandbox, summary)
        else:
            await campaigns.launch(campaign)
        finish = await until_finished(
            campaign.id,
            workers,
            arrivals,
            timeline,
            total=len(audience.addresses),
            timeout=args.timeout,
        )
        worker_cpu = [worker.cpu() - start for worker, start in zip(workers, worker0, strict=True)]
        driver_cpu = cpu_seconds() - driver0
        peaks = [worker.peak_rss_mb() for worker in workers]
    finally:
        await stop_workers(workers)
    warnings = [line for worker in workers for line in worker.log_tail(5).splitlines()]
    await app.tasks.drain(grace=args.timeout)
    return {
        "campaign_id": campaign.id,
        "seconds": finish.end_s,
        "finished_s": finish.finished_s,
        "received_at_finish": finish.received_at_finish,
        "settled_mid_send": sum(settled_mid_send(worker.log) for worker in workers),
        "workers": len(workers),
        "worker_cpu_s": worker_cpu,
        "worker_startup_cpu_s": [worker.started_cpu for worker in workers],
        "worker_peak_rss_mb": peaks,
        "worker_ready_rss_mb": [worker.ready_rss_mb for worker in workers],
        "driver_cpu_s": driver_cpu,
        "timeline": timeline.summary(len(audience.addresses)),
        "chunks_queued": await chunks_added(env.get("REDIS_URL")),
        "loadavg_1m_before": load,
        "worker_log_tail": warnings,
        # Where the snapshot ran: in the measured process (its CPU is in worker_cpu_s) or in
        # this driver (its CPU, measured alone afterwards, is added; see figures_of).
        "launched_in": "worker" if in_chat else "driver",
        "requests": len(
            chat.campaign_calls(
                sandbox,
                channel,
                since=calls_before,
                member_chat=chat.MEMBER_CHAT if in_chat else None,
            )
        ),
    }


async def _snapshot_alone(app: Any, member: Any, draft: Any) -> dict[str, Any]:
    """The launch's snapshot of the same audience with no worker running and the sandbox idle:
    the driver's CPU for writing (and queueing) the delivery rows."""
    from models import Campaign

    campaigns = app.services.campaigns
    campaign = await campaigns.save(member, draft)
    cpu0, t0 = cpu_seconds(), time.perf_counter()
    await campaigns.launch(campaign)
    await app.tasks.drain(grace=3600)
    seconds, cpu = time.perf_counter() - t0, cpu_seconds() - cpu0
    ready = (await Campaign.get(id=campaign.id)).audience_ready
    return {"snapshot_seconds": seconds, "snapshot_cpu_s": cpu, "snapshot_complete": ready}


async def _comparisons(
    url: str, sandbox: Any, audience: Audience, args: argparse.Namespace, scratch: Path
) -> dict[str, Any]:
    """The same Telegram audience (its first --compare-recipients) by the usual loops."""
    from bench.campaign_compare import broadcaster_version

    results: dict[str, Any] = {}
    kinds = ["loop", "loop_nosleep"] + (["broadcaster"] if broadcaster_version() else [])
    reached = audience.addresses[: max(args.loop_recipients, args.compare_recipients)]
    held = dict.fromkeys(reached, 1)  # the campaign's message
    for kind in kinds:
        # The sleeping loop's rate is its sleep's: a sample of the audience measures it.
        size = args.loop_recipients if kind == "loop" else args.compare_recipients
        ids = audience.addresses[:size]
        print(f"[telegram] {len(ids):,} of the recipients by aiogram {kind}...", flush=True)
        result = await _compare(kind, url, sandbox, ids, scratch)
        # Each comparison adds one message to the inbox of everyone it reached.
        for address in ids:
            held[address] += 1
        expected: dict[int, int] = {}
        for count in held.values():
            expected[count] = expected.get(count, 0) + 1
        result["verified"] = result["sent"] == len(ids) and (
            inbox_counts("telegram", sandbox, reached) == expected
        )
        results[kind] = result
    results["broadcaster_version"] = broadcaster_version()
    return results


async def run_config(config: str, args: argparse.Namespace) -> dict[str, Any]:
    """Every channel asked for, in one configuration; writes the results file."""
    from bot.config import Settings

    count = args.recipients
    load_before = load_average()
    figures: dict[str, Any] = {}
    problems: list[str] = []
    peaks: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-campaign-") as tmp:
        for channel in args.channels:
            outcome = await run_channel(config, channel, args, Path(tmp))
            for problem in outcome["problems"]:
                print(f"[{config}/{channel}] CHECK FAILED: {problem}", file=sys.stderr)
            for line in outcome["worker_log_tail"]:
                print(f"[{config}/{channel}] worker: {line}", file=sys.stderr)
            for note in notes(outcome, count):
                print(f"[{config}/{channel}] NOTE: {note}", file=sys.stderr)
            problems.extend(f"{channel}: {problem}" for problem in outcome["problems"])
            figures.update(figures_of(outcome, count))
            peaks.extend(outcome["worker_peak_rss_mb"])
    figures[f"campaign_{size_label(count)}_peak_rss_mb"] = round(max(peaks), 1)
    figures["verified"] = not problems
    figures["loadavg_1m_before"] = round(load_before, 2)
    figures["dirty_tree"] = git_dirty()
    params: dict[str, Any] = {
        "recipients": count,
        "channels": list(args.channels),
        "workers": 1 if config == EMBEDDED else args.workers,
        "rate_limits": "off",
        # The product's defaults: the benchmark sets neither.
        "dispatch_window": Settings.model_fields["DISPATCH_WINDOW"].default,
        "dispatch_concurrency": Settings.model_fields["DISPATCH_CONCURRENCY"].default,
        "compare_recipients": min(count, args.compare_recipients),
        "loop_recipients": min(count, args.loop_recipients),
        "text_chars": len(TEXT),
    }
    record = {"config": config, "params": params, "figures": figures, "problems": problems}
    if args.py_spy is None:
        name = BENCH if count == 100_000 else f"{BENCH}_{size_label(count)}"
        path = write_result(name, config=config, params=params, figures=figures)
        print(f"[{config}] wrote {path}")
    else:
        print(f"[{config}] profiled run: figures not recorded")
    return record


def _channels(value: str) -> list[str]:
    channels = [part.strip() for part in value.split(",") if part.strip()]
    unknown = set(channels) - set(CHANNELS)
    if unknown or not channels:
        raise argparse.ArgumentTypeError(f"channels are among {', '.join(CHANNELS)}")
    return channels


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.campaign",
        description="A campaign per channel through real workers against the sandbox, limits "
        "off: messages/s end to end, CPU per 1,000 messages, peak RSS per worker.",
    )
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--channels", type=_channels, default=list(CHANNELS))
    parser.add_argument("--config", choices=[*CONFIGS, "both"], default=EMBEDDED)
    parser.add_argument("--workers", type=int, default=2, help="postgres+redis workers")
    parser.add_argument(
        "--compare-recipients",
        type=int,
        default=100_000,
        help="how many of the Telegram audience the aiogram loops send to (their rate does "
        "not depend on the audience's size)",
    )
    parser.add_argument(
        "--loop-recipients",
        type=int,
        default=1_000,
        help="how many the sleeping aiogram loop sends to (20 a second: 1,000 take 50 s)",
    )
    parser.add_argument("--no-compare", action="store_true", help="skip the aiogram loops")
    parser.add_argument(
        "--database-url", default=DEFAULT_DATABASE_URL, help="postgres+redis only; WIPED"
    )
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL, help="postgres+redis only; WIPED")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per campaign")
    parser.add_argument(
        "--py-spy",
        type=Path,
        default=None,
        help="profile the workers with py-spy: collapsed stacks to FILE.<config>.<channel>.wN",
    )
    return parser


async def _main(args: argparse.Namespace) -> list[dict[str, Any]]:
    return [await run_config(args.config, args)]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = _parser().parse_args(argv)
    if args.config == "both":
        return each_config_apart("bench.campaign", argv)
    records = asyncio.run(_main(args))
    print_summary(records, args.channels)
    return 0 if all(record["figures"]["verified"] for record in records) else 1


if __name__ == "__main__":
    sys.exit(main())
