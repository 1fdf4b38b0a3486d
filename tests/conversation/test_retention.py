"""Retention: delivery details and replies go after their period; a campaign's counts stay."""

from __future__ import annotations

from datetime import timedelta

from models import Campaign, Delivery, InboundReply, Member, Platform
from tests.conversation.test_campaigns import audience, compose, picture
from tests.support.harness import Harness
from tests.support.onboarding import onboard


async def test_old_details_are_purged_and_the_report_still_adds_up(
    harness: Harness, worker: None
) -> None:
    chat = harness.chat(Platform.TELEGRAM)
    await onboard(chat)
    member = await Member.get()
    for user in (7001, 7002):
        harness.sandbox.telegram.add_user(user)
    customers = await audience(
        harness, member, [{"telegram_id": 7001}, {"telegram_id": 7002}, {"telegram_id": 7003}]
    )
    summary = await compose(chat, customers.id, "Winter offer", "telegram")
    await chat.press(summary, "new:go")
    _, before = await picture(chat)
    old = await Campaign.get()
    await InboundReply.create(
        member=member,
        channel="telegram",
        address="7001",
        text="Thanks",
        received_at=harness.clock(),
    )

    retention = harness.app.services.retention
    period = timedelta(days=harness.app.settings.RETENTION_DETAILS_DAYS)
    assert (await retention.purge_delivery_details(), await retention.purge_replies()) == (0, 0)

    harness.clock.advance(period + timedelta(days=1))
    await InboundReply.create(
        member=member, channel="telegram", address="7002", text="Hi", received_at=harness.clock()
    )
    assert await retention.purge_delivery_details() == 1
    assert await retention.purge_replies() == 1
    assert not await Delivery.filter(campaign_id=old.id).exists()
    assert [reply.text for reply in await InboundReply.all()] == ["Hi"], "a fresh reply stays"
    assert await retention.purge_delivery_details() == 0, "once"

    await chat.send("/campaigns")
    await chat.press(await chat.next(), f"cmp:open:{old.id}")
    await chat.press(await chat.next(), f"cmp:report:{old.id}")
    _, after = await picture(chat)
    assert after.text == before.text, "the counts outlive the details"
    assert "Sent: 2" in (after.text or "")
