"""Imports through the service: the same report whether this process or the worker reads."""

from __future__ import annotations

import asyncio
import csv
import io
import zlib
from collections.abc import AsyncIterator
from dataclasses import astuple, replace

import pytest

from bot import db
from bot.config import Settings
from bot.crypto import Sealer
from bot.import_worker import ReadJob
from bot.services.imports.mapping import Field
from bot.services.lists import ListService
from bot.services.lists.imports import ImportService
from bot.services.lists.sealed import sealed_values
from bot.services.lists.sources import ImportWorkerError, InProcessSource, WorkerSource
from bot.tasks import BackgroundTasks
from models import (
    ConsentSource,
    Contact,
    ContactList,
    ImportJob,
    ImportStatus,
    ListMembership,
    Member,
    MemberStatus,
    Suppression,
    Upload,
)
from models.suppression import SuppressionSource
from tests.support.clock import MovableClock

# name, phone, Telegram id, city; what each row does is in the comment after it.
ROWS = (
    "name,phone,telegram,city\n"
    "Ana,612 345 678,,Madrid\n"  # 2: created
    "Luis,+34 622 333 444,,Sevilla\n"  # 3: created
    "Ana bis,0034612345678,,Madrid\n"  # 4: row 2 again: merged
    "Eva,not a phone,,Bilbao\n"  # 5: invalid phone
    "Olga,633 111 222,,Vigo\n"  # 6: already a contact: merged
    "Pilar,644 111 222,,Vigo\n"  # 7: a deleted contact: restored, merged
    "Sara,655 111 222,,Lugo\n"  # 8: opted out of this member: suppressed
    "Tomás,666 111 222,,Lugo\n"  # 9: on the operator's list: suppressed
    "Teo,,123456,León\n"  # 10: Telegram only: created
    "Clara,677 111 222,123456,León\n"  # 11: row 10's Telegram id: clashes, merged
    "Nadie,,,Soria\n"  # 12: no phone, no id: invalid
    "Bea,+34 688 111 222,,=1+1\n"  # 13: created, the formula kept as text
)
MAPPING = {0: Field.FIRST_NAME, 1: Field.PHONE, 2: Field.TELEGRAM_ID, 3: Field.ATTRIBUTE}
EXPECTED = {"rows_read": 12, "created": 4, "merged": 4, "suppressed": 2, "invalid": 2}
IN_PROCESS, WORKER = 10**9, 0  # worker_min_bytes: never the worker, always the worker
SEALER = Sealer.from_master(b"the tests' data key")
# Where a batch's contact tuples hold sealed values (reading.py's ContactValues).
_SEALED_AT = (1, 5, 6, 7)


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[None]:
    settings = Settings(_env_file=None, DATABASE_URL=database_url)
    await db.apply_migrations(settings)
    await db.connect(settings)
    try:
        yield
    finally:
        await db.close()


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
async def member(database: None, clock: MovableClock) -> Member:
    member = await Member.create(status=MemberStatus.ACTIVE, locale="en", timezone="Europe/Madrid")
    for phone, deleted_at in (("+34633111222", None), ("+34644111222", clock())):
        await Contact.create(
            member=member,
            **sealed_values(SEALER, phone=phone),
            consent_source=ConsentSource.FILE_IMPORT,
            consent_at=clock(),
            consent_by="member:0",
            deleted_at=deleted_at,
        )
    await Suppression.create(
        member=member,
        key=SEALER.lookup("+34655111222"),
        channel="phone",
        source=SuppressionSource.KEYWORD,
    )
    await Suppression.create(
        member=None,
        key=SEALER.lookup("+34666111222"),
        channel="phone",
        source=SuppressionSource.OPERATOR,
    )
    return member


async def _import(
    member: Member,
    clock: MovableClock,
    content: bytes,
    *,
    worker_min_bytes: int,
    stored: bytes | None = None,
) -> tuple[ImportJob, ContactList, list[int]]:
    """Stage and import `content` as the chat does; the job, its list and the progress seen.

    `stored`, if given, replaces the staged upload before the import reads it.
    """
    tasks = BackgroundTasks()
    service = ImportService(
        clock=clock, tasks=tasks, sealer=SEALER, worker_min_bytes=worker_min_bytes
    )
    contact_list = await ListService(clock=clock, sealer=SEALER).create(member, "Customers")
    staged = await service.stage(member, "customers.csv", content)
    if stored is not None:
        # Its row count unknown, as for uploads staged before staging kept it: the import
        # reads it through first.
        await Upload.filter(id=staged.upload_id).update(
            content=SEALER.seal_bytes(zlib.compress(stored)), size=len(stored), rows=None
        )
    finished: asyncio.Future[ImportJob] = asyncio.get_running_loop().create_future()
    progress: list[int] = []

    async def on_progress(job: ImportJob) -> None:
        progress.append(job.rows_read)

    async def on_finish(job: ImportJob) -> None:
        finished.set_result(job)

    await service.start(
        member,
        staged.upload_id,
        contact_list,
        MAPPING,
        on_progress=on_progress,
        on_finish=on_finish,
        describe=lambda problem: problem.value,
    )
    return await asyncio.wait_for(finished, 30), contact_list, progress


@pytest.mark.parametrize("worker_min_bytes", [IN_PROCESS, WORKER], ids=["in_process", "worker"])
async def test_the_report_is_the_same_whoever_reads(
    member: Member, clock: MovableClock, worker_min_bytes: int
) -> None:
    job, contact_list, progress = await _import(
        member, clock, ROWS.encode(), worker_min_bytes=worker_min_bytes
    )

    assert job.status is ImportStatus.DONE, job.problem
    assert {key: getattr(job, key) for key in EXPECTED} == EXPECTED
    assert job.rows_total == 12
    assert progress == [12]
    assert job.rejected_csv is not None
    rejected = list(csv.reader(io.StringIO(bytes(job.rejected_csv).decode("utf-8-sig"))))
    assert rejected == [
        ["row", "reason", "name", "phone", "telegram", "city"],
        ["5", "invalid_phone", "Eva", "not a phone", "", "Bilbao"],
        ["12", "no_address", "Nadie", "", "", "Soria"],
    ]
    on_list = await Contact.filter(memberships__contact_list=contact_list).order_by("id")
    assert [(SEALER.open(c.phone), c.telegram_id) for c in on_list] == [
        ("+34633111222", None),
        ("+34644111222", None),
        ("+34612345678", None),
        ("+34622333444", None),
        (None, 123456),
        ("+34688111222", None),
    ]
    assert all(contact.deleted_at is None for contact in on_list), "the deleted one restored"
    ana = on_list[2]
    assert (SEALER.open(ana.first_name), ana.timezone, ana.attributes) == (
        "Ana",
        "Europe/Madrid",
        {"city": "Madrid"},
    )
    assert (ana.consent_at, ana.consent_by) == (clock(), f"member:{member.id}")
    assert on_list[5].attributes == {"city": "=1+1"}
    suppressed = [SEALER.lookup("+34655111222"), SEALER.lookup("+34666111222")]
    assert not await Contact.filter(phone_hash__in=suppressed).exists()


@pytest.mark.parametrize("worker_min_bytes", [IN_PROCESS, WORKER], ids=["in_process", "worker"])
async def test_a_batch_that_creates_nobody_reports_none_created(
    member: Member, clock: MovableClock, worker_min_bytes: int
) -> None:
    await _import(member, clock, ROWS.encode(), worker_min_bytes=worker_min_bytes)
    again, contact_list, _ = await _import(
        member, clock, ROWS.encode(), worker_min_bytes=worker_min_bytes
    )

    assert (again.created, again.merged, again.suppressed, again.invalid) == (0, 8, 2, 2)
    assert await ListMembership.filter(contact_list=contact_list).count() == 6


@pytest.mark.parametrize("worker_min_bytes", [IN_PROCESS, WORKER], ids=["in_process", "worker"])
async def test_a_file_broken_half_way_imports_nothing(
    member: Member, clock: MovableClock, worker_min_bytes: int
) -> None:
    # A quote opened on row 14 is never closed: the twelve rows before it are fine. Staging
    # would refuse it (it reads the file through too), so the upload breaks after staging.
    broken = ROWS.encode() + b'"Rita,699 111 222,,Cuenca\n' + ROWS.encode().split(b"\n", 1)[1]
    job, _, _ = await _import(
        member, clock, ROWS.encode(), worker_min_bytes=worker_min_bytes, stored=broken
    )

    assert (job.status, job.problem) == (ImportStatus.FAILED, "truncated")
    assert await Contact.all().count() == 2  # the member's own two, nothing more
    assert not await ListMembership.exists()


async def test_an_upload_damaged_in_storage_imports_nothing(
    member: Member, clock: MovableClock
) -> None:
    # Staging counted its rows, so the import trusts the bytes to read through: zlib's
    # checksum is what stops a stored upload that changed since (sealed again here, as
    # whoever changed it would need the key to pass AES-GCM's tag first).
    content = ROWS.encode()
    packed = bytearray(zlib.compress(content))
    packed[len(packed) // 2] ^= 0xFF
    service = ImportService(
        clock=clock, tasks=BackgroundTasks(), sealer=SEALER, worker_min_bytes=WORKER
    )
    contact_list = await ListService(clock=clock, sealer=SEALER).create(member, "Customers")
    staged = await service.stage(member, "customers.csv", content)
    await Upload.filter(id=staged.upload_id).update(content=SEALER.seal_bytes(bytes(packed)))
    finished: asyncio.Future[ImportJob] = asyncio.get_running_loop().create_future()

    async def on_finish(job: ImportJob) -> None:
        finished.set_result(job)

    async def on_progress(job: ImportJob) -> None:
        raise AssertionError("nothing is written, so there is no progress")

    await service.start(
        member,
        staged.upload_id,
        contact_list,
        MAPPING,
        on_progress=on_progress,
        on_finish=on_finish,
        describe=lambda problem: problem.value,
    )
    job = await asyncio.wait_for(finished, 30)
    assert (job.status, job.problem) == (ImportStatus.FAILED, "internal")
    assert await Contact.all().count() == 2
    assert not await ListMembership.exists()


async def _batches(source: InProcessSource | WorkerSource) -> tuple[int, list[tuple[object, ...]]]:
    """The row count and the batches, their sealed values opened (each sealing of the same
    value differs: its nonce is random)."""
    async with source:
        total = await source.open()
        batches = [astuple(batch) async for batch in source.batches()]
    for batch in batches:
        contacts = batch[2]
        for index, values in enumerate(contacts):
            opened = [
                SEALER.open(value) if position in _SEALED_AT else value
                for position, value in enumerate(values)
            ]
            contacts[index] = tuple(opened)
    return total, batches


def _read_job(content: bytes, **changes: object) -> ReadJob:
    job = ReadJob(
        name="customers.csv",
        size=len(content),
        compressed=False,
        mapping={index: field.value for index, field in MAPPING.items()},
        region="ES",
        timezone="Europe/Madrid",
        batch_rows=2,
        max_bytes=len(content),
        known_rows=None,
        sealing_key=SEALER.keys[0],
        lookup_key=SEALER.keys[1],
    )
    return replace(job, **changes)


async def test_the_worker_sends_the_batches_this_process_reads() -> None:
    content = ROWS.encode() * 3  # the header again on rows 14 and 27: a row with no phone
    here = await _batches(InProcessSource(_read_job(content), content))
    worker = await _batches(WorkerSource(_read_job(content), content))
    assert worker == here
    total, batches = here
    assert (total, len(batches)) == (38, 19)
    # As the upload is stored: compressed, which both sources undo.
    packed = zlib.compress(content)
    job = _read_job(content, size=len(packed), compressed=True)
    assert await _batches(InProcessSource(job, packed)) == here
    assert await _batches(WorkerSource(job, packed)) == here


async def test_a_broken_worker_fails_the_import() -> None:
    content = ROWS.encode()
    source = WorkerSource(_read_job(content, mapping={1: "not a field"}), content)
    async with source:
        assert await source.open() == 12
        with pytest.raises(ImportWorkerError, match="the worker failed: ValueError at "):
            [batch async for batch in source.batches()]
