"""Migrations upgrade a database that holds data, not only an empty one.

A column added NOT NULL without a database default applies to an empty table and breaks every
deployed one (SQLite refuses it outright): each step is applied here over rows written at the
schema before it.
"""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
import pytest
from tortoise import Tortoise, connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import OperationalError
from tortoise.migrations.api.migrate import migrate

from bot import db
from bot.config import Settings
from bot.crypto import Sealer
from bot.keyfile import master_key
from bot.sealing import seal_existing
from bot.sql import dialect_sql
from models import (
    AuditEntry,
    Campaign,
    Contact,
    ContactList,
    ImportJob,
    InboundEvent,
    InboundReply,
    ListMembership,
    Member,
    MemberStatus,
    Suppression,
    Upload,
    UsageRecord,
)

AT = datetime(2026, 12, 1, tzinfo=UTC)
# What a refusing trigger raises: Tortoise wraps SQLite's error, not PostgreSQL's.
REFUSED = (OperationalError, asyncpg.PostgresError)


async def _migrate(settings: Settings, target: str | None = None) -> None:
    try:
        await migrate(config=db.tortoise_config(settings.DATABASE_URL), target=target)
    finally:
        await Tortoise.close_connections()


async def test_import_resume_fields_upgrade_existing_rows(database_url: str) -> None:
    settings = Settings(_env_file=None, DATABASE_URL=database_url)
    await _migrate(settings, "models.0005_inbound_replies")
    await Tortoise.init(config=db.tortoise_config(database_url))
    try:
        sql = connections.get("default")
        # Rows as the schema before 0006 held them: plain SQL, the models have moved on.
        await _member_with_list(sql, "Old")
        upload = (
            "INSERT INTO upload (id, member_id, name, content, created_at) VALUES (?, 1, ?, ?, ?)"
        )
        await sql.execute_query(
            dialect_sql(sql, upload),
            [
                "6f1c2b1e-8a7d-4c55-9a51-2d0c7e0a9b11",
                "old.csv",
                b"name,phone\n",
                AT,
            ],
        )
        job = (
            "INSERT INTO import_job (member_id, contact_list_id, file_name, status, rows_read, "
            "created, merged, suppressed, invalid, created_at) "
            "VALUES (1, 1, ?, ?, 0, 0, 0, 0, 0, ?)"
        )
        await sql.execute_query(dialect_sql(sql, job), ["old.csv", "running", AT])
    finally:
        await Tortoise.close_connections()

    await _migrate(settings)

    await db.connect(settings)
    try:
        old_upload = await Upload.get(name="old.csv")
        assert (old_upload.compressed, old_upload.size, old_upload.rows) == (False, None, None)
        old_job = await ImportJob.get(file_name="old.csv")
        assert (old_job.runs, old_job.upload_id, old_job.heartbeat_at) == (1, None, None)
    finally:
        await db.close()


async def test_campaigns_ended_before_reports_were_tracked_count_as_reported(
    database_url: str,
) -> None:
    settings = Settings(_env_file=None, DATABASE_URL=database_url)
    await _migrate(settings, "models.0006_import_resume")
    await Tortoise.init(config=db.tortoise_config(database_url))
    try:
        sql = connections.get("default")
        member = "INSERT INTO member (status, locale, timezone, created_at) VALUES (?, ?, ?, ?)"
        await sql.execute_query(dialect_sql(sql, member), ["active", "en", "UTC", AT])
        campaign = (
            "INSERT INTO campaign (member_id, name, status, list_ids, text, channels, "
            "whatsapp_params, audience_ready, created_at, finished_at, updated_at) "
            "VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        )
        for name, status, finished in (("old", "finished", AT), ("live", "running", None)):
            await sql.execute_query(
                dialect_sql(sql, campaign),
                [name, status, "[]", "Hi", "[]", "[]", True, AT, finished, AT],
            )
    finally:
        await Tortoise.close_connections()

    await _migrate(settings)

    await db.connect(settings)
    try:
        reported = dict(await Campaign.all().values_list("name", "reported_at"))
        assert reported == {"old": AT, "live": None}
    finally:
        await db.close()


async def test_migrating_to_the_latest_keeps_every_members_data(database_url: str) -> None:
    # Regression: an AlterField on `member` made SQLite rebuild the table, and dropping the
    # old one cascaded to every member's lists and contacts.
    settings = Settings(_env_file=None, DATABASE_URL=database_url)
    await _migrate(settings, "models.0010_usage_records")
    await Tortoise.init(config=db.tortoise_config(database_url))
    try:
        await _member_with_list(connections.get("default"), "Kept")
    finally:
        await Tortoise.close_connections()

    await _migrate(settings)

    await db.connect(settings)
    try:
        member_row = await Member.get(id=1)
        assert (member_row.status, member_row.inherited_opt_outs) == (MemberStatus.ACTIVE, False)
        assert (member_row.promotions, member_row.suspended_at) == (True, None)
        assert await ContactList.filter(name="Kept", member_id=1).exists()
    finally:
        await db.close()


async def test_the_audit_log_refuses_changes_in_the_database_itself(database_url: str) -> None:
    # The ORM, a script or a bug: whatever asks, an audit entry is never changed or removed.
    settings = Settings(_env_file=None, DATABASE_URL=database_url)
    await _migrate(settings)
    await db.connect(settings)
    try:
        entry = await AuditEntry.create(
            at=AT, operator="telegram:1", member_id=1, action="view_lists", reason="support"
        )
        with pytest.raises(REFUSED, match="append-only"):
            await AuditEntry.filter(id=entry.id).update(reason="nothing to see")
        with pytest.raises(REFUSED, match="append-only"):
            await AuditEntry.filter(id=entry.id).delete()
        assert (await AuditEntry.get(id=entry.id)).reason == "support"
    finally:
        await db.close()


async def _member_with_list(sql: BaseDBAsyncClient, list_name: str) -> None:
    """Member 1 and a list of theirs, in plain SQL (the models have moved on since)."""
    member = "INSERT INTO member (status, locale, timezone, created_at) VALUES (?, ?, ?, ?)"
    await sql.execute_query(dialect_sql(sql, member), ["active", "en", "UTC", AT])
    contact_list = (
        "INSERT INTO contact_list (member_id, name, tags, opt_in_token, created_at) "
        "VALUES (1, ?, ?, ?, ?)"
    )
    await sql.execute_query(dialect_sql(sql, contact_list), [list_name, "[]", "token", AT])


async def test_contacts_written_before_sealing_are_sealed_and_still_found(
    database_url: str,
) -> None:
    settings = Settings(_env_file=None, DATABASE_URL=database_url, DATA_KEY="an old install")
    await _migrate(settings, "models.0012_operator")
    await Tortoise.init(config=db.tortoise_config(database_url))
    try:
        sql = connections.get("default")
        await _member_with_list(sql, "Customers")
        contact = (
            "INSERT INTO contact (member_id, phone, whatsapp, first_name, last_name, attributes, "
            "tags, consent_source, consent_at, consent_by, created_at) "
            "VALUES (1, ?, ?, ?, ?, '{}', '[]', 'file_import', ?, 'member:1', ?)"
        )
        await sql.execute_query(
            dialect_sql(sql, contact),
            ["+34612345678", "+34612345678", "Ana", "García", AT, AT],
        )
        membership = (
            "INSERT INTO list_membership (contact_list_id, contact_id, added_at) VALUES (1, 1, ?)"
        )
        await sql.execute_query(dialect_sql(sql, membership), [AT])
        suppression = (
            "INSERT INTO suppression (member_id, key, channel, source, created_at) "
            "VALUES (1, ?, ?, 'keyword', ?)"
        )
        for key, channel in (("+34622333444", "phone"), ("telegram:7", "telegram")):
            await sql.execute_query(dialect_sql(sql, suppression), [key, channel, AT])
        reply = (
            "INSERT INTO inbound_reply (member_id, contact_id, channel, address, text, "
            "received_at) VALUES (1, 1, 'whatsapp', ?, 'Hola', ?)"
        )
        await sql.execute_query(dialect_sql(sql, reply), ["+34612345678", AT])
        usage = (
            "INSERT INTO usage_record (member_id, sent_at, channel, account, recipient, units, "
            "status) VALUES (1, ?, 'whatsapp', '1', ?, 1, 'sent')"
        )
        await sql.execute_query(dialect_sql(sql, usage), [AT, "+34612345678"])
        upload = (
            "INSERT INTO upload (id, member_id, name, content, compressed, created_at) "
            "VALUES (?, 1, 'old.csv', ?, ?, ?)"
        )
        file = b"phone\n+34612345678\n"
        params = ["6f1c2b1e-8a7d-4c55-9a51-2d0c7e0a9b11", file, False, AT]
        await sql.execute_query(dialect_sql(sql, upload), params)
        event = "INSERT INTO inbound_event (key, received_at) VALUES (?, ?)"
        for key in ("whatsapp:pref:+34622333444:True:1765000000", "whatsapp:msg:wamid.1"):
            await sql.execute_query(dialect_sql(sql, event), [key, AT])
    finally:
        await Tortoise.close_connections()

    await db.apply_migrations(settings)  # the migrations, then the sealing step

    sealer = Sealer.from_master(master_key(settings))
    await db.connect(settings)
    try:
        found = await Contact.get(phone_hash=sealer.lookup("+34612345678"))
        assert [sealer.open(found.phone), sealer.open(found.whatsapp)] == ["+34612345678"] * 2
        assert (sealer.open(found.first_name), sealer.open(found.last_name)) == ("Ana", "García")
        assert found.key_version == 1
        assert await ListMembership.filter(contact_id=found.id).exists(), "no cascade"
        sql = connections.get("default")
        _, rows = await sql.execute_query("SELECT phone FROM contact")
        assert [row[0] for row in rows] == [None], "the plaintext column is emptied"
        entry = await Suppression.get(channel="phone")
        assert entry.key == sealer.lookup("+34622333444")
        assert sealer.open(entry.address) == "+34622333444"
        assert (await Suppression.get(channel="telegram")).key == "telegram:7"
        assert sealer.open((await InboundReply.get()).address) == "+34612345678"
        assert sealer.open((await UsageRecord.get()).recipient) == "+34612345678"
        old_upload = await Upload.get(name="old.csv")
        assert (old_upload.sealed, sealer.open_bytes(bytes(old_upload.content))) == (True, file)
        events = await InboundEvent.all().values_list("key", flat=True)
        assert events == ["whatsapp:msg:wamid.1"], "no number left in a dedup key"
        assert await seal_existing(sealer) == 0, "nothing is sealed twice"
        if (path := settings.sqlite_path) is not None:  # and none left in the file's free space
            stored = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
            assert [text for text in (b"612345678", b"Garc", b"622333444") if text in stored] == []
    finally:
        await db.close()
