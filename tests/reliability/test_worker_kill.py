"""A worker process killed with SIGKILL mid-campaign, then started again: nothing is lost and
nothing reaches anyone twice, except the few deliveries reported ambiguous.

Real processes: `run_bot.py worker` against the sandbox (served by this test) and the test's
database (SQLite file embedded, PostgreSQL + Redis in the other configuration).
"""

from __future__ import annotations

import asyncio
import sys
from collections import Counter
from pathlib import Path

from bot.services.campaigns.service import Draft
from models import (
    Campaign,
    CampaignStatus,
    Channel,
    ConsentSource,
    Contact,
    ContactList,
    Delivery,
    DeliveryStatus,
    ListMembership,
    Member,
    MemberStatus,
)
from tests.support.harness import Harness

ROOT = Path(__file__).resolve().parent.parent.parent
TELEGRAM_RECIPIENTS = 1500
LINE_RECIPIENTS = 300
WINDOW, CONCURRENCY = 50, 2  # the killed worker's in-flight window: WINDOW x CONCURRENCY


async def _worker(harness: Harness) -> asyncio.subprocess.Process:
    settings = harness.app.settings
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": settings.DATABASE_URL,
        **harness.sandbox.bot_environment(harness.sandbox_url),
        # Slow enough that the kill lands mid-campaign, fast enough for a test.
        "TELEGRAM_RATE_LIMIT": "300",
        "DISPATCH_WINDOW": str(WINDOW),
        "DISPATCH_CONCURRENCY": str(CONCURRENCY),
        "DISPATCH_RECLAIM_SECONDS": "1",
        "LOG_LEVEL": "WARNING",
    }
    if settings.REDIS_URL:
        env["REDIS_URL"] = settings.REDIS_URL
    return await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "run_bot.py"),
        "worker",
        env=env,
        cwd=ROOT,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


def _sends(harness: Harness) -> int:
    return sum(1 for call in harness.sandbox.calls if call.method == "sendMessage")


async def _audience(harness: Harness, member: Member) -> tuple[ContactList, list[str]]:
    now = harness.clock()
    contact_list = await ContactList.create(member=member, name="All", opt_in_token="kill")
    line_users = [
        harness.sandbox.line.add_user(harness.sandbox.line.new_user_id())
        for _ in range(LINE_RECIPIENTS)
    ]
    rows = [{"telegram_id": 500_000 + number} for number in range(TELEGRAM_RECIPIENTS)]
    rows += [{"line_id": user} for user in line_users]
    for number in range(TELEGRAM_RECIPIENTS):
        harness.sandbox.telegram.add_user(500_000 + number)
    await Contact.bulk_create(
        [
            Contact(
                member=member,
                consent_source=ConsentSource.FILE_IMPORT,
                consent_at=now,
                consent_by="member:1",
                created_at=now,
                **row,
            )
            for row in rows
        ]
    )
    ids = [contact.id for contact in await Contact.filter(member=member).only("id")]
    await ListMembership.bulk_create(
        [ListMembership(contact_list=contact_list, contact_id=cid, added_at=now) for cid in ids]
    )
    assert len(ids) == len(rows)
    return contact_list, line_users


async def test_a_killed_worker_loses_nothing_and_sends_nothing_twice(harness: Harness) -> None:
    member = await Member.create(status=MemberStatus.ACTIVE)
    contact_list, line_users = await _audience(harness, member)
    campaigns = harness.app.services.campaigns
    draft = Draft(
        name="Kill",
        list_ids=[contact_list.id],
        text="Only once",
        channels=[Channel.LINE, Channel.TELEGRAM],
    )
    campaign = await campaigns.launch(await campaigns.save(member, draft))
    await harness.app.tasks.drain(grace=30)  # the audience is written (and queued, with Redis)

    # At scale two workers share the campaign (and one takes over the killed one's chunks);
    # embedded, one worker and a restart.
    victim = await _worker(harness)
    others = [await _worker(harness)] if harness.app.settings.REDIS_URL else []
    try:
        async with asyncio.timeout(60):
            while _sends(harness) < TELEGRAM_RECIPIENTS // 4:  # noqa: ASYNC110 - polled
                await asyncio.sleep(0.01)
        victim.kill()
        await victim.wait()
        assert _sends(harness) < TELEGRAM_RECIPIENTS, "the kill came after the campaign"
        others.append(await _worker(harness))
        async with asyncio.timeout(90):
            while (await Campaign.get(id=campaign.id)).status is not CampaignStatus.FINISHED:  # noqa: ASYNC110
                await asyncio.sleep(0.1)
    finally:
        for process in (victim, *others):
            if process.returncode is None:
                process.terminate()
            await process.wait()

    statuses = Counter(
        DeliveryStatus(status)
        for status in await Delivery.filter(campaign_id=campaign.id).values_list(
            "status", flat=True
        )
    )
    ambiguous = statuses[DeliveryStatus.AMBIGUOUS]
    assert set(statuses) <= {DeliveryStatus.SENT, DeliveryStatus.AMBIGUOUS}
    assert ambiguous <= WINDOW * CONCURRENCY
    received = Counter(
        len(harness.sandbox.telegram.inbox(500_000 + number))
        for number in range(TELEGRAM_RECIPIENTS)
    )
    assert set(received) <= {0, 1}, "nobody gets the campaign twice"
    # Everyone got it, except ambiguous ones whose send never reached the platform.
    assert received[1] >= TELEGRAM_RECIPIENTS - ambiguous
    line_received = Counter(len(harness.sandbox.line.inbox(user)) for user in line_users)
    assert set(line_received) <= {0, 1}, "LINE: nobody twice either"
    assert line_received[1] >= LINE_RECIPIENTS - ambiguous
