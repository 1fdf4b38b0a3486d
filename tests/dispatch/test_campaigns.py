"""Campaigns end to end: launched through the service, sent by the real engine to the sandbox.

The worker here is the App's own Engine, running in the test's event loop like the
embedded default runs it; the platforms are the sandbox's stand-ins over loopback HTTP.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.dispatch.store import DeliveryCount, DeliveryStore
from bot.services.campaigns.service import Draft
from bot.services.campaigns.states import TransitionError
from models import (
    OPTED_OUT,
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
    Suppression,
    SuppressionSource,
)
from tests.support.contacts import phone_key, sealed, sealer
from tests.support.harness import Harness

WAIT_SECONDS = 10


@pytest.fixture
async def member(harness: Harness) -> Member:
    return await Member.create(status=MemberStatus.ACTIVE, timezone="UTC", locale="en")


async def _list(harness: Harness, member: Member, contacts: list[dict[str, Any]]) -> ContactList:
    now = harness.clock()
    contact_list = await ContactList.create(
        member=member, name="Customers", opt_in_token=f"t{member.id}x{len(contacts)}"
    )
    for fields in contacts:
        contact = await Contact.create(
            member=member,
            consent_source=ConsentSource.FILE_IMPORT,
            consent_at=now,
            consent_by=f"member:{member.id}",
            **sealed(harness, fields),
        )
        await ListMembership.create(contact_list=contact_list, contact=contact)
    return contact_list


def _draft(contact_list: ContactList, text: str, *channels: Channel, **extra: Any) -> Draft:
    return Draft(
        name="Spring sale",
        list_ids=[contact_list.id],
        text=text,
        channels=list(channels),
        **extra,
    )


async def _until(harness: Harness, campaign: Campaign, status: CampaignStatus) -> Campaign:
    """Wait (bounded) for the campaign to reach `status`."""
    async with asyncio.timeout(WAIT_SECONDS):
        # The state is in the database, written by the engine's tasks: polled, with a deadline.
        while (current := await Campaign.get(id=campaign.id)).status is not status:  # noqa: ASYNC110
            await asyncio.sleep(0.02)
    return current


async def _held(campaign: Campaign) -> None:
    """Wait (bounded) until a delivery of the campaign is held for later."""
    async with asyncio.timeout(WAIT_SECONDS):
        while not await Delivery.filter(  # noqa: ASYNC110 - polled with a deadline
            campaign_id=campaign.id, not_before__isnull=False
        ):
            await asyncio.sleep(0.02)


async def _statuses(campaign: Campaign) -> dict[int | None, DeliveryStatus]:
    rows = await Delivery.filter(campaign_id=campaign.id).values_list("contact_id", "status")
    return {contact_id: DeliveryStatus(status) for contact_id, status in rows}


async def test_a_telegram_campaign_reaches_everyone_once_personalised(
    harness: Harness, member: Member, worker: None
) -> None:
    for chat_id in (3001, 3002, 3003):
        harness.sandbox.telegram.add_user(chat_id)
    contact_list = await _list(
        harness,
        member,
        [
            {"telegram_id": 3001, "first_name": "Ana"},
            {"telegram_id": 3002, "first_name": "Luis", "attributes": {"city": "Lugo"}},
            {"telegram_id": 3003},
        ],
    )
    campaigns = harness.app.services.campaigns
    draft = _draft(contact_list, "Hi {first_name|there}, see you in {city|town}!", Channel.TELEGRAM)
    campaign = await campaigns.launch(await campaigns.save(member, draft))
    await _until(harness, campaign, CampaignStatus.FINISHED)

    texts = {
        chat_id: [m.text for m in harness.sandbox.telegram.inbox(chat_id)]
        for chat_id in (3001, 3002, 3003)
    }
    assert texts == {
        3001: ["Hi Ana, see you in town!"],
        3002: ["Hi Luis, see you in Lugo!"],
        3003: ["Hi there, see you in town!"],
    }
    report = await campaigns.report(campaign)
    assert (report.total, report.sent, report.remaining) == (3, 3, 0)
    assert report.by_channel == {"telegram": 3}


async def test_a_blocked_telegram_user_falls_back_to_whatsapp_and_is_marked(
    harness: Harness, member: Member, worker: None
) -> None:
    harness.sandbox.telegram.add_user(3101)
    harness.sandbox.faults.blocked("telegram", match="sendMessage")
    contact_list = await _list(
        harness, member, [{"telegram_id": 3101, "phone": "+34612345678", "first_name": "Eva"}]
    )
    campaigns = harness.app.services.campaigns
    draft = _draft(
        contact_list,
        "Hi {first_name}",
        Channel.TELEGRAM,
        Channel.WHATSAPP,
        whatsapp_template="spring_sale",
        whatsapp_language="es",
        whatsapp_params=["first_name"],
    )
    campaign = await campaigns.launch(await campaigns.save(member, draft))
    await _until(harness, campaign, CampaignStatus.FINISHED)

    [received] = harness.sandbox.whatsapp.inbox("34612345678")
    assert "Eva" in str(received.text)
    [delivery] = await Delivery.filter(campaign_id=campaign.id)
    assert (delivery.status, delivery.channel, delivery.fell_back_from) == (
        DeliveryStatus.SENT,
        Channel.WHATSAPP,
        "telegram",
    )
    contact = await Contact.get(phone_hash=phone_key(harness, "+34612345678"))
    assert contact.unreachable == "telegram"
    # Blocking the bot is their own act: a platform signal on the member's suppression list,
    # for Telegram only (it says nothing about WhatsApp, where they still get it).
    [signal] = await Suppression.filter(member=member)
    assert (signal.key, signal.source) == ("telegram:3101", SuppressionSource.PLATFORM_SIGNAL)
    report = await campaigns.report(campaign)
    assert (report.sent, report.fell_back) == (1, 1)


async def test_opted_out_people_are_skipped_and_counted(
    harness: Harness, member: Member, worker: None
) -> None:
    for chat_id in (3201, 3202):
        harness.sandbox.telegram.add_user(chat_id)
    contact_list = await _list(harness, member, [{"telegram_id": 3201}, {"telegram_id": 3202}])
    await Suppression.create(
        member=member, key="telegram:3202", channel="telegram", source=SuppressionSource.KEYWORD
    )
    campaigns = harness.app.services.campaigns
    estimate = await campaigns.estimate(member, _draft(contact_list, "Hello", Channel.TELEGRAM))
    assert (estimate.per_channel, estimate.opted_out) == ({"telegram": 1}, 1)

    saved = await campaigns.save(member, _draft(contact_list, "Hello", Channel.TELEGRAM))
    campaign = await campaigns.launch(saved)
    await _until(harness, campaign, CampaignStatus.FINISHED)
    assert [m.text for m in harness.sandbox.telegram.inbox(3201)] == ["Hello"]
    assert harness.sandbox.telegram.inbox(3202) == []
    report = await campaigns.report(campaign)
    assert report.failed_by_reason == {"opted_out": 1}


async def test_identical_line_messages_go_as_one_multicast(
    harness: Harness, member: Member, worker: None
) -> None:
    users = [harness.sandbox.line.add_user(harness.sandbox.line.new_user_id()) for _ in range(3)]
    contact_list = await _list(harness, member, [{"line_id": user} for user in users])
    campaigns = harness.app.services.campaigns
    saved = await campaigns.save(member, _draft(contact_list, "Flash sale", Channel.LINE))
    campaign = await campaigns.launch(saved)
    await _until(harness, campaign, CampaignStatus.FINISHED)

    for user in users:
        assert [m.text for m in harness.sandbox.line.inbox(user)] == ["Flash sale"]
    sends = [call.method for call in harness.sandbox.calls if "/message/" in call.method]
    assert sends == ["POST /v2/bot/message/multicast"]


async def test_line_multicasts_are_filled_to_500(
    harness: Harness, member: Member, worker: None
) -> None:
    # A claim takes 500 deliveries of a LINE-only campaign with one text, not the window (200):
    # 600 recipients are two requests, not three.
    users = [harness.sandbox.line.add_user(harness.sandbox.line.new_user_id()) for _ in range(600)]
    contact_list = await _list(harness, member, [{"line_id": user} for user in users])
    campaigns = harness.app.services.campaigns
    saved = await campaigns.save(member, _draft(contact_list, "Flash sale", Channel.LINE))
    await _until(harness, await campaigns.launch(saved), CampaignStatus.FINISHED)

    multicasts = [
        len(call.params["to"])
        for call in harness.sandbox.calls
        if call.method == "POST /v2/bot/message/multicast"
    ]
    assert sorted(multicasts) == [100, 500]
    assert all(len(harness.sandbox.line.inbox(user)) == 1 for user in users)


async def test_pause_stops_sending_and_resume_sends_the_rest(
    harness: Harness, member: Member
) -> None:
    for chat_id in (3301, 3302):
        harness.sandbox.telegram.add_user(chat_id)
    contact_list = await _list(harness, member, [{"telegram_id": 3301}, {"telegram_id": 3302}])
    campaigns = harness.app.services.campaigns
    saved = await campaigns.save(member, _draft(contact_list, "Hi", Channel.TELEGRAM))
    campaign = await campaigns.launch(saved)
    await campaigns.pause(campaign)
    await harness.app.tasks.drain(grace=5)  # the snapshot is written, the queue filled

    stop = asyncio.Event()
    engine = asyncio.create_task(harness.app.engine.run(stop))
    try:
        await asyncio.sleep(0.3)  # the workers took the chunk and saw the pause
        assert harness.sandbox.telegram.inbox(3301) == []
        assert (await Campaign.get(id=campaign.id)).status is CampaignStatus.PAUSED

        await campaigns.resume(campaign)
        await _until(harness, campaign, CampaignStatus.FINISHED)
    finally:
        stop.set()
        await engine
    assert len(harness.sandbox.telegram.inbox(3301)) == 1
    assert len(harness.sandbox.telegram.inbox(3302)) == 1


async def test_cancel_marks_what_was_not_sent(harness: Harness, member: Member) -> None:
    harness.sandbox.telegram.add_user(3401)
    contact_list = await _list(harness, member, [{"telegram_id": 3401}])
    campaigns = harness.app.services.campaigns
    saved = await campaigns.save(member, _draft(contact_list, "Hi", Channel.TELEGRAM))
    campaign = await campaigns.launch(saved)
    await harness.app.tasks.drain(grace=5)
    await campaigns.cancel(campaign)
    assert set((await _statuses(campaign)).values()) == {DeliveryStatus.CANCELLED}
    assert await campaigns.sweep() == 0  # nothing of a cancelled campaign is queued again


async def test_a_scheduled_campaign_starts_when_the_clock_gets_there(
    harness: Harness, member: Member, worker: None
) -> None:
    harness.sandbox.telegram.add_user(3501)
    contact_list = await _list(harness, member, [{"telegram_id": 3501}])
    campaigns = harness.app.services.campaigns
    later = harness.clock() + timedelta(hours=2)
    saved = await campaigns.save(
        member, _draft(contact_list, "Hi", Channel.TELEGRAM, scheduled_at=later)
    )
    campaign = await campaigns.launch(saved)
    assert campaign.status is CampaignStatus.SCHEDULED
    assert await campaigns.start_due() == 0

    harness.clock.advance(timedelta(hours=2, seconds=1))
    assert await campaigns.start_due() == 1
    await _until(harness, campaign, CampaignStatus.FINISHED)
    assert len(harness.sandbox.telegram.inbox(3501)) == 1


async def test_quiet_hours_hold_messages_until_the_recipients_morning(
    harness: Harness, member: Member, worker: None
) -> None:
    harness.clock.now = datetime(2026, 11, 23, 22, 30, tzinfo=UTC)  # 23:30 in Madrid
    harness.sandbox.telegram.add_user(3601)
    contact_list = await _list(
        harness, member, [{"telegram_id": 3601, "timezone": "Europe/Madrid"}]
    )
    campaigns = harness.app.services.campaigns
    saved = await campaigns.save(
        member,
        _draft(
            contact_list, "Good morning", Channel.TELEGRAM, quiet_start=21 * 60, quiet_end=8 * 60
        ),
    )
    campaign = await campaigns.launch(saved)
    await _held(campaign)
    [held] = await Delivery.filter(campaign_id=campaign.id)
    assert held.status is DeliveryStatus.PENDING
    assert held.not_before == datetime(2026, 11, 24, 7, 0, tzinfo=UTC)  # 08:00 in Madrid
    assert harness.sandbox.telegram.inbox(3601) == []
    # Through the night, the sweeps queue nothing: a held delivery taken again would only be
    # found not due (a million of them kept a worker's core busy all night).
    harness.clock.now = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
    assert await campaigns.sweep() == 0

    harness.clock.now = datetime(2026, 11, 24, 7, 1, tzinfo=UTC)
    assert await campaigns.sweep() == 1
    await _until(harness, campaign, CampaignStatus.FINISHED)
    assert [m.text for m in harness.sandbox.telegram.inbox(3601)] == ["Good morning"]


async def test_a_rate_limit_answer_pauses_the_channel_and_the_message_still_goes(
    harness: Harness, member: Member, worker: None
) -> None:
    harness.sandbox.telegram.add_user(3701)
    harness.sandbox.faults.rate_limit("telegram", match="sendMessage", times=1, retry_after=1)
    contact_list = await _list(harness, member, [{"telegram_id": 3701}])
    campaigns = harness.app.services.campaigns
    saved = await campaigns.save(member, _draft(contact_list, "Hi", Channel.TELEGRAM))
    campaign = await campaigns.launch(saved)
    await _held(campaign)
    harness.clock.advance(timedelta(seconds=2))
    await campaigns.sweep()
    await _until(harness, campaign, CampaignStatus.FINISHED)
    assert len(harness.sandbox.telegram.inbox(3701)) == 1
    faults = [call.fault for call in harness.sandbox.calls if call.method == "sendMessage"]
    assert faults == ["rate_limit", None]


async def test_sends_a_dead_worker_left_unrecorded_are_ambiguous_and_never_repeated(
    harness: Harness, member: Member, worker: None
) -> None:
    harness.sandbox.telegram.add_user(3801)
    line_user = harness.sandbox.line.add_user(harness.sandbox.line.new_user_id())
    contact_list = await _list(harness, member, [{"telegram_id": 3801}, {"line_id": line_user}])
    campaigns = harness.app.services.campaigns
    campaign = await campaigns.save(
        member, _draft(contact_list, "Hi", Channel.TELEGRAM, Channel.LINE)
    )
    # What a worker leaves when it is killed between its claim and its record.
    await Campaign.filter(id=campaign.id).update(status=CampaignStatus.PAUSED)
    await harness.app.services.campaigns.snapshot(campaign.id)
    await Delivery.filter(campaign_id=campaign.id).update(
        status=DeliveryStatus.SENDING, updated_at=harness.clock()
    )
    campaign = await campaigns.resume(await Campaign.get(id=campaign.id))

    # Seconds old, the claim may be a live worker's (a chunk queued twice): left alone.
    await asyncio.sleep(0.3)
    assert set((await _statuses(campaign)).values()) == {DeliveryStatus.SENDING}

    harness.clock.advance(timedelta(seconds=31))
    await campaigns.sweep()
    await _until(harness, campaign, CampaignStatus.FINISHED)
    assert set((await _statuses(campaign)).values()) == {DeliveryStatus.AMBIGUOUS}
    assert harness.sandbox.telegram.inbox(3801) == []  # never sent twice
    assert harness.sandbox.line.inbox(line_user) == []  # a regrouped multicast has a new key
    report = await campaigns.report(campaign)
    assert report.by_status[DeliveryStatus.AMBIGUOUS] == 2


async def test_another_members_campaign_is_out_of_reach(harness: Harness, member: Member) -> None:
    contact_list = await _list(harness, member, [{"telegram_id": 3901}])
    campaigns = harness.app.services.campaigns
    campaign = await campaigns.save(member, _draft(contact_list, "Hi", Channel.TELEGRAM))
    stranger = await Member.create(status=MemberStatus.ACTIVE)
    assert await campaigns.get(stranger, campaign.id) is None
    assert await campaigns.get(member, campaign.id) is not None


async def _delivery_status(delivery: Delivery, status: DeliveryStatus) -> None:
    async with asyncio.timeout(WAIT_SECONDS):
        while (await Delivery.get(id=delivery.id)).status is not status:  # noqa: ASYNC110
            await asyncio.sleep(0.02)


async def test_whatsapp_statuses_move_deliveries_forward_only(
    harness: Harness, member: Member, worker: None
) -> None:
    contact_list = await _list(
        harness, member, [{"phone": "+34612000001"}, {"phone": "+34612000002"}]
    )
    campaigns = harness.app.services.campaigns
    draft = _draft(
        contact_list, "Hi", Channel.WHATSAPP, whatsapp_template="promo", whatsapp_language="es"
    )
    campaign = await campaigns.launch(await campaigns.save(member, draft))
    await _until(harness, campaign, CampaignStatus.FINISHED)
    read, failed = await Delivery.filter(campaign_id=campaign.id).order_by("id")
    whatsapp = harness.sandbox.whatsapp

    await whatsapp.send_status(read.message_id, "delivered")
    await _delivery_status(read, DeliveryStatus.DELIVERED)
    await whatsapp.send_status(read.message_id, "read")
    await _delivery_status(read, DeliveryStatus.READ)
    await whatsapp.send_status(read.message_id, "delivered")  # late, out of order
    await whatsapp.send_status(failed.message_id, "failed", error_code=131026)
    await _delivery_status(failed, DeliveryStatus.FAILED)

    assert (await Delivery.get(id=read.id)).status is DeliveryStatus.READ
    assert (await Delivery.get(id=failed.id)).error_code == "131026"
    # The contact is marked right after the delivery's status, in a statement of its own.
    async with asyncio.timeout(WAIT_SECONDS):
        failed_contact = phone_key(harness, "+34612000002")
        while (await Contact.get(phone_hash=failed_contact)).unreachable != "whatsapp":  # noqa: ASYNC110
            await asyncio.sleep(0.02)
    report = await campaigns.report(campaign)
    assert report.by_status[DeliveryStatus.READ] == 1
    assert report.failed_by_reason == {"131026": 1}


async def test_a_burst_of_whatsapp_statuses_is_applied_in_groups_forward_only(
    harness: Harness, member: Member, worker: None
) -> None:
    phones = [f"+3461200{number:04d}" for number in range(6)]
    contact_list = await _list(harness, member, [{"phone": phone} for phone in phones])
    campaigns = harness.app.services.campaigns
    draft = _draft(
        contact_list, "Hi", Channel.WHATSAPP, whatsapp_template="promo", whatsapp_language="es"
    )
    campaign = await campaigns.launch(await campaigns.save(member, draft))
    await _until(harness, campaign, CampaignStatus.FINISHED)
    *reached, lost = await Delivery.filter(campaign_id=campaign.id).order_by("id")
    groups = 0
    apply_statuses = harness.app.statuses._store.apply_statuses

    async def counted(*args: Any, **kwargs: Any) -> list[int | None]:
        nonlocal groups
        groups += 1
        return await apply_statuses(*args, **kwargs)

    harness.app.statuses._store.apply_statuses = counted  # type: ignore[method-assign]
    # All at once, as a platform's bursts come: each message's "delivered", "read" and a
    # repeated "delivered", in any order among the others; one number turns out not to be
    # on WhatsApp.
    whatsapp = harness.sandbox.whatsapp
    statuses = [
        whatsapp.send_status(delivery.message_id, status)
        for status in ("delivered", "read", "delivered")
        for delivery in reached
    ]
    statuses.append(whatsapp.send_status(lost.message_id, "failed", error_code=131026))
    await asyncio.gather(*statuses)
    for delivery in reached:
        await _delivery_status(delivery, DeliveryStatus.READ)
    await _delivery_status(lost, DeliveryStatus.FAILED)
    async with asyncio.timeout(WAIT_SECONDS):
        lost_contact = phone_key(harness, phones[-1])
        while (await Contact.get(phone_hash=lost_contact)).unreachable != "whatsapp":  # noqa: ASYNC110
            await asyncio.sleep(0.02)

    # 13 changes (the repeated "delivered"s are the inbound log's to drop), a few groups.
    changes = 2 * len(reached) + 1
    assert groups < changes, "statuses arriving together are written together"
    report = await campaigns.report(campaign)
    assert report.by_status[DeliveryStatus.READ] == len(reached)
    assert report.failed_by_reason == {"131026": 1}
    reachable = await Contact.filter(member=member, unreachable__isnull=True).count()
    assert reachable == len(reached)


async def test_a_server_error_is_retried_after_a_backoff(
    harness: Harness, member: Member, worker: None
) -> None:
    harness.sandbox.telegram.add_user(3751)
    harness.sandbox.faults.server_error("telegram", match="sendMessage", times=1, status=502)
    contact_list = await _list(harness, member, [{"telegram_id": 3751}])
    campaigns = harness.app.services.campaigns
    saved = await campaigns.save(member, _draft(contact_list, "Hi", Channel.TELEGRAM))
    campaign = await campaigns.launch(saved)
    await _held(campaign)
    [waiting] = await Delivery.filter(campaign_id=campaign.id)
    assert (waiting.status, waiting.attempts) == (DeliveryStatus.PENDING, 1)
    assert waiting.not_before is not None
    assert timedelta(0) < waiting.not_before - harness.clock() <= timedelta(seconds=1)

    harness.clock.advance(timedelta(seconds=1))
    assert await campaigns.sweep() == 1
    await _until(harness, campaign, CampaignStatus.FINISHED)
    assert len(harness.sandbox.telegram.inbox(3751)) == 1
    [sent] = await Delivery.filter(campaign_id=campaign.id)
    assert (sent.status, sent.attempts) == (DeliveryStatus.SENT, 2)


async def test_a_recipient_failing_everywhere_is_failed_with_the_reason(
    harness: Harness, member: Member, worker: None
) -> None:
    harness.sandbox.telegram.add_user(3761)
    harness.sandbox.faults.blocked("telegram", match="sendMessage")
    contact_list = await _list(harness, member, [{"telegram_id": 3761}])
    campaigns = harness.app.services.campaigns
    draft = _draft(contact_list, "Hi", Channel.TELEGRAM, Channel.LINE)
    campaign = await campaigns.launch(await campaigns.save(member, draft))
    await _until(harness, campaign, CampaignStatus.FINISHED)
    report = await campaigns.report(campaign)
    assert report.failed_by_reason == {"403:blocked": 1}
    assert report.sent == 0


async def test_counts_taken_a_window_of_ids_at_a_time_add_up_to_the_campaign(
    harness: Harness, member: Member
) -> None:
    # Two campaigns' deliveries interleaved by id, as two launches at once write them.
    contact_list = await _list(harness, member, [])
    campaigns = harness.app.services.campaigns
    mine, other = [
        await campaigns.save(member, _draft(contact_list, "Hi", Channel.TELEGRAM)) for _ in "ab"
    ]
    fates = [
        (DeliveryStatus.SENT, Channel.TELEGRAM, None, None),
        (DeliveryStatus.SENT, Channel.TELEGRAM, None, None),
        (DeliveryStatus.SENT, Channel.WHATSAPP, None, "telegram:403"),
        (DeliveryStatus.FAILED, None, OPTED_OUT, None),
        (DeliveryStatus.PENDING, None, None, None),
        (DeliveryStatus.SENT, Channel.TELEGRAM, None, None),
        (DeliveryStatus.FAILED, Channel.TELEGRAM, "403:blocked", None),
    ]
    now = harness.clock()
    for status, channel, error_code, fell_back_from in fates:
        for campaign in (mine, other):
            await Delivery.create(
                campaign=campaign,
                status=status,
                channel=channel,
                error_code=error_code,
                fell_back_from=fell_back_from,
                created_at=now,
                updated_at=now,
            )

    expected = {
        DeliveryCount(DeliveryStatus.SENT, "telegram", None, False, 3),
        DeliveryCount(DeliveryStatus.SENT, "whatsapp", None, True, 1),
        DeliveryCount(DeliveryStatus.FAILED, None, OPTED_OUT, False, 1),
        DeliveryCount(DeliveryStatus.PENDING, None, None, False, 1),
        DeliveryCount(DeliveryStatus.FAILED, "telegram", "403:blocked", False, 1),
    }
    for window in (1, 3, 1_000):
        store = DeliveryStore(sealer=sealer(harness), count_window=window)
        assert set(await store.counts(mine.id)) == expected, f"windows of {window}"
    unsent = await campaigns.save(member, _draft(contact_list, "Hi", Channel.TELEGRAM))
    assert await DeliveryStore(sealer=sealer(harness)).counts(unsent.id) == []


async def _paced(harness: Harness, member: Member, chat_ids: list[int]) -> Campaign:
    """A Telegram campaign to `chat_ids`, launched: at Telegram's 30/s, 60 recipients take two
    seconds, one claim sent in slices."""
    for chat_id in chat_ids:
        harness.sandbox.telegram.add_user(chat_id)
    contact_list = await _list(harness, member, [{"telegram_id": cid} for cid in chat_ids])
    campaigns = harness.app.services.campaigns
    saved = await campaigns.save(member, _draft(contact_list, "Hi", Channel.TELEGRAM))
    return await campaigns.launch(saved)


async def test_a_pause_holds_within_a_second_even_mid_claim(
    harness: Harness, member: Member, worker: None
) -> None:
    chat_ids = list(range(3851, 3911))
    campaign = await _paced(harness, member, chat_ids)
    campaigns = harness.app.services.campaigns

    def received() -> int:
        return sum(len(harness.sandbox.telegram.inbox(chat_id)) for chat_id in chat_ids)

    async with asyncio.timeout(WAIT_SECONDS):
        while received() < 10:  # noqa: ASYNC110 - the sandbox's inboxes, polled
            await asyncio.sleep(0.01)
    await campaigns.pause(campaign)
    await asyncio.sleep(1.0)  # the pause's promise: nothing more after a second
    held_at = received()
    await asyncio.sleep(0.5)
    assert received() == held_at < len(chat_ids)

    await campaigns.resume(campaign)
    await _until(harness, campaign, CampaignStatus.FINISHED)
    assert all(len(harness.sandbox.telegram.inbox(chat_id)) == 1 for chat_id in chat_ids)


async def test_a_stop_holds_within_a_second_even_mid_claim(
    harness: Harness, member: Member, worker: None
) -> None:
    # One claim, checked against the suppression list when claimed, then sent in slices over
    # two seconds. The last 20 reply STOP meanwhile.
    chat_ids = list(range(3951, 4011))
    campaign = await _paced(harness, member, chat_ids)
    async with asyncio.timeout(WAIT_SECONDS):
        while not harness.sandbox.telegram.inbox(chat_ids[0]):  # noqa: ASYNC110 - polled
            await asyncio.sleep(0.01)

    stopping = chat_ids[-20:]
    for chat_id in stopping:
        await harness.sandbox.telegram.send_text(chat_id, "STOP")
    async with asyncio.timeout(WAIT_SECONDS):
        while await Suppression.filter(member=member).count() < len(stopping):  # noqa: ASYNC110
            await asyncio.sleep(0.01)
    listed = asyncio.get_running_loop().time()
    await _until(harness, campaign, CampaignStatus.FINISHED)

    # The promise: nothing after a second. At 30/s the last 20 come well after that.
    late = [
        chat_id
        for chat_id in stopping
        if any(message.text == "Hi" for message in harness.sandbox.telegram.inbox(chat_id))
    ]
    assert late == [], f"sent after their STOP (listed at {listed:.2f})"
    skipped = await Delivery.filter(campaign_id=campaign.id, status=DeliveryStatus.SKIPPED)
    assert {delivery.error_code for delivery in skipped} == {OPTED_OUT}
    assert len(skipped) == len(stopping)


async def test_retry_failed_waits_for_the_campaign_to_end(harness: Harness, member: Member) -> None:
    harness.sandbox.telegram.add_user(3951)
    contact_list = await _list(harness, member, [{"telegram_id": 3951}])
    campaigns = harness.app.services.campaigns
    saved = await campaigns.save(member, _draft(contact_list, "Hi", Channel.TELEGRAM))
    campaign = await campaigns.launch(saved)
    await harness.app.tasks.drain(grace=5)
    await Delivery.filter(campaign_id=campaign.id).update(status=DeliveryStatus.FAILED)
    paused = await campaigns.pause(campaign)

    with pytest.raises(TransitionError):
        await campaigns.retry_failed(paused)
    assert set((await _statuses(campaign)).values()) == {DeliveryStatus.FAILED}
    assert (await Campaign.get(id=campaign.id)).status is CampaignStatus.PAUSED


async def test_a_cancel_during_the_launch_cancels_what_the_launch_writes_after_it(
    harness: Harness, member: Member
) -> None:
    harness.sandbox.telegram.add_user(3961)
    contact_list = await _list(harness, member, [{"telegram_id": 3961}])
    campaigns = harness.app.services.campaigns
    saved = await campaigns.save(member, _draft(contact_list, "Hi", Channel.TELEGRAM))
    campaign = await campaigns.launch(saved)
    await campaigns.cancel(campaign)  # before the launch's background snapshot ran
    await harness.app.tasks.drain(grace=5)
    assert set((await _statuses(campaign)).values()) == {DeliveryStatus.CANCELLED}


async def test_a_channel_they_left_is_skipped_for_the_next_one(
    harness: Harness, member: Member, worker: None
) -> None:
    line_user = harness.sandbox.line.add_user(harness.sandbox.line.new_user_id())
    contact_list = await _list(
        harness, member, [{"telegram_id": 3971, "line_id": line_user}, {"telegram_id": 3972}]
    )
    for chat_id in (3971, 3972):
        await Suppression.create(
            member=member,
            key=f"telegram:{chat_id}",
            channel="telegram",
            source=SuppressionSource.PLATFORM_SIGNAL,
        )
    campaigns = harness.app.services.campaigns
    draft = _draft(contact_list, "Hi", Channel.TELEGRAM, Channel.LINE)
    estimate = await campaigns.estimate(member, draft)
    assert (estimate.per_channel, estimate.opted_out) == ({"line": 1}, 1)

    campaign = await campaigns.launch(await campaigns.save(member, draft))
    await _until(harness, campaign, CampaignStatus.FINISHED)
    assert [m.text for m in harness.sandbox.line.inbox(line_user)] == ["Hi"]
    report = await campaigns.report(campaign)
    assert (report.by_channel, report.failed_by_reason) == ({"line": 1}, {"opted_out": 1})
