"""From an uploaded file to an import job: stage, propose a mapping, run in the background."""

from __future__ import annotations

import asyncio
import logging
import uuid
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from babel.core import get_global
from tortoise.expressions import F, Q

from bot.crypto import Sealer
from bot.import_worker import ReadJob
from bot.services.clock import Clock
from bot.services.imports.limits import MAX_FILE_BYTES
from bot.services.imports.mapping import Field, propose_mapping
from bot.services.imports.readers import UnreadableFile, open_table
from bot.services.lists.importer import Importer
from bot.services.lists.rows import RowProblem
from bot.services.lists.sources import InProcessSource, RowSource, WorkerSource
from bot.tasks import BackgroundTasks
from models import ContactList, ImportJob, ImportStatus, Member, Upload

log = logging.getLogger(__name__)

PREVIEW_ROWS = 3
UPLOAD_TTL = timedelta(days=1)
# Files from this size on (about 27,000 rows of a typical CSV) are read by the import worker
# process, on another core, while this one writes. Below it, reading here takes under half a
# second, and a worker (0.15 s of CPU to start) would save little of it.
WORKER_MIN_BYTES = 1_000_000
# Rows per transaction. Read here, a batch blocks the event loop while it is read: small
# batches. Read by the worker, batches are larger: fewer commits, each of which rewrites the
# pages of the phone index it touched (random, as phone numbers are) in SQLite's write-ahead
# log. 40,000 rows hold the database for about half a second.
IN_PROCESS_BATCH_ROWS = 2_000
WORKER_BATCH_ROWS = 40_000
# zlib's fastest level: a 20 MB CSV in a fifth of a second, to about a quarter of its size.
_UPLOAD_COMPRESSION = 1
# Where a member's timezone names no country (UTC), their language suggests one.
_LOCALE_REGIONS = {"en": "US", "es": "ES", "ru": "RU", "th": "TH", "ja": "JP"}

# A running job beats at each committed batch (under a second apart) and once the file is read
# through (seconds): one quiet this long has lost the process that ran it.
STALLED_AFTER = timedelta(minutes=2)
# A job that took down its process this many times (a file that exhausts memory, say) is not
# resumed again: it fails, and the member hears so.
MAX_RUNS = 3

JobCallback = Callable[[ImportJob], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class ImportReporting:
    """How a job reports to its member: as it goes, at the end, and the words for a rejected
    row's reason (in the member's language) in the rejected-rows file."""

    on_progress: JobCallback
    on_finish: JobCallback
    describe: Callable[[RowProblem], str]


# Reporting for a job resumed in another process than the chat that started it; the jobs it
# hears of come with their contact_list fetched (the report names the list).
ResumedReporting = Callable[[Member], ImportReporting]


@dataclass(frozen=True, slots=True)
class StagedFile:
    """An upload read far enough to show its columns, a preview and a proposed mapping."""

    upload_id: uuid.UUID
    name: str
    format: str
    columns: list[str]
    preview: list[list[str]]
    mapping: dict[int, Field]


def member_region(member: Member) -> str:
    """The region national phone numbers in this member's files belong to."""
    territory = get_global("zone_territories").get(member.timezone)
    return territory or _LOCALE_REGIONS.get(member.locale, "US")


class UploadNotFoundError(LookupError):
    """The staged upload is gone (imported, expired, or someone else's)."""


class ImportService:
    """Stages uploads and runs imports off the chat's request path."""

    def __init__(
        self,
        *,
        clock: Clock,
        tasks: BackgroundTasks,
        sealer: Sealer,
        resumed: ResumedReporting | None = None,
        worker_min_bytes: int = WORKER_MIN_BYTES,
        max_file_bytes: int = MAX_FILE_BYTES,
        hasher: Callable[[str], str] | None = None,
    ) -> None:
        """`resumed`: how a job resumed here (its process died) reports to its member;
        `worker_min_bytes`: the file size from which the import worker reads the file;
        `max_file_bytes`: the upload limit (a benchmark lifts it, tests lower the first);
        `hasher`: the installation's keyed hash (see Importer); `sealer` seals the rows'
        numbers and names where they are read."""
        self._clock = clock
        self._sealer = sealer
        self._tasks = tasks
        self._resumed = resumed
        self._importer = Importer(clock=clock, sealer=sealer, hasher=hasher)
        self._worker_min_bytes = worker_min_bytes
        self._max_file_bytes = max_file_bytes

    async def stage(self, member: Member, name: str, content: bytes) -> StagedFile:
        """Read the file's shape and keep it until the member confirms; UnreadableFile if not."""
        table = await asyncio.to_thread(open_table, name, content, max_bytes=self._max_file_bytes)
        preview = table.preview(PREVIEW_ROWS)
        packed = await asyncio.to_thread(zlib.compress, content, _UPLOAD_COMPRESSION)
        upload = await Upload.create(
            id=uuid.uuid4(),
            member=member,
            name=name,
            content=self._sealer.seal_bytes(packed),
            compressed=True,
            size=len(content),
            rows=table.known_rows,
            created_at=self._clock(),
        )
        return StagedFile(
            upload_id=upload.id,
            name=name,
            format=table.format,
            columns=list(table.columns),
            preview=preview,
            mapping=propose_mapping(
                table.columns, table.preview(20), default_region=member_region(member)
            ),
        )

    async def start(
        self,
        member: Member,
        upload_id: uuid.UUID,
        contact_list: ContactList,
        mapping: dict[int, Field],
        *,
        on_progress: JobCallback,
        on_finish: JobCallback,
        describe: Callable[[RowProblem], str],
    ) -> ImportJob:
        """Create the job and run it in the background; the callbacks report to the member.

        `describe` words a rejected row's reason for the rejected-rows file, in the member's
        language.
        """
        # Not its content yet: the import loads it and lets go of it as soon as it can.
        upload = await Upload.filter(id=upload_id, member=member).only("id", "name").first()
        if upload is None:
            raise UploadNotFoundError(upload_id)
        job = await ImportJob.create(
            member=member,
            contact_list=contact_list,
            file_name=upload.name,
            upload_id=upload.id,
            mapping={str(index): field.value for index, field in mapping.items()},
            heartbeat_at=self._clock(),
        )
        self._spawn(job, member, ImportReporting(on_progress, on_finish, describe))
        return job

    async def resume_stalled(self) -> int:
        """Go on with the imports whose process died (see STALLED_AFTER); how many.

        The rows a job committed stay; it reads its file again from the start and writes from
        the first batch it had not committed (the job's counts are written in each batch's
        transaction), so nothing is imported twice and the report counts every row once.
        """
        if self._resumed is None:
            return 0
        now = self._clock()
        stalled = await ImportJob.filter(status=ImportStatus.RUNNING).filter(
            Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=now - STALLED_AFTER)
        )
        resumed = 0
        for job in stalled:
            if self._tasks.running(_task_name(job)) or not await self._claim(job, now):
                continue  # still running here, or another process took it first
            member = await Member.get(id=job.member_id)  # type: ignore[attr-defined]
            await job.fetch_related("contact_list")  # its name, for the report
            reporting = self._resumed(member)
            if job.runs > MAX_RUNS:
                await self._fail(job, "internal")
                await reporting.on_finish(job)
                continue
            self._spawn(job, member, reporting)
            resumed += 1
        return resumed

    @staticmethod
    async def _claim(job: ImportJob, now: datetime) -> bool:
        """Take the job for this process: only one of the processes that saw it stall does."""
        seen = ImportJob.filter(id=job.id, status=ImportStatus.RUNNING)
        if job.heartbeat_at is None:
            seen = seen.filter(heartbeat_at__isnull=True)
        else:
            seen = seen.filter(heartbeat_at=job.heartbeat_at)
        claimed = await seen.update(heartbeat_at=now, runs=F("runs") + 1)
        job.heartbeat_at, job.runs = now, job.runs + 1
        return claimed == 1

    def _spawn(self, job: ImportJob, member: Member, reporting: ImportReporting) -> None:
        run = self._run(job, member_region(member), member.timezone, reporting)
        self._tasks.spawn(run, name=_task_name(job))

    async def _run(
        self, job: ImportJob, region: str, timezone: str, reporting: ImportReporting
    ) -> None:
        try:
            upload = (
                await Upload.filter(id=job.upload_id)
                .only("id", "name", "compressed", "size", "rows")
                .first()
            )
            if upload is None:
                # Staged uploads expire (UPLOAD_TTL): the rows committed stay, and the report
                # asks for the file again.
                raise LookupError("the job's upload is gone")
            mapping = {int(index): Field(value) for index, value in (job.mapping or {}).items()}
            source = await self._source(upload, mapping, region, timezone)
            async with source:
                await self._importer.run(
                    job, source, progress=reporting.on_progress, describe=reporting.describe
                )
            await upload.delete()
        except UnreadableFile as error:
            await self._fail(job, error.problem.value)
        except Exception:
            log.exception("import failed", extra={"job_id": job.id})
            await self._fail(job, "internal")
        if job.rejected_csv:  # sealed in the database; the report's copy, in memory, is read
            job.rejected_csv = self._sealer.open_bytes(bytes(job.rejected_csv))
        await reporting.on_finish(job)

    async def _fail(self, job: ImportJob, problem: str) -> None:
        job.status = ImportStatus.FAILED
        job.problem = problem
        job.finished_at = self._clock()
        await job.save()

    async def _source(
        self, upload: Upload, mapping: dict[int, Field], region: str, timezone: str
    ) -> RowSource:
        """The import worker for a large file, this process for a small one."""
        content = self._sealer.open_bytes(await self._content(upload))
        in_worker = (upload.size or len(content)) >= self._worker_min_bytes
        read = ReadJob(
            name=upload.name,
            size=len(content),
            compressed=upload.compressed,
            mapping={index: field.value for index, field in mapping.items()},
            region=region,
            timezone=timezone,
            batch_rows=WORKER_BATCH_ROWS if in_worker else IN_PROCESS_BATCH_ROWS,
            max_bytes=self._max_file_bytes,
            known_rows=upload.rows,
            sealing_key=self._sealer.keys[0],
            lookup_key=self._sealer.keys[1],
        )
        return WorkerSource(read, content) if in_worker else InProcessSource(read, content)

    @staticmethod
    async def _content(upload: Upload) -> bytes:
        content = await Upload.filter(id=upload.id).first().values_list("content", flat=True)
        return bytes(content or b"")

    async def purge_stale_uploads(self) -> int:
        """Delete staged uploads nobody imported within UPLOAD_TTL."""
        return await Upload.filter(created_at__lte=self._clock() - UPLOAD_TTL).delete()


def _task_name(job: ImportJob) -> str:
    return f"import-{job.id}"
