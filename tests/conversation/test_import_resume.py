"""An import whose process dies half-way is resumed by another and reported in the chat.

The dying process is this test's own import task, stopped by a CancelledError raised from its
progress callback after its first committed batch: that leaves the database exactly as a
process killed at that moment does (a RUNNING job, its first batch and counts committed).
"""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import timedelta

from bot.services.imports.mapping import Field
from bot.services.lists.imports import IN_PROCESS_BATCH_ROWS, MAX_RUNS, STALLED_AFTER
from models import Contact, ImportJob, ImportStatus, ListMembership, Member, Platform, Upload
from tests.conversation.test_lists import _document
from tests.support.chats import MemberChat
from tests.support.harness import Harness
from tests.support.onboarding import onboard

MAPPING = {0: Field.FIRST_NAME, 1: Field.PHONE}
ROWS = 2 * IN_PROCESS_BATCH_ROWS + 500  # three batches: one before the death, two after
INVALID_EVERY = 100  # row numbers (1-based, header is 1) divisible by this are not phones


def _file() -> bytes:
    lines = ["name,phone"]
    for row in range(2, ROWS + 2):
        phone = "no phone" if row % INVALID_EVERY == 0 else f"+3461{row:07d}"
        lines.append(f"Person {row},{phone}")
    return ("\n".join(lines) + "\n").encode()


async def _stage(chat: MemberChat) -> Upload:
    await chat.upload("big.csv", _file())
    await chat.next()  # the mapping card; the import is started below instead of from it
    return await Upload.all().order_by("-created_at").first()  # type: ignore[return-value]


async def _die_after_first_batch(harness: Harness, member: Member, upload: Upload) -> ImportJob:
    """Start the import as the chat does, in a 'process' that dies after one batch."""
    contact_list = await harness.app.services.lists.create(member, "Big")
    died = asyncio.Event()

    async def progress(job: ImportJob) -> None:
        died.set()
        raise asyncio.CancelledError  # the process is gone: nothing after this runs

    async def finish(job: ImportJob) -> None:
        raise AssertionError("a dead process reports nothing")

    job = await harness.app.services.imports.start(
        member,
        upload.id,
        contact_list,
        MAPPING,
        on_progress=progress,
        on_finish=finish,
        describe=lambda problem: problem.value,
    )
    await asyncio.wait_for(died.wait(), 10)
    await asyncio.sleep(0)
    await job.refresh_from_db()
    return job


async def test_a_dead_import_is_resumed_and_reported(harness: Harness, platform: Platform) -> None:
    chat = harness.chat(platform)
    await onboard(chat, locale="en", timezone="Europe/Madrid")
    member = await Member.get()
    job = await _die_after_first_batch(harness, member, await _stage(chat))
    assert job.status is ImportStatus.RUNNING
    assert job.rows_read == IN_PROCESS_BATCH_ROWS  # the first batch is in, with its counts

    imports = harness.app.services.imports
    assert await imports.resume_stalled() == 0  # it beat just now: maybe still alive
    harness.clock.advance(STALLED_AFTER + timedelta(seconds=1))
    assert await imports.resume_stalled() == 1
    assert await imports.resume_stalled() == 0  # taken: nobody resumes it twice

    report = await chat.next()
    invalid = sum(1 for row in range(2, ROWS + 2) if row % INVALID_EVERY == 0)
    assert "finished" in (report.text or ""), report.text
    assert f"Rows read: {ROWS:,}" in (report.text or "")
    assert f"Contacts created: {ROWS - invalid:,}" in (report.text or "")
    assert "Duplicates merged: 0" in (report.text or "")
    assert f"Invalid rows: {invalid}" in (report.text or "")

    # The rejected rows of the batch committed before the death are in the file too.
    rejected = (await _document(harness, await chat.next())).decode("utf-8-sig")
    numbers = [int(row[0]) for row in list(csv.reader(io.StringIO(rejected)))[1:]]
    assert numbers == [row for row in range(2, ROWS + 2) if row % INVALID_EVERY == 0]

    assert await Contact.filter(member=member).count() == ROWS - invalid
    assert await ListMembership.filter(contact_list_id=job.contact_list_id).count() == (
        ROWS - invalid
    )
    assert not await Upload.filter(id=job.upload_id).exists()  # done with: deleted
    await job.refresh_from_db()
    assert job.status is ImportStatus.DONE


async def test_a_dead_import_whose_file_expired_says_so(harness: Harness) -> None:
    chat = harness.chat(Platform.TELEGRAM)
    await onboard(chat, locale="en", timezone="Europe/Madrid")
    member = await Member.get()
    upload = await _stage(chat)
    job = await _die_after_first_batch(harness, member, upload)
    await Upload.filter(id=upload.id).delete()  # as purge-stale-uploads does after a day

    harness.clock.advance(STALLED_AFTER + timedelta(seconds=1))
    assert await harness.app.services.imports.resume_stalled() == 1

    report = await chat.next()
    assert f"after {IN_PROCESS_BATCH_ROWS:,} rows" in (report.text or ""), report.text
    assert "send the file again" in (report.text or "")
    await job.refresh_from_db()
    assert job.status is ImportStatus.FAILED
    # What was committed before the death stays.
    assert await Contact.filter(member=member).count() > 0


async def test_an_import_that_keeps_killing_its_process_fails(harness: Harness) -> None:
    chat = harness.chat(Platform.TELEGRAM)
    await onboard(chat, locale="en", timezone="Europe/Madrid")
    member = await Member.get()
    job = await _die_after_first_batch(harness, member, await _stage(chat))
    # As if it had been resumed, and had taken its process down, until the last run allowed.
    await ImportJob.filter(id=job.id).update(runs=MAX_RUNS)

    harness.clock.advance(STALLED_AFTER + timedelta(seconds=1))
    assert await harness.app.services.imports.resume_stalled() == 0

    report = await chat.next()
    assert "stopped on an error on our side" in (report.text or ""), report.text
    await job.refresh_from_db()
    assert (job.status, job.runs) == (ImportStatus.FAILED, MAX_RUNS + 1)
