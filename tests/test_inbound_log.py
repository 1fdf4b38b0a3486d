"""The webhook event log: each key is first once, however the calls crowd in, and a burst
is written in a few statements rather than one per event."""

from __future__ import annotations

import asyncio

from models import InboundEvent
from tests.support.harness import Harness


async def test_each_key_is_first_once_among_concurrent_calls_and_redeliveries(
    harness: Harness,
) -> None:
    log = harness.app.services.inbound
    assert await log.first_time("whatsapp:msg:earlier")
    # A burst: 300 new events, each delivered twice, and a redelivery of the earlier one, all
    # at once (as a platform retries while the first delivery is still being answered).
    keys = [f"whatsapp:msg:{number}" for number in range(300)]
    calls = [*keys, *reversed(keys), "whatsapp:msg:earlier"]
    answers = await asyncio.gather(*(log.first_time(key) for key in calls))
    firsts = [key for key, first in zip(calls, answers, strict=True) if first]
    assert sorted(firsts) == sorted(keys), "every new key once, the earlier one never"
    assert await InboundEvent.all().count() == 301


async def test_a_burst_is_written_in_groups(harness: Harness) -> None:
    log = harness.app.services.inbound
    statements = 0
    insert = log._insert

    async def counted(keys: list[str]) -> set[str]:
        nonlocal statements
        statements += 1
        return await insert(keys)

    log._insert = counted  # type: ignore[method-assign]
    answers = await asyncio.gather(*(log.first_time(f"line:{number}") for number in range(500)))
    assert all(answers)
    # The first key goes alone (nothing waits for a group to fill); the others arrive while
    # it is written and go together.
    assert statements <= 3, statements
    assert await log.first_time("line:alone")
    assert statements <= 4
