"""From an uploaded file to an import job: stage, propose a mapping, run in the background."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from babel.core import get_global

from bot.services.clock import Clock
from bot.services.imports.mapping import Field, propose_mapping
from bot.services.imports.phones import PhoneNormalizer
from bot.services.imports.readers import Table, UnreadableFile, open_table
from bot.services.lists.importer import Importer
from bot.services.lists.rows import RowProblem, RowReader
from bot.tasks import BackgroundTasks
from models import ContactList, ImportJob, ImportStatus, Member, Upload

log = logging.getLogger(__name__)

PREVIEW_ROWS = 3
UPLOAD_TTL = timedelta(days=1)
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

    def __init__(self, *, clock: Clock, tasks: BackgroundTasks) -> None:
        self._clock = clock
        self._tasks = tasks
        self._importer = Importer(clock=clock)

    async def stage(self, member: Member, name: str, content: bytes) -> StagedFile:
        """Read the file's shape and keep it until the member confirms; UnreadableFile if not."""
        table = await asyncio.to_thread(open_table, name, content)
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
        upload = await Upload.filter(id=upload_id, member=member).first()
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
            table: Table = open_table(upload.name, bytes(upload.content))
            reader = RowReader(
                mapping, list(table.columns), PhoneNormalizer(region), home=(region, timezone)
            )
            await self._importer.run(job, table, reader, progress=on_progress, describe=describe)
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

    async def purge_stale_uploads(self) -> int:
        """Delete staged uploads nobody imported within UPLOAD_TTL."""
        return await Upload.filter(created_at__lte=self._clock() - UPLOAD_TTL).delete()
