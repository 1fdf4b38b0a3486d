"""Where an import's batches come from: read here, or by the import worker process.

Both sources read the whole file before the first batch (`open`), so a file that breaks
half-way is refused before anything is written, and then give the same batches in the same
order, so the report is the same whichever read the file.
- InProcessSource reads in this process, batch by batch, between the writes: for small files,
  which a process start (about a second of CPU) would only slow down.
- WorkerSource has bot/import_worker.py read in a process of its own, on another core, while
  this one writes; the batches it has read ahead wait in the pipe (bounded: it blocks when the
  pipe is full).
"""

from __future__ import annotations

import asyncio
import marshal
import sys
import zlib
from collections.abc import AsyncIterator
from types import TracebackType
from typing import Any, Protocol

import bot
from bot.crypto import Sealer
from bot.import_worker import FRAME_HEADER, ReadJob, job_frame
from bot.services.imports.readers import ImportProblem, Table, UnreadableFile, open_table
from bot.services.lists.reading import BatchReader, ReadBatch

# What the importer may hold of the worker's output before it blocks: a few batches.
_READ_AHEAD_BYTES = 2 * 2**20
_SEND_CHUNK = 2**20


class ImportWorkerError(RuntimeError):
    """The import worker broke (a bug, or it was killed): the import fails as on any bug."""


class RowSource(Protocol):
    """An import file's rows as checked batches, for the importer."""

    columns: list[str]

    async def open(self) -> int:
        """Read the file through; its row count. Raises UnreadableFile."""
        ...

    def batches(self) -> AsyncIterator[ReadBatch]:
        """The batches, in file order."""
        ...

    async def __aenter__(self) -> RowSource: ...

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class InProcessSource:
    """Reads in this process: each batch between the writes of the one before and after."""

    def __init__(self, job: ReadJob, content: bytes) -> None:
        self.columns: list[str] = []
        self._job = job
        self._content = content
        self._table: Table | None = None
        self._sealer = Sealer(sealing_key=job.sealing_key, lookup_key=job.lookup_key)

    async def open(self) -> int:
        """Read the file through in a thread (pure CPU); its row count."""
        job = self._job
        if job.compressed:
            self._content = await asyncio.to_thread(zlib.decompress, self._content)
        table = await asyncio.to_thread(
            open_table,
            job.name,
            self._content,
            max_bytes=job.max_bytes,
            known_rows=job.known_rows,
        )
        total = await asyncio.to_thread(table.count_rows)
        self.columns = list(table.columns)
        self._table = table
        return total

    async def batches(self) -> AsyncIterator[ReadBatch]:
        """The batches, read as they are asked for."""
        if self._table is None:
            raise RuntimeError("open() first")
        for batch in BatchReader.for_job(self._job, self.columns, self._sealer).batches(
            self._table.rows()
        ):
            yield batch
            del batch  # not held while the next is read (see Importer.run)

    async def __aenter__(self) -> InProcessSource:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._table = None


class WorkerSource:
    """Reads in the import worker process (bot/import_worker.py), one batch ahead or more."""

    def __init__(self, job: ReadJob, content: bytes) -> None:
        self.columns: list[str] = []
        self._job = job
        self._content: bytes | None = content
        self._process: asyncio.subprocess.Process | None = None
        self._ended = False

    async def __aenter__(self) -> WorkerSource:
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.import_worker",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            cwd=bot.CODE_ROOT,
            limit=_READ_AHEAD_BYTES,
        )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        """Wait for the worker to exit; stop it first if it has more to send (the import
        failed or was cancelled)."""
        process, self._process = self._process, None
        if process is None:
            return
        if not self._ended and process.returncode is None:
            process.kill()
        await process.wait()

    async def open(self) -> int:
        """Hand the file to the worker; its row count once the worker read it through."""
        await self._send()
        message = await self._receive()
        match message:
            case ("opened", columns, total):
                self.columns = columns
                return int(total)
            case ("unreadable", problem, detail, row):
                raise UnreadableFile(ImportProblem(problem), detail, row=row)
        raise self._broken(message)

    async def batches(self) -> AsyncIterator[ReadBatch]:
        """The batches, as the worker sends them."""
        while True:
            message = await self._receive()
            match message:
                case ("batch", values):
                    batch = ReadBatch.from_tuple(values)
                    # Nothing here holds this batch while the next is received (see
                    # Importer.run): it would double the peak memory of a large import.
                    del message, values
                    yield batch
                    del batch
                case ("end",):
                    self._ended = True
                    return
                case _:
                    raise self._broken(message)

    async def _send(self) -> None:
        stdin = self._running().stdin
        content, self._content = self._content, None  # the worker's copy is the one read
        if stdin is None or content is None:
            raise RuntimeError("open() twice")
        try:
            stdin.write(job_frame(self._job))
            view = memoryview(content)
            for start in range(0, len(view), _SEND_CHUNK):
                stdin.write(view[start : start + _SEND_CHUNK])
                await stdin.drain()  # the pipe holds 64 KiB: no second copy of the file here
            stdin.close()
        except (BrokenPipeError, ConnectionResetError) as error:
            raise ImportWorkerError("the worker exited before reading the file") from error

    async def _receive(self) -> Any:
        stdout = self._running().stdout
        if stdout is None:
            raise RuntimeError("no pipe from the worker")
        try:
            (size,) = FRAME_HEADER.unpack(await stdout.readexactly(FRAME_HEADER.size))
            payload = await stdout.readexactly(size)
        except asyncio.IncompleteReadError as error:
            status = await self._running().wait()
            raise ImportWorkerError(f"the worker exited with status {status}") from error
        return marshal.loads(payload)  # noqa: S302 - from our own worker, same interpreter

    def _running(self) -> asyncio.subprocess.Process:
        if self._process is None:
            raise RuntimeError("use the source as an async context manager")
        return self._process

    @staticmethod
    def _broken(message: Any) -> ImportWorkerError:
        if isinstance(message, tuple) and message[:1] == ("failed",):
            return ImportWorkerError(f"the worker failed: {message[1]}")
        kind = message[0] if isinstance(message, tuple) and message else type(message).__name__
        return ImportWorkerError(f"unexpected message from the worker: {kind!s:.40}")
