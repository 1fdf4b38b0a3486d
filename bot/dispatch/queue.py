"""The work queue: ranges of one campaign's deliveries ("chunks") waiting for a worker.

A chunk says where to look, not what to send: the delivery rows are the truth, claimed with a
conditional UPDATE, so a chunk handled twice (re-queued by a sweep, reclaimed from a worker
presumed dead) never sends a delivery twice.

With Redis, a stream with one consumer group (Redis streams, built into Redis 5+: no extra
service or library). A worker reads a chunk with XREADGROUP; it stays in the group's
pending list until the worker acknowledges it, and a worker that dies leaves it there for
another to take over with XAUTOCLAIM once it has been idle long enough. A working worker
touches its chunk at every claim, so a long chunk is never taken from a live worker.
Without Redis, an asyncio queue in the one process.
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import ResponseError

STREAM = "broadside:chunks"
GROUP = "workers"


@dataclass(frozen=True, slots=True)
class Chunk:
    """Deliveries `first_id`..`last_id` (inclusive) of one campaign."""

    campaign_id: int
    first_id: int
    last_id: int


@dataclass(frozen=True, slots=True)
class Lease:
    """A chunk taken by this worker until it is acknowledged."""

    chunk: Chunk
    token: str | None = None


class WorkQueue(Protocol):
    """Where launches put chunks and workers take them."""

    async def put(self, chunks: Iterable[Chunk]) -> None:
        """Queue chunks for any worker."""
        ...

    async def take(self, block: float) -> Lease | None:
        """The next chunk, waiting up to `block` seconds; None when there is none."""
        ...

    async def touch(self, lease: Lease) -> None:
        """Say this worker is still on the chunk."""
        ...

    async def ack(self, lease: Lease) -> None:
        """The chunk is done (or its campaign stopped): nobody needs to take it again."""
        ...

    async def release(self, lease: Lease) -> None:
        """This worker gave up on the chunk (an error): someone else must take it later."""
        ...

    async def idle(self) -> bool:
        """Nothing queued and nothing taken, anywhere: work still pending in the database
        was lost from the queue (a restart) and must be queued again."""
        ...


class MemoryQueue:
    """One process: an asyncio queue. A crash loses it, and the start-up sweep refills it."""

    def __init__(self) -> None:
        self._queue: asyncio.Queue[Chunk] = asyncio.Queue()
        self._taken = 0

    async def put(self, chunks: Iterable[Chunk]) -> None:
        for chunk in chunks:
            self._queue.put_nowait(chunk)

    async def take(self, block: float) -> Lease | None:
        try:
            chunk = await asyncio.wait_for(self._queue.get(), block)
        except TimeoutError:
            return None
        self._taken += 1
        return Lease(chunk)

    async def touch(self, lease: Lease) -> None:
        return None

    async def ack(self, lease: Lease) -> None:
        self._taken -= 1

    async def release(self, lease: Lease) -> None:
        # The sweep finds the chunk's deliveries still pending and queues them again.
        self._taken -= 1

    async def idle(self) -> bool:
        return self._queue.empty() and self._taken == 0


class RedisStreamQueue:
    """Many processes on many machines: a Redis stream with a consumer group."""

    def __init__(
        self, redis: Redis, *, reclaim_after: float = 30.0, consumer: str | None = None
    ) -> None:
        """`reclaim_after`: seconds a chunk may go untouched before it counts as a dead
        worker's (workers touch theirs at every claim, a few times per second)."""
        self._redis = redis
        self._idle_ms = int(reclaim_after * 1000)
        self._consumer = consumer or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._ready = False

    async def _ensure_group(self) -> None:
        if self._ready:
            return
        try:
            await self._redis.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
        except ResponseError as error:
            if "BUSYGROUP" not in str(error):  # another worker made it first
                raise
        self._ready = True

    async def put(self, chunks: Iterable[Chunk]) -> None:
        await self._ensure_group()
        async with self._redis.pipeline(transaction=False) as pipe:
            for chunk in chunks:
                pipe.xadd(
                    STREAM,
                    {"c": chunk.campaign_id, "a": chunk.first_id, "b": chunk.last_id},
                )
            await pipe.execute()

    def _lost_group(self, error: ResponseError) -> bool:
        """Whether Redis answered NOGROUP: it restarted (it keeps nothing on disk here) and
        the stream and its group are gone. The group is made again at the next call; the
        chunks it held are queued again by the sweep, which finds the stream empty."""
        if "NOGROUP" not in str(error):
            return False
        self._ready = False
        return True

    async def take(self, block: float) -> Lease | None:
        await self._ensure_group()
        try:
            # A dead worker's chunk first: its campaign has waited longest.
            _, claimed, *_ = await self._redis.xautoclaim(
                STREAM, GROUP, self._consumer, min_idle_time=self._idle_ms, start_id="0-0", count=1
            )
            if claimed:
                return _lease(*claimed[0])
            answer = await self._redis.xreadgroup(
                GROUP, self._consumer, {STREAM: ">"}, count=1, block=max(1, int(block * 1000))
            )
        except ResponseError as error:
            if self._lost_group(error):
                return None
            raise
        if not answer:
            return None
        _, entries = answer[0]
        return _lease(*entries[0]) if entries else None

    async def touch(self, lease: Lease) -> None:
        if lease.token is None:
            return
        try:
            await self._redis.xclaim(
                STREAM,
                GROUP,
                self._consumer,
                min_idle_time=0,
                message_ids=[lease.token],
                justid=True,
            )
        except ResponseError as error:
            # The lease went with a restarted Redis: nobody else can take this chunk from
            # us, so the work goes on (a copy queued again by the sweep claims nothing twice).
            if not self._lost_group(error):
                raise

    async def ack(self, lease: Lease) -> None:
        if lease.token is None:
            return
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.xack(STREAM, GROUP, lease.token)
                pipe.xdel(STREAM, lease.token)
                await pipe.execute()
        except ResponseError as error:
            if not self._lost_group(error):  # lost with a restart: nothing left to ack
                raise

    async def release(self, lease: Lease) -> None:
        # Left unacknowledged: once idle long enough, another worker's XAUTOCLAIM takes it.
        return None

    async def idle(self) -> bool:
        # Acknowledged entries are deleted, so the length counts queued and taken ones; a
        # Redis restart (it keeps nothing on disk here) empties it.
        await self._ensure_group()
        return await self._redis.xlen(STREAM) == 0


def _lease(entry_id: bytes | str, fields: dict) -> Lease:
    def number(key: str) -> int:
        return int(fields.get(key.encode(), fields.get(key)))

    token = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
    return Lease(Chunk(number("c"), number("a"), number("b")), token)
