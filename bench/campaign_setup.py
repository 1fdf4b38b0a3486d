"""The campaign benchmark's stage: a fresh database, one member, one list of N contacts, the
same N people known to the sandbox, and the sandbox served on loopback.

Contacts go in with plain SQL (executemany on SQLite, unnest on PostgreSQL): the benchmark
measures sending, not importing (bench/import_csv.py measures that).
"""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp import web

from bench.common import EMBEDDED, fresh_servers
from bot.crypto import Sealer
from bot.sandbox import Sandbox

# Not the test suite's database (test, Redis db 15): the suite wipes those before every test, and
# this benchmark wipes its own before every run, so sharing them breaks both.
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/broadside_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"
TELEGRAM_FIRST_ID = 10_000_000
INSERT_BATCH = 20_000

# Numbers and names sealed, as the importer writes them (bot/crypto.py).
_COLUMNS = (
    "member_id, consent_source, consent_at, consent_by, created_at, key_version, "
    "phone_hash, sealed_phone, telegram_id, line_id, whatsapp, first_name, attributes, tags"
)
_SQLITE_INSERT = (
    f"INSERT INTO contact ({_COLUMNS}) VALUES (?, 'file_import', ?, 'member:1', ?, 1, "  # noqa: S608
    "?, ?, ?, ?, ?, ?, '{}', '[]')"
)
_POSTGRES_INSERT = (
    f"INSERT INTO contact ({_COLUMNS}) "  # noqa: S608 - constant column list
    "SELECT $1, 'file_import', $2, 'member:1', $2, 1, v.phone_hash, v.sealed_phone, "
    "v.telegram_id, v.line_id, v.whatsapp, v.first_name, '{}'::jsonb, '[]'::jsonb "
    "FROM unnest($3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::text[]) "
    "AS v(phone_hash, sealed_phone, telegram_id, line_id, whatsapp, first_name)"
)
_MEMBERSHIPS = (
    "INSERT INTO list_membership (contact_list_id, contact_id, added_at) "
    "SELECT ?, id, ? FROM contact WHERE member_id = ?"
)
_FIRST_NAMES = ("Ana", "Luis", "Marta", "Jordi", "Lucía", "Iker", "Noelia", "Pablo")


@dataclass(slots=True)
class Audience:
    """Who the campaign goes to: the list, and each person's address on the channel."""

    member_id: int
    list_id: int
    addresses: list[Any] = field(default_factory=list)  # chat ids, LINE user ids or wa_ids


async def fresh_database(
    config: str, scratch: Path, *, database_url: str, redis_url: str
) -> tuple[str, str | None]:
    """A new empty database with the schema applied: (DATABASE_URL, REDIS_URL or None)."""
    from bot import db
    from bot.config import Settings

    if config == EMBEDDED:
        # A folder of its own per run: the file and its WAL files start afresh.
        folder = tempfile.mkdtemp(prefix="db-", dir=scratch)
        urls: tuple[str, str | None] = (f"sqlite://{folder}/bench.sqlite3", None)
    else:
        await fresh_servers(database_url, redis_url)
        urls = (database_url, redis_url)
    settings = Settings(_env_file=None, DATABASE_URL=urls[0], REDIS_URL=urls[1])  # type: ignore[call-arg]
    await db.apply_migrations(settings)
    return urls


def _people(channel: str, count: int, sandbox: Sandbox) -> Iterator[tuple[Any, tuple]]:
    """(address, contact row values) per person; each is made known to the sandbox."""
    for number in range(count):
        name = _FIRST_NAMES[number % len(_FIRST_NAMES)]
        if channel == "telegram":
            chat_id = TELEGRAM_FIRST_ID + number
            sandbox.telegram.add_user(chat_id, first_name=name)
            yield chat_id, (None, chat_id, None, None, name)
        elif channel == "line":
            user_id = sandbox.line.add_user(sandbox.line.new_user_id(), display_name=name)
            yield user_id, (None, None, user_id, None, name)
        else:
            phone = f"+346{number:08d}"  # Spanish mobiles, one per person
            yield phone[1:], (phone, None, None, phone, name)


def daytime_zone(now: datetime) -> str:
    """A timezone where `now` is about 13:00, for the benchmarks' member: the chat's default
    quiet hours (21:00-08:00 the member's time) hold a campaign launched in the evening until
    the morning, and a benchmark must measure the same whatever the hour it runs at."""
    east = (13 - now.astimezone(UTC).hour + 12) % 24 - 12  # hours east of UTC, -12..11
    return f"Etc/GMT{-east:+d}" if east else "UTC"  # the Etc/ zones' signs are inverted


async def create_audience(
    channel: str, count: int, sandbox: Sandbox, *, now: datetime, sealer: Sealer
) -> Audience:
    """One active member, one list, `count` contacts on it reachable on `channel`, their
    numbers and names sealed under the bot's key (`sealer`)."""
    from tortoise import connections

    from bot.sql import dialect_sql
    from models import ContactList, Member, MemberStatus

    member = await Member.create(
        status=MemberStatus.ACTIVE, locale="en", timezone=daytime_zone(now)
    )
    contact_list = await ContactList.create(
        member=member, name="bench", opt_in_token=secrets.token_hex(8)
    )
    audience = Audience(member.id, contact_list.id)
    connection = connections.get("default")
    postgres = connection.capabilities.dialect == "postgres"
    rows: list[tuple] = []

    async def flush() -> None:
        if postgres:
            columns = [list(column) for column in zip(*rows, strict=True)]
            await connection.execute_query(_POSTGRES_INSERT, [member.id, now, *columns])
        else:
            stamp = now.isoformat(" ")
            await connection.execute_many(
                _SQLITE_INSERT, [[member.id, stamp, stamp, *row] for row in rows]
            )
        rows.clear()

    for address, (phone, telegram_id, line_id, whatsapp, name) in _people(channel, count, sandbox):
        audience.addresses.append(address)
        sealed_phone = sealer.seal(phone)
        whatsapp_sealed = sealed_phone if whatsapp == phone else sealer.seal(whatsapp)
        rows.append(
            (
                sealer.lookup(phone),
                sealed_phone,
                telegram_id,
                line_id,
                whatsapp_sealed,
                sealer.seal(name),
            )
        )
        if len(rows) >= INSERT_BATCH:
            await flush()
    if rows:
        await flush()
    await connection.execute_query(
        dialect_sql(connection, _MEMBERSHIPS), [contact_list.id, now, member.id]
    )
    return audience


async def serve(sandbox: Sandbox) -> tuple[web.AppRunner, str]:
    """The sandbox on 127.0.0.1 at a free port: the runner and its base URL."""
    runner = web.AppRunner(sandbox.app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    return runner, f"http://{host}:{port}"


def inbox_counts(channel: str, sandbox: Sandbox, addresses: list[Any]) -> dict[int, int]:
    """How many people hold how many messages: {messages in the inbox: people}."""
    stand_in = getattr(sandbox, channel)
    counts: dict[int, int] = {}
    for address in addresses:
        held = len(stand_in.inbox(address))
        counts[held] = counts.get(held, 0) + 1
    return counts
