"""What the bot sent, per chat, and the waiting primitives tests use to read it.

Waiting never polls: every change pulses a `Changes` signal and waiters re-check their
condition, bounded by a timeout.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TypeVar

from .records import Platform, SentMessage

T = TypeVar("T")


class Changes:
    """A broadcast "something changed" signal.

    Each `notify()` wakes every current waiter and arms a fresh event for the next round,
    so a waiter that checks its condition and then waits (with no await in between)
    cannot miss a change.
    """

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        """Wake everyone waiting now."""
        self._event.set()
        self._event = asyncio.Event()

    async def wait_for(self, probe: Callable[[], T | None], *, timeout: float) -> T:  # noqa: ASYNC109 - a bounded wait callers tune
        """The first non-None result of `probe()`; TimeoutError after `timeout` seconds."""
        async with asyncio.timeout(timeout):
            while (result := probe()) is None:
                await self._event.wait()
        return result


@dataclass(frozen=True)
class JournalEntry:
    """A message as it stood when it was sent or changed (`seq` orders all of them)."""

    seq: int
    platform: Platform
    message: SentMessage


class Journal:
    """Every send, edit and delete across platforms, numbered, for the console's cursor."""

    def __init__(self) -> None:
        self.entries: list[JournalEntry] = []

    @property
    def cursor(self) -> int:
        """The sequence number of the latest entry (0 when empty)."""
        return len(self.entries)

    def record(self, platform: Platform, message: SentMessage) -> None:
        """Note that `message` was sent or changed."""
        self.entries.append(JournalEntry(len(self.entries) + 1, platform, message))

    def since(self, cursor: int) -> list[JournalEntry]:
        """Entries after `cursor`, the latest entry per message only."""
        latest: dict[int, JournalEntry] = {}
        for entry in self.entries[max(cursor, 0) :]:
            latest[id(entry.message)] = entry
        return sorted(latest.values(), key=lambda entry: entry.seq)


class Inboxes:
    """The bot's messages per chat of one platform, with a read cursor per chat."""

    def __init__(self, platform: Platform, journal: Journal) -> None:
        self._platform = platform
        self._journal = journal
        self._chats: dict[Hashable, list[SentMessage]] = {}
        self._cursors: dict[Hashable, int] = {}
        self.changes = Changes()

    def add(self, message: SentMessage) -> None:
        """A new message arrived in its chat."""
        self._chats.setdefault(message.chat_id, []).append(message)
        self.changed(message)

    def changed(self, message: SentMessage) -> None:
        """`message` was edited or deleted in place."""
        self._journal.record(self._platform, message)
        self.changes.notify()

    def find(self, chat_id: Hashable, message_id: int | str) -> SentMessage | None:
        """The message with that id in that chat, if the bot sent one."""
        for message in self._chats.get(chat_id, ()):
            if message.message_id == message_id:
                return message
        return None

    def chats(self) -> list[Hashable]:
        """Chats the bot has sent anything to."""
        return list(self._chats)

    def inbox(self, chat_id: Hashable) -> list[SentMessage]:
        """What the user sees: the bot's messages in order, deleted ones left out."""
        return [message for message in self._chats.get(chat_id, ()) if not message.deleted]

    def all(self, chat_id: Hashable) -> list[SentMessage]:
        """Every message the bot sent to the chat, deleted ones included."""
        return list(self._chats.get(chat_id, ()))

    async def next_message(self, chat_id: Hashable, *, timeout: float) -> SentMessage:  # noqa: ASYNC109 - a bounded wait callers tune
        """The first message in the chat not yet returned here; TimeoutError if none comes."""

        def probe() -> SentMessage | None:
            messages = self._chats.get(chat_id, [])
            position = self._cursors.get(chat_id, 0)
            if position >= len(messages):
                return None
            self._cursors[chat_id] = position + 1
            return messages[position]

        return await self.changes.wait_for(probe, timeout=timeout)
