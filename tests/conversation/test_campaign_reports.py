"""The report of a campaign nobody watched (its chat's process restarted, or the scheduler
started it) still reaches the member, once, on every chat they have."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.services.campaigns.service import REPORT_GRACE, Draft
from models import (
    Campaign,
    CampaignStatus,
    Channel,
    ConsentSource,
    ContactList,
    Delivery,
    DeliveryStatus,
    ListMembership,
    Member,
    Platform,
)
from tests.conversation.test_campaigns import picture
from tests.support.contacts import create_contact
from tests.support.harness import Harness
from tests.support.onboarding import onboard

WAIT_SECONDS = 10


async def _campaign(harness: Harness, member: Member) -> Campaign:
    """A two-recipient WhatsApp campaign, launched through the service: no chat follows it."""
    contact_list = await ContactList.create(member=member, name="Customers", opt_in_token="tok")
    for phone in ("+34612345678", "+34622333444"):
        contact = await create_contact(
            harness,
            member=member,
            phone=phone,
            whatsapp=phone,
            consent_source=ConsentSource.FILE_IMPORT,
            consent_at=harness.clock(),
            consent_by=f"member:{member.id}",
        )
        await ListMembership.create(contact_list=contact_list, contact=contact)
    campaigns = harness.app.services.campaigns
    draft = Draft(
        name="Winter sale",
        list_ids=[contact_list.id],
        text="Hello",
        channels=[Channel.WHATSAPP],
        whatsapp_template="winter_sale",
        whatsapp_language="en",
    )
    campaign = await campaigns.launch(await campaigns.save(member, draft))
    async with asyncio.timeout(WAIT_SECONDS):
        # Written by the engine's tasks: polled, with a deadline.
        while (await Campaign.get(id=campaign.id)).status is not CampaignStatus.FINISHED:  # noqa: ASYNC110
            await asyncio.sleep(0.02)
    return campaign


@pytest.mark.usefixtures("worker")
async def test_an_unwatched_campaign_is_reported_once(harness: Harness, platform: Platform) -> None:
    chat = harness.chat(platform)
    await onboard(chat, locale="en", timezone="Europe/Madrid")
    member = await Member.get()
    campaign = await _campaign(harness, member)
    campaigns = harness.app.services.campaigns

    assert await campaigns.report_ended() == 0  # a watching chat would report it: wait
    harness.clock.advance(REPORT_GRACE + timedelta(seconds=1))
    assert await campaigns.report_ended() == 1

    png, report = await picture(chat)
    assert png.startswith(b"\x89PNG")
    assert 'Report of "Winter sale" (finished)' in (report.text or ""), report.text
    assert "WhatsApp: 2" in (report.text or ""), report.text

    assert await campaigns.report_ended() == 0  # once
    assert not await campaigns.claim_report(campaign.id)  # nor by a watcher coming late


@pytest.mark.usefixtures("worker")
async def test_a_reported_campaign_retried_is_reported_again(harness: Harness) -> None:
    chat = harness.chat(Platform.TELEGRAM)
    await onboard(chat, locale="en", timezone="Europe/Madrid")
    member = await Member.get()
    campaign = await _campaign(harness, member)
    campaigns = harness.app.services.campaigns
    assert await campaigns.claim_report(campaign.id)  # its watcher reported it
    # One delivery had failed for good; "retry failed" sends it again.
    delivery = await Delivery.filter(campaign_id=campaign.id).first()
    assert delivery is not None
    await Delivery.filter(id=delivery.id).update(status=DeliveryStatus.FAILED)
    assert await campaigns.retry_failed(await Campaign.get(id=campaign.id)) == 1
    async with asyncio.timeout(WAIT_SECONDS):
        while (await Campaign.get(id=campaign.id)).status is not CampaignStatus.FINISHED:  # noqa: ASYNC110
            await asyncio.sleep(0.02)

    harness.clock.advance(REPORT_GRACE + timedelta(seconds=1))
    assert await campaigns.report_ended() == 1
    _, report = await picture(chat)
    assert 'Report of "Winter sale" (finished)' in (report.text or ""), report.text
