"""The import worker: reads a large import file in a process of its own, one batch ahead.

    python -m bot.import_worker    (started by bot.services.lists.sources.WorkerSource)

Reading a row (CSV, the mapping, phone validation, the number's timezone) costs about as much
CPU as storing it. In the importing process it would take turns with the database: Python
threads share one interpreter lock, which the SQLite driver's thread must take back after every
row. In a process of its own it runs on another core while the importer writes the batch before.

Protocol, over stdin and stdout, in frames (a 4-byte big-endian length, then a marshal of plain
tuples: both ends are the same interpreter, and marshal writes and reads a batch of 40,000 rows
three times as fast as pickle, which the importer would wait for):
- in: the ReadJob's fields (the data keys among them), then the file's bytes (job.size of
  them, zlib-compressed when job.compressed: the upload as stored);
- out: ("opened", columns, rows_total) once the whole file was read through without a problem,
  or ("unreadable", problem, detail, row) and nothing more; then ("batch", ReadBatch.as_tuple())
  per batch; then ("end",). ("failed", what) when the worker itself broke (what: the
  exception's type and where, never its message, which may quote the file).
The pipe bounds memory: the worker blocks on a full pipe until the importer reads.

It lives outside bot.services on purpose. Importing any module under bot.services first runs
bot/services/__init__.py, which wires every service (chat SDKs, the ORM: about 200 MB and
seconds); the worker imports the reading modules without it (see _without_package_init).
"""

from __future__ import annotations

import importlib.util
import marshal
import struct
import sys
import zlib
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any, BinaryIO

from bot.logs import error_place

FRAME_HEADER = struct.Struct("!I")


@dataclass(frozen=True, slots=True)
class ReadJob:
    """What to read and how: the file, its mapping, the member's region and timezone."""

    name: str
    size: int  # bytes that follow the job on stdin
    compressed: bool  # those bytes are zlib-compressed
    mapping: dict[int, str]  # column index -> Field value
    region: str
    timezone: str
    batch_rows: int
    max_bytes: int  # the upload limit the file was accepted under
    known_rows: int | None  # from staging's read-through of the same bytes (open_table)
    # The installation's sealing and lookup keys (bot/crypto.py): the worker seals the numbers
    # and names it reads, so they never cross the pipe or reach the database in the clear.
    # Over stdin, never argv or the environment, which other local users may read.
    sealing_key: bytes
    lookup_key: bytes


def frame(message: tuple[Any, ...]) -> bytes:
    """One message (a tuple of tuples, lists, strings, numbers and None), framed for the pipe."""
    payload = marshal.dumps(message)
    return FRAME_HEADER.pack(len(payload)) + payload


def job_frame(job: ReadJob) -> bytes:
    """The job, framed for the worker's stdin."""
    return frame(tuple(asdict(job).items()))


def _read_job(stream: BinaryIO) -> ReadJob:
    (size,) = FRAME_HEADER.unpack(stream.read(FRAME_HEADER.size))
    return ReadJob(**dict(marshal.loads(stream.read(size))))  # noqa: S302 - from our parent


def _without_package_init(*packages: str) -> None:
    """Make each package importable as a bare namespace: its submodules load from its folder,
    its __init__ never runs. Only for this process, which needs nothing the __init__s wire."""
    for name in packages:
        spec = importlib.util.find_spec(name)
        if spec is not None and name not in sys.modules:
            sys.modules[name] = importlib.util.module_from_spec(spec)


def main() -> int:
    """Read the job from stdin, write the batches to stdout; the exit status says if it broke."""
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not break the frames
    try:
        job = _read_job(sys.stdin.buffer)
        content = sys.stdin.buffer.read(job.size)  # one allocation of the known size
        if job.compressed:
            content = zlib.decompress(content)
        for message in _messages(job, content):
            out.write(frame(message))
            out.flush()
    except BrokenPipeError:
        return 1  # the importer is gone (cancelled): nobody to tell
    except Exception as error:  # noqa: BLE001 - reported to the importer, which logs it
        out.write(frame(("failed", error_place(error))))
        out.flush()
        return 1
    return 0


def _messages(job: ReadJob, content: bytes) -> Iterator[tuple[Any, ...]]:
    # Imported only now, with the package __init__s skipped: see the module's docstring.
    _without_package_init("bot.services", "bot.services.lists")
    from bot.crypto import Sealer
    from bot.services.imports.readers import UnreadableFile, open_table
    from bot.services.lists.reading import BatchReader

    try:
        table = open_table(job.name, content, max_bytes=job.max_bytes, known_rows=job.known_rows)
        total = table.count_rows()
    except UnreadableFile as error:
        yield ("unreadable", error.problem.value, error.detail, error.row)
        return
    columns = list(table.columns)
    yield ("opened", columns, total)
    sealer = Sealer(sealing_key=job.sealing_key, lookup_key=job.lookup_key)
    for batch in BatchReader.for_job(job, columns, sealer).batches(table.rows()):
        yield ("batch", batch.as_tuple())
    yield ("end",)


if __name__ == "__main__":
    sys.exit(main())
