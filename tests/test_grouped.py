"""Calls written in groups: each caller gets its own item's result, or its group's error."""

from __future__ import annotations

import asyncio

import pytest

from bot.grouped import Grouped


class _Writer:
    """Doubles each item, remembering the groups it was given; fails a group holding `bad`."""

    def __init__(self, bad: int | None = None) -> None:
        self.groups: list[list[int]] = []
        self._bad = bad

    async def __call__(self, items: list[int]) -> list[int]:
        self.groups.append(items)
        await asyncio.sleep(0)  # a write takes a moment, as the database's does
        if self._bad in items:
            raise ValueError("unlucky")
        return [item * 2 for item in items]


async def test_a_lone_call_is_written_at_once_and_a_crowd_in_groups() -> None:
    writer = _Writer()
    grouped = Grouped(writer, name="test", size=100)
    assert await grouped(1) == 2
    assert writer.groups == [[1]]

    results = await asyncio.gather(*(grouped(item) for item in range(250)))
    assert results == [item * 2 for item in range(250)]
    assert sorted(item for group in writer.groups[1:] for item in group) == list(range(250))
    assert all(len(group) <= 100 for group in writer.groups)
    assert len(writer.groups) - 1 == 3  # 100, 100, 50: every call waiting is in a group


async def test_a_failed_group_fails_its_callers_only() -> None:
    writer = _Writer(bad=13)
    grouped = Grouped(writer, name="test", size=10)
    results = await asyncio.gather(*(grouped(item) for item in range(30)), return_exceptions=True)
    failed = [
        item
        for item, result in zip(range(30), results, strict=True)
        if isinstance(result, ValueError)
    ]
    assert failed == list(range(10, 20)), "the group holding 13, and no other"
    assert [results[item] for item in (*range(10), *range(20, 30))] == [
        item * 2 for item in (*range(10), *range(20, 30))
    ]


async def test_a_writer_answering_for_the_wrong_number_of_items_fails_the_group() -> None:
    async def short(items: list[int]) -> list[int]:
        return items[1:]

    grouped = Grouped(short, name="short")
    with pytest.raises(RuntimeError, match="short: 0 results, 1 items"):
        await grouped(1)


async def test_a_caller_that_gives_up_leaves_the_others_their_results() -> None:
    writer = _Writer()
    grouped = Grouped(writer, name="test")
    impatient = asyncio.create_task(grouped(1))
    patient = asyncio.create_task(grouped(2))
    await asyncio.sleep(0)
    impatient.cancel()
    assert await patient == 4
    assert impatient.cancelled()
