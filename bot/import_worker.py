"""The import worker: reads a large import file in a process of its own, one batch ahead.

    python -m bot.import_worker    (started by bot.services.lists.sources.WorkerSource)

Reading a row (CSV, the mapping, phone validation, the number's timezone) costs more CPU than
storing it. In the importing process it would take turns with the database: Python threads
share one interpreter lock, which the SQLite driver's thread must take back after every row.
In a process of its own it runs on another core while the importer writes the batch before.

Protocol, over stdin and stdout, in frames (a 4-byte big-endian length, then a pickle):
- in: the ReadJob, then the file's bytes (job.size of them, raw);
- out: ("opened", columns, rows_total) once the whole file was read through without a problem,
  or ("unreadable", problem, detail, row) and nothing more; then ("batch", ReadBatch) per batch;
  then ("end",). ("failed", what) when the worker itself broke (what: the exception's type and
  where, never its message, which may quote the file).
The pipe bounds memory: the worker blocks on a full pipe until the importer reads.

It lives outside bot.services on purpose. Importing any module under bot.services first runs
bot/services/__init__.py, which wires every service (chat SDKs, the ORM: about 200 MB and
seconds); the worker imports the reading modules without it (see _without_package_init).
"""

from __future__ import annotations

import importlib.util
import pickle
import struct
import sys
import traceback
from dataclasses import dataclass
from typing import Any, BinaryIO

FRAME_HEADER = struct.Struct("!I")


@dataclass(frozen=True, slots=True)
class ReadJob:
    """What to read and how: the file, its mapping, the member's region and timezone."""

    name: str
    size: int
    mapping: dict[int, str]  # column index -> Field value
    region: str
    timezone: str
    batch_rows: int
    max_bytes: int  # the upload limit the file was accepted under


def frame(message: Any) -> bytes:
    """One message, framed for the pipe."""
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return FRAME_HEADER.pack(len(payload)) + payload


def _read_frame(stream: BinaryIO) -> Any:
    (size,) = FRAME_HEADER.unpack(stream.read(FRAME_HEADER.size))
    return pickle.loads(stream.read(size))  # noqa: S301 - written by our own parent process


def _without_package_init(*packages: str) -> None:
    """Make each package importable as a bare namespace: its submodules load from its folder,
    its __init__ never runs. Only for this process, which needs nothing the __init__s wire."""
    for name in packages:
        spec = importlib.util.find_spec(name)
        if spec is not None and name not in sys.modules:
            sys.modules[name] = importlib.util.module_from_spec(spec)


def _where(error: BaseException) -> str:
    last = traceback.extract_tb(error.__traceback__)[-1:]
    place = f" at {last[0].filename}:{last[0].lineno}" if last else ""
    return f"{type(error).__name__}{place}"


def main() -> int:
    """Read the job from stdin, write the batches to stdout; the exit status says if it broke."""
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not break the frames
    try:
        job: ReadJob = _read_frame(sys.stdin.buffer)
        content = sys.stdin.buffer.read(job.size)  # one allocation of the known size
        for message in _messages(job, content):
            out.write(frame(message))
            out.flush()
    except BrokenPipeError:
        return 1  # the importer is gone (cancelled): nobody to tell
    except Exception as error:  # noqa: BLE001 - reported to the importer, which logs it
        out.write(frame(("failed", _where(error))))
        out.flush()
        return 1
    return 0


def _messages(job: ReadJob, content: bytes) -> Any:
    _without_package_init("bot.services", "bot.services.lists")
    from bot.services.imports.mapping import Field
    from bot.services.imports.phones import PhoneNormalizer
    from bot.services.imports.readers import UnreadableFile, open_table
    from bot.services.lists.reading import BatchReader
    from bot.services.lists.rows import RowReader

    try:
        table = open_table(job.name, content, max_bytes=job.max_bytes)
        total = table.count_rows()
    except UnreadableFile as error:
        yield ("unreadable", error.problem.value, error.detail, error.row)
        return
    columns = list(table.columns)
    yield ("opened", columns, total)
    mapping = {index: Field(value) for index, value in job.mapping.items()}
    normalizer = PhoneNormalizer(job.region)
    reader = RowReader(mapping, columns, normalizer, home=(job.region, job.timezone))
    for batch in BatchReader(reader, size=job.batch_rows).batches(table.rows()):
        yield ("batch", batch)
    yield ("end",)


if __name__ == "__main__":
    sys.exit(main())
