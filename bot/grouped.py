"""Calls written in groups: those that arrive while one group is being written go in the next.

A burst of webhooks then costs the database a statement and a commit per group, not per event
(SQLite serves a whole process from one connection; PostgreSQL waits for its WAL at each
commit). A call alone is written at once: nothing waits for a group to fill.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

# Items per group: the writers bind a few parameters each, far under every driver's limit
# (SQLite 32,766).
GROUP_SIZE = 1_000


class Grouped(Generic[Item, Result]):
    """`await grouped(item)` returns the result `write` gave that item.

    `write` takes the items of a group in their order of arrival and returns one result per
    item, in the same order. When it raises, every caller of that group gets the error, as if
    alone; the groups after it are still written.
    """

    def __init__(
        self,
        write: Callable[[list[Item]], Awaitable[Sequence[Result]]],
        *,
        name: str,
        size: int = GROUP_SIZE,
    ) -> None:
        self._write = write
        self._name = name
        self._size = size
        self._waiting: list[tuple[Item, asyncio.Future[Result]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def __call__(self, item: Item) -> Result:
        answer = asyncio.get_running_loop().create_future()
        self._waiting.append((item, answer))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_groups(), name=self._name)
        return await answer

    async def _write_groups(self) -> None:
        """Write what waits, group after group, until nothing does."""
        while self._waiting:
            group, self._waiting = self._waiting[: self._size], self._waiting[self._size :]
            try:
                results = await self._write([item for item, _ in group])
                if len(results) != len(group):
                    raise RuntimeError(f"{self._name}: {len(results)} results, {len(group)} items")
            except Exception as error:  # noqa: BLE001 - each caller gets it, as if alone
                for _, answer in group:
                    if not answer.done():
                        answer.set_exception(error)
                continue
            for (_, answer), result in zip(group, results, strict=True):
                if not answer.done():  # a caller that gave up (cancelled) is not told
                    answer.set_result(result)
