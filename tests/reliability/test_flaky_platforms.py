"""Platforms answering 429, 5xx and dropped connections at random: every delivery still ends
sent, failed with a reason, or ambiguous (counted, never repeated); nobody gets two messages;
after a 429 the channel waits instead of asking again at once."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

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

RECIPIENTS = 120
FIRST_CHAT = 700_000


async def _campaign(harness: Harness) -> Campaign:
    member = await Member.create(status=MemberStatus.ACTIVE)
    now = harness.clock()
    contact_list = await ContactList.create(member=member, name="All", opt_in_token="flaky")
    for number in range(RECIPIENTS):
        harness.sandbox.telegram.add_user(FIRST_CHAT + number)
        contact = await Contact.create(
            member=member,
            telegram_id=FIRST_CHAT + number,
            consent_source=ConsentSource.FILE_IMPORT,
            consent_at=now,
            consent_by="member:1",
        )
        await ListMembership.create(contact_list=contact_list, contact=contact)
    campaigns = harness.app.services.campaigns
    draft = Draft(name="Flaky", list_ids=[contact_list.id], text="Hi", channels=[Channel.TELEGRAM])
    return await campaigns.launch(await campaigns.save(member, draft))


async def test_random_faults_end_every_delivery_once(harness: Harness, worker: None) -> None:
    faults = harness.sandbox.faults
    faults.rate_limit("telegram", match="sendMessage", probability=0.03, retry_after=1)
    faults.server_error("telegram", match="sendMessage", probability=0.05, status=502)
    faults.timeout("telegram", match="sendMessage", probability=0.03, hold=0.2)
    campaign = await _campaign(harness)

    # The sweep is what brings backed-off deliveries back; the clock moves the backoffs on.
    async with asyncio.timeout(60):
        while (await Campaign.get(id=campaign.id)).status is not CampaignStatus.FINISHED:
            harness.clock.advance(timedelta(seconds=5))
            await harness.app.services.campaigns.sweep()
            await asyncio.sleep(0.1)

    rows = await Delivery.filter(campaign_id=campaign.id).values_list("status", "error_code")
    statuses = Counter(DeliveryStatus(status) for status, _ in rows)
    assert set(statuses) <= {
        DeliveryStatus.SENT,
        DeliveryStatus.FAILED,
        DeliveryStatus.AMBIGUOUS,
    }
    assert all(code for status, code in rows if status == DeliveryStatus.FAILED)
    inboxes = [
        len(harness.sandbox.telegram.inbox(FIRST_CHAT + number)) for number in range(RECIPIENTS)
    ]
    assert max(inboxes) == 1, "nobody gets the campaign twice"
    assert inboxes.count(1) >= statuses[DeliveryStatus.SENT]

    calls = [call for call in harness.sandbox.calls if call.method == "sendMessage"]
    limited = [index for index, call in enumerate(calls) if call.fault == "rate_limit"]
    assert limited, "the faults fired"
    for index in limited:
        # No new request within the second Telegram asked for (requests already in flight
        # when the answer came may land just after it).
        answered = calls[index].time
        too_soon = [
            later
            for later in calls[index + 1 :]
            if timedelta(milliseconds=100) < later.time - answered < timedelta(seconds=0.9)
        ]
        assert not too_soon, "after a 429 the channel waits"
