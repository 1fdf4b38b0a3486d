"""From an uploaded file to an import job: stage, propose a mapping, run in the background."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from babel.core import get_global

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
# Where a member's timezone names no country (UTC), their language suggests one.
_LOCALE_REGIONS = {"en": "US", "es": "ES", "ru": "RU", "th": "TH", "ja": "JP"}

JobCallback = Callable[[ImportJob], Awaitable[None]]


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
        worker_min_bytes: int = WORKER_MIN_BYTES,
        max_file_bytes: int = MAX_FILE_BYTES,
    ) -> None:
        """`worker_min_bytes`: the file size from which the import worker reads the file;
        `max_file_bytes`: the upload limit (a benchmark lifts it, tests lower the first)."""
        self._clock = clock
        self._tasks = tasks
        self._importer = Importer(clock=clock)
        self._worker_min_bytes = worker_min_bytes
        self._max_file_bytes = max_file_bytes

    async def stage(self, member: Member, name: str, content: bytes) -> StagedFile:
        """Read the file's shape and keep it until the member confirms; UnreadableFile if not."""
        table = await asyncio.to_thread(open_table, name, content, max_bytes=self._max_file_bytes)
        preview = table.preview(PREVIEW_ROWS)
        upload = await Upload.create(
            id=uuid.uuid4(), member=member, name=name, content=content, created_at=self._clock()
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
            member=member, contact_list=contact_list, file_name=upload.name
        )
        run = self._run(
            job,
            upload,
            mapping,
            member_region(member),
            member.timezone,
            callbacks=(on_progress, on_finish),
            describe=describe,
        )
        self._tasks.spawn(run, name=f"import-{job.id}")
        return job

    async def _run(
        self,
        job: ImportJob,
        upload: Upload,
        mapping: dict[int, Field],
        region: str,
        timezone: str,
        *,
        callbacks: tuple[JobCallback, JobCallback],
        describe: Callable[[RowProblem], str],
    ) -> None:
        on_progress, on_finish = callbacks
        try:
            source = await self._source(upload, mapping, region, timezone)
            async with source:
                await self._importer.run(job, source, progress=on_progress, describe=describe)
            await upload.delete()
        except UnreadableFile as error:
            job.status = ImportStatus.FAILED
            job.problem = error.problem.value
        except Exception:
            log.exception("import failed", extra={"job_id": job.id})
            job.status = ImportStatus.FAILED
            job.problem = "internal"
        if job.status is ImportStatus.FAILED:
            job.finished_at = self._clock()
            await job.save()
        await on_finish(job)

    async def _source(
        self, upload: Upload, mapping: dict[int, Field], region: str, timezone: str
    ) -> RowSource:
        """The import worker for a large file, this process for a small one."""
        content = await self._content(upload)
        in_worker = len(content) >= self._worker_min_bytes
        read = ReadJob(
            name=upload.name,
            size=len(content),
            mapping={index: field.value for index, field in mapping.items()},
            region=region,
            timezone=timezone,
            batch_rows=WORKER_BATCH_ROWS if in_worker else IN_PROCESS_BATCH_ROWS,
            max_bytes=self._max_file_bytes,
        )
        return WorkerSource(read, content) if in_worker else InProcessSource(read, content)

    @staticmethod
    async def _content(upload: Upload) -> bytes:
        content = await Upload.filter(id=upload.id).first().values_list("content", flat=True)
        return bytes(content or b"")

    async def purge_stale_uploads(self) -> int:
        """Delete staged uploads nobody imported within UPLOAD_TTL."""
        return await Upload.filter(created_at__lte=self._clock() - UPLOAD_TTL).delete()
