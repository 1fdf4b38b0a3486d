"""The list-import benchmark: a generated CSV through ImportService.stage + start, as in chat.

    .venv/bin/python -m bench.import_csv [--rows 1000000] [--config embedded|postgres+redis|both]

What it does, per configuration:
1. Generates (seeded, so every run imports the same bytes) a CSV with a header
   first_name,last_name,phone,city: Spanish names and cities, Spanish phone numbers written the
   ways people write them ("612 345 678", "+34 612-345-678", "0034612345678",
   "(612) 34 56 78", "612.34.56.78", "34612345678"...), of which `--invalid-share` (2%) are not
   numbers at all (too short, too long, letters, extensions, two numbers in one cell, empty)
   and `--duplicate-share` (5%) repeat an earlier row's number in another spelling.
2. In a fresh child process (so its peak RSS is the import's alone): a fresh database
   (embedded: a new SQLite file in a temporary folder; postgres+redis: schema public dropped
   and re-created, Redis db wiped), one active member in Europe/Madrid and one list; then the
   file goes through ImportService.stage (what a chat upload does), and ImportService.start
   with the proposed mapping, waiting for on_finish, as the chat does.
3. Times staging + import (not generating the file), takes the peak RSS of the process
   (ru_maxrss / VmHWM) and of the import worker it starts for a large file (VmHWM), and the
   RSS before staging, checks the report and the database against what the generator wrote
   (contacts = unique valid rows, invalid = the invalid rows, merged = the duplicates), and
   writes bench/results/import_csv.<config>.json.

The product refuses uploads over 20 MB (Telegram's download limit), and a 1M-row file of this
shape is about 36 MB. By default the benchmark imports one file and lifts that limit for its
own run (params.upload_limit_lifted); `--max-file-mb 20` instead splits the rows into files
under the limit and imports them one after another into the same list, the way a member would
have to.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import gc
import json
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import (
    CONFIGS,
    EMBEDDED,
    SERVERS,
    RssSampler,
    children_cpu_seconds,
    cpu_seconds,
    fresh_servers,
    git_dirty,
    load_average,
    peak_rss_mb,
    print_table,
    rss_mb,
    write_result,
)

BENCH = "import_csv"
# Not the test suite's database (test, Redis db 15): the suite wipes those before every test, and
# this benchmark wipes its own before every run, so sharing them breaks both.
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/broadside_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"
TARGET_ROWS_PER_S = 40_000
TARGET_PEAK_RSS_MB = 400
HEADER = ["first_name", "last_name", "phone", "city"]
REGION_TIMEZONE = "Europe/Madrid"  # the member's: national numbers are Spanish

_FIRST = (
    "María", "José", "Antonio", "Carmen", "Manuel", "Ana", "Francisco", "Laura", "David",
    "Isabel", "Javier", "Lucía", "Daniel", "Marta", "Carlos", "Cristina", "Jesús", "Pilar",
    "Alejandro", "Elena", "Miguel", "Paula", "Rafael", "Sara", "Pablo", "Raquel", "Sergio",
    "Núria", "Álvaro", "Begoña", "Íñigo", "Montserrat", "Jordi", "Ainhoa", "Iker", "Noelia",
)  # fmt: skip
_LAST = (
    "García", "Rodríguez", "González", "Fernández", "López", "Martínez", "Sánchez", "Pérez",
    "Gómez", "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Muñoz", "Álvarez",
    "Romero", "Alonso", "Gutiérrez", "Navarro", "Torres", "Domínguez", "Vázquez", "Ramos",
    "Gil", "Ramírez", "Serrano", "Blanco", "Núñez", "Castro", "Ortega", "Rubio", "Molina",
    "de la Fuente", "Sáez de Urturi",
)  # fmt: skip
_CITIES = (
    "Madrid", "Barcelona", "Valencia", "Sevilla", "Zaragoza", "Málaga", "Murcia", "Palma",
    "Las Palmas", "Bilbao", "Alicante", "Córdoba", "Valladolid", "Vigo", "Gijón", "A Coruña",
    "Vitoria-Gasteiz", "Granada", "Elche", "Oviedo", "Santa Cruz de Tenerife", "Pamplona",
    "Almería", "San Sebastián", "Burgos", "Santander", "Castellón", "Logroño", "Badajoz", "",
)  # fmt: skip


def _spellings(n: str) -> tuple[str, ...]:
    """The ways a Spanish national number `n` (9 digits) gets written in member lists."""
    a, b, c, d = n[:3], n[3:6], n[6:], n[3:5] + " " + n[5:7] + " " + n[7:]
    return (
        f"{a} {b} {c}",  # 612 345 678
        n,  # 612345678
        f"+34 {a} {b} {c}",
        f"+34 {a}-{b}-{c}",
        f"+34{n}",
        f"0034{n}",
        f"0034 {a} {d}",
        f"({a}) {d}",
        f"{a}.{n[3:5]}.{n[5:7]}.{n[7:]}",
        f"34{n}",
        f"+34 ({a}) {b}{c}",
        f"{a}-{b}-{c}",
    )


# How often each spelling appears: mostly the plain national and +34 forms.
_SPELLING_WEIGHTS = (30, 15, 15, 8, 8, 5, 3, 4, 3, 3, 2, 4)


def _invalid_phone(rng: random.Random) -> str:
    """A cell that is not one valid number (each kind is checked to be refused)."""
    n = str(rng.randrange(600_000_000, 700_000_000))
    return rng.choice(
        (
            f"{n[:3]} {n[3:6]}",  # too short
            f"{n}{rng.randrange(10)}",  # too long
            f"{n[:3]} {n[3:6]} abc",  # letters
            f"{n[:3]} {n[3:6]} {n[6:]} ext. {rng.randrange(10, 99)}",  # an extension
            f"{n[:3]} {n[3:6]} {n[6:]} / 698 765 432",  # two numbers in one cell
            "",  # no phone: no address at all
            "n/a",
            "sin teléfono",
            f"+999 {n}",  # no such country code
            "+34 000 000 000",  # not a Spanish range
            f"+34 {n[:3]} {n[3:6]}",  # too short, international
        )
    )


@dataclass(frozen=True, slots=True)
class Expected:
    """What the generator wrote, which the import's report and database must match."""

    rows: int
    invalid: int
    duplicates: int
    unique: int
    bytes: int
    seed: int


def _unique_nationals(rng: random.Random, count: int) -> list[str]:
    """Distinct valid Spanish numbers: 80% 6xx mobiles, 10% 71x-74x mobiles, 10% landlines
    (91x Madrid, 93x Barcelona), drawn from disjoint ranges so they never collide."""
    mobiles7 = count // 10
    landlines = count // 10
    mobiles6 = count - mobiles7 - landlines
    numbers = rng.sample(range(600_000_000, 700_000_000), mobiles6)
    numbers += rng.sample(range(710_000_000, 750_000_000), mobiles7)
    half = landlines // 2
    numbers += rng.sample(range(910_000_000, 920_000_000), half)
    numbers += rng.sample(range(930_000_000, 940_000_000), landlines - half)
    rng.shuffle(numbers)
    return [str(number) for number in numbers]


def generate(
    path: Path, rows: int, *, seed: int, invalid_share: float, duplicate_share: float
) -> Expected:
    """Write the benchmark's CSV to `path`; the same arguments always write the same bytes."""
    from bot.services.imports.phones import PhoneNormalizer

    rng = random.Random(seed)
    invalid = round(rows * invalid_share)
    duplicates = round(rows * duplicate_share)
    unique = rows - invalid - duplicates
    if unique <= 0:
        raise SystemExit("--rows too small for these shares")
    nationals = _unique_nationals(rng, unique)
    # Row kinds in file order: 0 = the next unique number, 1 = invalid, 2 = a duplicate of a
    # number already written (so the duplicate is always the second occurrence).
    kinds = [0] * unique + [1] * invalid + [2] * duplicates
    rng.shuffle(kinds)
    first_unique = kinds.index(0)
    if first_unique:  # a duplicate needs an earlier number: put a unique row first
        kinds[0], kinds[first_unique] = kinds[first_unique], kinds[0]
    checker = PhoneNormalizer("ES")
    spelling_indices = range(len(_SPELLING_WEIGHTS))
    written = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(HEADER)
        for kind in kinds:
            if kind == 1:
                phone = _invalid_phone(rng)
                # The generator's promise: every invalid cell is refused by the product.
                if checker.normalize(phone) is not None:
                    raise AssertionError(f"generated 'invalid' phone is valid: {phone!r}")
            else:
                national = nationals[written if kind == 0 else rng.randrange(written)]
                if kind == 0:
                    written += 1
                spelling = rng.choices(spelling_indices, _SPELLING_WEIGHTS)[0]
                phone = _spellings(national)[spelling]
            writer.writerow((rng.choice(_FIRST), rng.choice(_LAST), phone, rng.choice(_CITIES)))
    # Spot-check that valid spellings normalise to the number they spell.
    for national in nationals[:200]:
        for spelling in _spellings(national):
            if checker.normalize(spelling) != f"+34{national}":
                raise AssertionError(f"spelling not normalised: {spelling!r}")
    return Expected(
        rows=rows,
        invalid=invalid,
        duplicates=duplicates,
        unique=unique,
        bytes=path.stat().st_size,
        seed=seed,
    )


def split(path: Path, max_bytes: int) -> list[Path]:
    """The CSV as several files under `max_bytes`, each with the header, rows in order."""
    data = path.read_bytes()
    header_end = data.index(b"\n") + 1
    header, body = data[:header_end], data[header_end:]
    parts: list[Path] = []
    start = 0
    while start < len(body):
        end = min(len(body), start + max_bytes - len(header))
        if end < len(body):
            end = body.rindex(b"\n", start, end) + 1
        part = path.with_name(f"{path.stem}.part{len(parts) + 1}{path.suffix}")
        part.write_bytes(header + body[start:end])
        parts.append(part)
        start = end
    return parts


# --- the child: one import, in a process of its own ------------------------------------------


async def _import(
    config: str, files: list[Path], *, database_url: str, redis_url: str, timeout: float
) -> dict[str, Any]:
    """Run the import of `files` into one list; the figures and the counts to check."""
    from bot import db
    from bot.config import Settings
    from bot.crypto import Sealer
    from bot.keyfile import master_key
    from bot.services.clock import utc_now
    from bot.services.imports.limits import MAX_FILE_BYTES
    from bot.services.lists import ListService
    from bot.services.lists.imports import ImportService
    from bot.tasks import BackgroundTasks
    from models import Contact, ImportJob, ImportStatus, ListMembership, Member, MemberStatus

    with tempfile.TemporaryDirectory(prefix="bench-import-") as scratch:
        if config == EMBEDDED:
            settings = Settings(_env_file=None, DATABASE_URL=f"sqlite://{scratch}/bench.sqlite3")
        else:
            await fresh_servers(database_url, redis_url)
            settings = Settings(_env_file=None, DATABASE_URL=database_url, REDIS_URL=redis_url)
        await db.apply_migrations(settings)
        await db.connect(settings)
        try:
            member = await Member.create(
                status=MemberStatus.ACTIVE, locale="es", timezone=REGION_TIMEZONE
            )
            sealer = Sealer.from_master(master_key(settings))
            contact_list = await ListService(clock=utc_now, sealer=sealer).create(member, "bench")
            tasks = BackgroundTasks()
            contents = [(path.name, path.read_bytes()) for path in files]
            largest = max(len(content) for _, content in contents)
            # The product's 20 MB upload limit, lifted for this run only (see --help).
            lifted = largest > MAX_FILE_BYTES
            service = ImportService(
                clock=utc_now,
                tasks=tasks,
                sealer=sealer,
                max_file_bytes=max(largest, MAX_FILE_BYTES),
            )
            gc.collect()
            baseline = rss_mb()
            jobs: list[ImportJob] = []
            stage_s = 0.0
            with RssSampler() as sampler:
                cpu0, t0 = cpu_seconds(), time.perf_counter()
                worker_cpu0 = children_cpu_seconds()
                while contents:
                    # Let go of the file once staged: in chat the upload's bytes are gone once
                    # the upload is staged, and the import reads them from the database.
                    name, content = contents.pop(0)
                    sampler.enter("stage")
                    s0 = time.perf_counter()
                    staged = await service.stage(member, name, content)
                    stage_s += time.perf_counter() - s0
                    del content
                    sampler.enter("import")
                    finished: asyncio.Future[ImportJob] = asyncio.get_running_loop().create_future()

                    async def on_progress(job: ImportJob) -> None:
                        return None

                    async def on_finish(job: ImportJob, done: asyncio.Future = finished) -> None:
                        done.set_result(job)

                    await service.start(
                        member,
                        staged.upload_id,
                        contact_list,
                        staged.mapping,
                        on_progress=on_progress,
                        on_finish=on_finish,
                        describe=lambda problem: problem.value,
                    )
                    jobs.append(await _finished(finished, tasks, timeout))
                elapsed = time.perf_counter() - t0
                cpu = cpu_seconds() - cpu0
                worker_cpu = children_cpu_seconds() - worker_cpu0
            mapping = {str(i): field.value for i, field in staged.mapping.items()}
            contacts = await Contact.filter(member=member).count()
            memberships = await ListMembership.filter(contact_list=contact_list).count()
            sample = await Contact.filter(member=member).order_by("id").first()
            sample_phone = sealer.open(sample.phone) if sample is not None else None
        finally:
            await db.close()
    return {
        "elapsed_s": elapsed,
        "stage_s": stage_s,
        "cpu_s": cpu,
        "worker_cpu_s": worker_cpu,
        "baseline_rss_mb": baseline,
        "peak_rss_mb": peak_rss_mb(),
        "worker_peak_rss_mb": sampler.child_peak_mb,
        "sampled_peak_sum_rss_mb": sampler.peak_sum_mb,
        "peak_phase": sampler.peak_phase,
        "sampled_peak_rss_mb": sampler.peak_mb,
        "upload_limit_lifted": lifted,
        "mapping": mapping,
        "jobs": [
            {
                "status": job.status.value,
                "problem": job.problem,
                "rows_total": job.rows_total,
                "rows_read": job.rows_read,
                "created": job.created,
                "merged": job.merged,
                "suppressed": job.suppressed,
                "invalid": job.invalid,
            }
            for job in jobs
        ],
        "all_done": all(job.status is ImportStatus.DONE for job in jobs),
        "contacts": contacts,
        "memberships": memberships,
        "sample_contact": None
        if sample is None
        else {"phone": sample_phone, "timezone": sample.timezone, "attributes": sample.attributes},
    }


async def _finished(finished: asyncio.Future[Any], tasks: Any, timeout: float) -> Any:
    """on_finish's job; raises if the import's task ended without calling it (it crashed: the
    log above says why), or after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not finished.done():
        if not len(tasks):
            raise RuntimeError("the import task ended without calling on_finish")
        if time.monotonic() > deadline:
            raise TimeoutError(f"no on_finish within {timeout} s")
        await asyncio.wait([finished], timeout=0.5)
    return finished.result()


def _child(args: argparse.Namespace) -> None:
    outcome = asyncio.run(
        _import(
            args.config,
            [Path(f) for f in args.child_files],
            database_url=args.database_url,
            redis_url=args.redis_url,
            timeout=args.timeout,
        )
    )
    Path(args.child_out).write_text(json.dumps(outcome), encoding="utf-8")


# --- the parent: generate, run a child per configuration, check, record ----------------------


def _check(expected: Expected, outcome: dict[str, Any]) -> list[str]:
    """What differs between the import's report/database and what the file holds."""
    jobs = outcome["jobs"]
    total = {
        key: sum(job[key] or 0 for job in jobs)
        for key in ("rows_read", "created", "merged", "invalid", "suppressed")
    }
    wanted = {
        "all jobs done": (outcome["all_done"], True),
        "rows read": (total["rows_read"], expected.rows),
        "contacts in the database": (outcome["contacts"], expected.unique),
        "memberships of the list": (outcome["memberships"], expected.unique),
        "created (report)": (total["created"], expected.unique),
        "merged (report)": (total["merged"], expected.duplicates),
        "invalid (report)": (total["invalid"], expected.invalid),
        "suppressed (report)": (total["suppressed"], 0),
    }
    return [
        f"{what}: got {got}, expected {want}" for what, (got, want) in wanted.items() if got != want
    ]


def run_config(
    config: str, files: list[Path], expected: Expected, args: argparse.Namespace, scratch: Path
) -> dict[str, Any]:
    """Import in a fresh child process; check; write the results file. Returns the record."""
    out = scratch / f"outcome.{config.replace('+', '_')}.json"
    command = [
        sys.executable, "-m", "bench.import_csv", "--config", config,
        "--database-url", args.database_url, "--redis-url", args.redis_url,
        "--timeout", str(args.timeout), "--child-out", str(out),
        "--child-files", *map(str, files),
    ]  # fmt: skip
    if args.py_spy is not None:
        # Sampling profile of the importing child (py-spy: pip install py-spy), collapsed stacks.
        target = args.py_spy.with_name(
            f"{args.py_spy.stem}.{config.replace('+', '_')}{args.py_spy.suffix}"
        )
        spy = Path(sys.executable).with_name("py-spy")
        command = [
            str(spy) if spy.exists() else "py-spy",
            "record",
            "--format",
            "raw",
            "--rate",
            "200",
            "--nonblocking",
            "--subprocesses",  # the import worker too
            "-o",
            str(target),
            "--",
            *command,
        ]
    load_before = load_average()
    print(f"[{config}] importing {expected.rows:,} rows ({len(files)} file(s))...", flush=True)
    subprocess.run(command, check=True, cwd=Path(__file__).resolve().parent.parent)
    outcome = json.loads(out.read_text(encoding="utf-8"))
    problems = _check(expected, outcome)
    jobs = outcome["jobs"]
    invalid = sum(job["invalid"] for job in jobs)
    rows_per_s = expected.rows / outcome["elapsed_s"]
    params: dict[str, Any] = {
        "rows": expected.rows,
        "invalid_share": args.invalid_share,
        "duplicate_share": args.duplicate_share,
        "files": len(files),
        "file_mb": round(expected.bytes / 2**20, 1),
        "upload_limit_lifted": outcome["upload_limit_lifted"],
        "seed": expected.seed,
    }
    if config == SERVERS:
        params["workers"] = 1  # the import runs as a task of one process; Redis is not on its path
    figures: dict[str, Any] = {
        "import_rows_per_s": round(rows_per_s),
        # BENCH-RESULTS' figure: the peak of the importing process (the one that runs the
        # ImportService and writes, with the whole bot loaded). Its reader process's peak, and
        # the sum of both (peaks that may not have come at the same moment: an upper bound),
        # beside it.
        "import_peak_rss_mb": round(outcome["peak_rss_mb"], 1),
        "importer_peak_rss_mb": round(outcome["peak_rss_mb"], 1),
        "worker_peak_rss_mb": round(outcome["worker_peak_rss_mb"], 1),
        "import_peak_rss_sum_mb": round(outcome["peak_rss_mb"] + outcome["worker_peak_rss_mb"], 1),
        "sampled_peak_sum_rss_mb": round(outcome["sampled_peak_sum_rss_mb"], 1),
        "import_seconds": round(outcome["elapsed_s"], 2),
        "stage_seconds": round(outcome["stage_s"], 2),
        # CPU of the importing process and of its worker (not the PostgreSQL server's).
        "import_cpu_seconds": round(outcome["cpu_s"] + outcome["worker_cpu_s"], 2),
        "worker_cpu_seconds": round(outcome["worker_cpu_s"], 2),
        "baseline_rss_mb": round(outcome["baseline_rss_mb"], 1),
        "peak_rss_over_baseline_mb": round(outcome["peak_rss_mb"] - outcome["baseline_rss_mb"], 1),
        "peak_rss_phase": outcome["peak_phase"],
        "contacts": outcome["contacts"],
        "invalid_rows": invalid,
        "invalid_share_measured": round(invalid / expected.rows, 4),
        "merged_rows": sum(job["merged"] for job in jobs),
        "verified": not problems,
        # Other processes' CPU during the run shows in the figures; this says how busy it was.
        "loadavg_1m_before": round(load_before, 2),
        "dirty_tree": git_dirty(),
    }
    for problem in problems:
        print(f"[{config}] CHECK FAILED: {problem}", file=sys.stderr)
    if args.py_spy is None:
        path = write_result(BENCH, config=config, params=params, figures=figures)
        print(f"[{config}] wrote {path}")
    else:
        print(f"[{config}] profiled run: figures not recorded")
    return {"config": config, "params": params, "figures": figures, "problems": problems}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.import_csv",
        description="Import a generated CSV through ImportService; rows/s and peak RSS.",
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--config", choices=[*CONFIGS, "both"], default=EMBEDDED)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--invalid-share", type=float, default=0.02)
    parser.add_argument("--duplicate-share", type=float, default=0.05)
    parser.add_argument(
        "--max-file-mb",
        type=float,
        default=None,
        help="split the rows into files under this size (20 = the product's upload limit) "
        "instead of one file with the limit lifted",
    )
    parser.add_argument(
        "--database-url", default=DEFAULT_DATABASE_URL, help="postgres+redis only; WIPED"
    )
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL, help="postgres+redis only; WIPED")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per file")
    parser.add_argument(
        "--py-spy",
        type=Path,
        default=None,
        help="profile the import with py-spy: collapsed stacks to this file",
    )
    parser.add_argument("--keep-csv", type=Path, default=None, help="also copy the CSV here")
    parser.add_argument("--child-out", help=argparse.SUPPRESS)
    parser.add_argument("--child-files", nargs="+", help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.child_out:
        _child(args)
        return 0
    configs = list(CONFIGS) if args.config == "both" else [args.config]
    records = []
    with tempfile.TemporaryDirectory(prefix="bench-csv-") as tmp:
        scratch = Path(tmp)
        csv_path = scratch / f"contacts-{args.rows}.csv"
        g0 = time.perf_counter()
        expected = generate(
            csv_path,
            args.rows,
            seed=args.seed,
            invalid_share=args.invalid_share,
            duplicate_share=args.duplicate_share,
        )
        print(
            f"generated {expected.rows:,} rows, {expected.bytes / 2**20:.1f} MB "
            f"({expected.unique:,} unique, {expected.invalid:,} invalid, "
            f"{expected.duplicates:,} duplicates) in {time.perf_counter() - g0:.1f} s",
            flush=True,
        )
        if args.keep_csv is not None:
            args.keep_csv.write_bytes(csv_path.read_bytes())
        files = [csv_path]
        if args.max_file_mb is not None:
            files = split(csv_path, int(args.max_file_mb * 2**20))
        for config in configs:
            records.append(run_config(config, files, expected, args, scratch))
    print()
    rows = []
    for record in records:
        figures = record["figures"]
        rows.append(
            [
                record["config"],
                f"{record['params']['rows']:,}",
                str(record["params"]["files"]),
                f"{figures['import_rows_per_s']:,}",
                f"{figures['import_peak_rss_mb']:.0f}",
                f"{figures['worker_peak_rss_mb']:.0f}",
                f"{figures['baseline_rss_mb']:.0f}",
                figures["peak_rss_phase"],
                f"{figures['import_seconds']:.1f} ({figures['stage_seconds']:.1f})",
                f"{figures['import_cpu_seconds']:.1f}",
                "ok" if record["figures"]["verified"] else "FAILED",
                _verdict(figures),
            ]
        )
    print_table(
        [
            "config",
            "rows",
            "files",
            "rows/s",
            "peak MB",
            "worker MB",
            "base MB",
            "peak in",
            "s (stage)",
            "cpu s",
            "check",
            "targets",
        ],
        rows,
    )
    return 0 if all(record["figures"]["verified"] for record in records) else 1


def _verdict(figures: dict[str, Any]) -> str:
    fast = figures["import_rows_per_s"] >= TARGET_ROWS_PER_S
    lean = figures["import_peak_rss_mb"] <= TARGET_PEAK_RSS_MB
    return (
        f"{'PASS' if fast else 'MISS'} >={TARGET_ROWS_PER_S:,}/s, "
        f"{'PASS' if lean else 'MISS'} <={TARGET_PEAK_RSS_MB} MB"
    )


if __name__ == "__main__":
    sys.exit(main())
