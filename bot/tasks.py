"""Background work started by web requests, kept track of so shutdown can wait for it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger(__name__)


class BackgroundTasks:
    """Webhooks answer at once and process afterwards; this holds those tasks.

    asyncio keeps only weak references to tasks, so an untracked task can be collected
    mid-flight; the set keeps each alive until it finishes.
    """

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()
        self._no_wait: set[asyncio.Task[None]] = set()

    def spawn(
        self, work: Coroutine[Any, Any, None], *, name: str, wait_on_close: bool = True
    ) -> None:
        """Run `work` in the background; a failure is logged, never lost silently.

        `wait_on_close=False` for work that only watches (a progress reporter polling a
        paused campaign): shutdown cancels it at once instead of waiting out its grace.
        """
        task = asyncio.create_task(self._guard(work, name), name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        if not wait_on_close:
            self._no_wait.add(task)
            task.add_done_callback(self._no_wait.discard)

    def running(self, name: str) -> bool:
        """Whether a task of that name is still running here."""
        return any(task.get_name() == name for task in self._tasks)

    @staticmethod
    async def _guard(work: Coroutine[Any, Any, None], name: str) -> None:
        try:
            await work
        except Exception:
            log.exception("background task failed", extra={"task": name})

    async def drain(self, *, grace: float) -> None:
        """Wait for running tasks to finish, up to `grace` seconds, then cancel the rest."""
        for task in self._no_wait:
            task.cancel()
        if not self._tasks:
            return
        _, pending = await asyncio.wait(set(self._tasks), timeout=grace)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    def __len__(self) -> int:
        return len(self._tasks)
