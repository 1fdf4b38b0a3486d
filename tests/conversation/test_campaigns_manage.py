"""Campaigns after the launch: pause, resume, cancel, /campaigns, duplicate, retry, ownership."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.services.campaigns.service import Draft
from handlers.campaign_manage import SHOWN_CAMPAIGNS
from models import (
    Campaign,
    CampaignStatus,
    Channel,
    ChatAccount,
    ContactList,
    Delivery,
    DeliveryStatus,
    Member,
    Platform,
)
from tests.conversation.test_campaigns import (
    audience,
    choose_time,
    compose,
    picture,
    to_schedule,
    until_text,
)
from tests.support.chats import button_data
from tests.support.harness import Harness
from tests.support.onboarding import onboard
from tests.support.operators import engine_running

WAIT_SECONDS = 10


# The engine, started late: what a test does before it, nothing sends.
sending = engine_running


async def _audience_ready(campaign_id: int) -> None:
    """Wait (bounded) until the launch has written every delivery row."""
    async with asyncio.timeout(WAIT_SECONDS):
        # Written by the launch's background task: polled, with a deadline.
        while not (await Campaign.get(id=campaign_id)).audience_ready:  # noqa: ASYNC110
            await asyncio.sleep(0.02)


async def test_pause_resume_and_cancel_from_the_buttons(
    harness: Harness, platform: Platform
) -> None:
    chat = harness.chat(platform)
    await onboard(chat)
    for chat_id in (4401, 4402):
        harness.sandbox.telegram.add_user(chat_id)
    customers = await audience(
        harness, await Member.get(), [{"telegram_id": 4401}, {"telegram_id": 4402}]
    )
    summary = await compose(chat, customers.id, "Hello", "telegram")
    await chat.press(summary, "new:go")
    progress = await chat.next()
    campaign = await Campaign.get()
    await chat.press(progress, f"cmp:pause:{campaign.id}")
    paused = await chat.next()
    assert "Paused" in (paused.text or "")
    assert (await Campaign.get()).status is CampaignStatus.PAUSED
    await _audience_ready(campaign.id)

    async with sending(harness):
        await asyncio.sleep(0.3)  # the workers took the chunk and saw the pause
        assert harness.sandbox.telegram.inbox(4401) == []
        await chat.press(paused, f"cmp:resume:{campaign.id}")
        assert "Resumed" in ((await chat.next()).text or "")
        report = await until_text(chat, "Report of")
    assert "Sent: 2" in report
    assert len(harness.sandbox.telegram.inbox(4401)) == 1

    summary = await compose(chat, customers.id, "Second", "telegram")
    await chat.press(summary, "new:go")
    progress = await chat.next()
    second = await Campaign.filter(text="Second").get()
    await _audience_ready(second.id)
    await chat.press(progress, f"cmp:cancel:{second.id}")
    await chat.press(await chat.next(), f"cmp:cancelok:{second.id}")
    assert "Cancelled" in ((await chat.next()).text or "")
    report = await until_text(chat, "Report of")
    assert "Not sent, cancelled: 2" in report
    assert "(cancelled)" in report
    assert (await Campaign.get(id=second.id)).status is CampaignStatus.CANCELLED
    assert [m.text for m in harness.sandbox.telegram.inbox(4401)] == ["Hello"]

    await chat.send("/campaigns")
    listing = await chat.next()
    assert "Spring sale: finished" in (listing.text or "")
    assert "Spring sale: cancelled" in (listing.text or "")
    await chat.press(listing, f"cmp:open:{second.id}")
    card = await chat.next()
    assert f"cmp:pause:{second.id}" not in button_data(card), "a cancelled campaign stays so"
    assert f"cmp:dup:{second.id}" in button_data(card)


async def test_duplicate_from_campaigns_sends_again(harness: Harness, platform: Platform) -> None:
    chat = harness.chat(platform)
    await onboard(chat)
    harness.sandbox.telegram.add_user(4501)
    member = await Member.get()
    customers = await audience(harness, member, [{"telegram_id": 4501, "first_name": "Ana"}])
    campaigns = harness.app.services.campaigns
    first = await campaigns.save(
        member,
        Draft(
            name="Welcome",
            list_ids=[customers.id],
            text="Hi {first_name}",
            channels=[Channel.TELEGRAM],
        ),
    )

    async with sending(harness):
        await chat.send("/campaigns")
        listing = await chat.next()
        assert "Welcome: draft" in (listing.text or "")
        await chat.press(listing, f"cmp:open:{first.id}")
        await chat.press(await chat.next(), f"cmp:dup:{first.id}")
        assert 'Copied "Welcome"' in ((await chat.next()).text or "")
        await choose_time(chat, await chat.next(), None)
        summary = await chat.next()
        assert "Recipients: 1" in (summary.text or "")
        await chat.press(summary, "new:go")
        chart, report = await picture(chat)
    assert chart.startswith(b"\x89PNG")
    assert "Sent: 1" in (report.text or "")
    assert [m.text for m in harness.sandbox.telegram.inbox(4501)] == ["Hi Ana"]
    copy = await Campaign.exclude(id=first.id).get()
    assert (copy.status, copy.text) == (CampaignStatus.FINISHED, "Hi {first_name}")
    assert (await Campaign.get(id=first.id)).status is CampaignStatus.DRAFT


async def _failed_for_good(harness: Harness, campaign_id: int) -> None:
    """Let the backoff pass (clock and sweep) until the delivery has used every attempt."""
    async with asyncio.timeout(WAIT_SECONDS):
        held = Delivery.filter(campaign_id=campaign_id, not_before__not_isnull=True)
        # The engine's outcomes land in the database: polled, with a deadline.
        while not await Delivery.filter(
            campaign_id=campaign_id, status=DeliveryStatus.FAILED
        ).exists():
            if await held.filter(status=DeliveryStatus.PENDING).exists():
                harness.clock.advance(timedelta(minutes=10))
                await harness.app.services.campaigns.sweep()
            await asyncio.sleep(0.02)


async def test_retry_failed_sends_the_failures_again(harness: Harness, platform: Platform) -> None:
    chat = harness.chat(platform)
    await onboard(chat)
    customers = await audience(
        harness, await Member.get(), [{"phone": "+34612345678", "first_name": "Eva"}]
    )
    harness.sandbox.faults.server_error("whatsapp", match="*/messages", times=5)

    async with sending(harness):
        schedule = await to_schedule(
            chat,
            customers.id,
            "Hi {first_name}",
            "whatsapp",
            template=("spring_sale", "es-es", "first_name|friend"),
        )
        await choose_time(chat, schedule, None)
        summary = await chat.next()
        assert "WhatsApp template: spring_sale (es_ES) {{1}} = {first_name|friend}" in (
            summary.text or ""
        )
        await chat.press(summary, "new:go")
        await chat.next()  # the progress message
        campaign = await Campaign.get()
        assert (campaign.whatsapp_language, campaign.whatsapp_params) == (
            "es_ES",
            ["first_name|friend"],
        )
        await _failed_for_good(harness, campaign.id)
        _, report = await picture(chat)
        text = report.text or ""
        assert "Failed: 1" in text
        assert "no answer from the platform after several tries: 1" in text
        assert harness.sandbox.whatsapp.inbox("34612345678") == []

        await chat.press(report, f"cmp:retry:{campaign.id}")
        assert "Sending 1 failed message again" in ((await chat.next()).text or "")
        _, again = await picture(chat)
    assert "Sent: 1" in (again.text or "")
    assert "Failed: 0" in (again.text or "")
    [received] = harness.sandbox.whatsapp.inbox("34612345678")
    assert "Eva" in str(received.text)


async def test_another_members_campaign_is_refused(harness: Harness) -> None:
    owner = harness.chat(Platform.TELEGRAM)
    await onboard(owner)
    account = await ChatAccount.get(external_id=owner.user_id).prefetch_related("member")
    customers = await audience(harness, account.member, [{"telegram_id": 4701}])
    campaign = await harness.app.services.campaigns.save(
        account.member,
        Draft(name="Private", list_ids=[customers.id], text="Hi", channels=[Channel.TELEGRAM]),
    )
    intruder = harness.chat(Platform.LINE)
    await onboard(intruder)
    for action in ("open", "pause", "resume", "cancelok", "report", "csv", "retry", "dup", "edit"):
        await harness.sandbox.line.press_postback(intruder.user_id, f"cmp:{action}:{campaign.id}")
        answer = (await intruder.next()).text or ""
        assert "expired" in answer, action
        assert "Private" not in answer
    await harness.sandbox.line.press_postback(intruder.user_id, f"new:list:{customers.id}")
    assert "expired" in ((await intruder.next()).text or "")
    assert await Campaign.all().count() == 1
    assert (await Campaign.get()).status is CampaignStatus.DRAFT


async def test_campaigns_page_through_the_older_ones(harness: Harness, platform: Platform) -> None:
    chat = harness.chat(platform)
    await onboard(chat, locale="en", timezone="Europe/Madrid")
    member = await Member.get()
    campaigns = harness.app.services.campaigns
    contact_list = await ContactList.create(member=member, name="All", opt_in_token="pages")
    for number in range(SHOWN_CAMPAIGNS + 2):
        name = f"Spring {'ABCDEFGHIJKL'[number]}"
        draft = Draft(name, [contact_list.id], text="Hi", channels=[Channel.TELEGRAM])
        await campaigns.save(member, draft)
        harness.clock.advance(timedelta(minutes=1))  # newest first, by creation time

    await chat.send("/campaigns")
    first = await chat.next()
    assert "Spring L" in (first.text or "")
    assert "Spring C" in (first.text or "")
    assert "Spring B" not in (first.text or "")
    older = f"cmp:page:{SHOWN_CAMPAIGNS}"
    assert older in button_data(first)
    assert len(button_data(first)) == SHOWN_CAMPAIGNS + 1

    await chat.press(first, older)
    second = await chat.next()
    assert (second.text or "").startswith("Older campaigns:")
    assert "Spring B" in (second.text or "")
    assert "Spring A" in (second.text or "")
    assert "Spring C" not in (second.text or "")
    assert not any(data.startswith("cmp:page:") for data in button_data(second))
    if platform is Platform.LINE:  # a forged page: LINE postbacks carry whatever a client sends
        await harness.sandbox.line.press_postback(chat.user_id, "cmp:page:-1")
        assert "expired" in ((await chat.next()).text or "")
