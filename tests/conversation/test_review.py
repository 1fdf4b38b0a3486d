"""Screening at launch and the operator's review queue, from both sides of the chat."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from models import AuditEntry, Campaign, CampaignStatus, Member, Platform, ScreeningRule
from tests.conversation.test_campaigns import audience, compose, until_text
from tests.support.chats import MemberChat
from tests.support.harness import Harness
from tests.support.onboarding import onboard
from tests.support.operators import OPERATOR_TELEGRAM as OPERATOR
from tests.support.operators import operated_bot, operator_chat

FLAGGED = "Hi {first_name}, claim your prize at bit.ly/x3"


@pytest.fixture
async def operated(database_url: str, redis_url: str | None) -> AsyncIterator[Harness]:
    """The bot with its operators, and its engine sending."""
    async with operated_bot(database_url, redis_url, sending=True) as running:
        yield running


async def launch_flagged(harness: Harness, chat: MemberChat, recipient: int) -> str:
    """Onboard, compose the flagged text for one Telegram recipient, launch; the answer."""
    await onboard(chat)
    harness.sandbox.telegram.add_user(recipient)
    member = await Member.get(accounts__external_id=chat.user_id)
    customers = await audience(
        harness, member, [{"telegram_id": recipient, "first_name": "Ana"}], name=chat.user_id
    )
    summary = await compose(chat, customers.id, FLAGGED, "telegram")
    await chat.press(summary, "new:go")
    return (await chat.next()).text or ""


async def test_a_flagged_launch_waits_and_runs_once_approved(
    operated: Harness, platform: Platform
) -> None:
    operator = operator_chat(operated)
    chat = operated.chat(platform)
    held = await launch_flagged(operated, chat, 4601)
    assert "needs a look from our team" in held
    assert '• a phrase common in spam: "claim your prize"' in held
    assert "• a shortened link, which hides where it leads: bit.ly" in held
    campaign = await Campaign.get()
    member = await Member.get()
    assert campaign.status is CampaignStatus.REVIEW
    assert campaign.hold_reason == "screening"
    assert {finding["kind"] for finding in campaign.findings or []} == {"phrase", "shortener"}
    assert operated.sandbox.telegram.inbox(4601) == [], "nothing sends while held"

    notice = await operator.next()
    assert notice.text == (
        f'Campaign #{campaign.id} "Spring sale" of member {member.id} waits for review: '
        "flagged by screening."
    )
    await operator.press(notice, "adm:review")
    queue = await operator.next()
    assert "Campaigns waiting for review: 1" in (queue.text or "")
    assert f"#{campaign.id} of member {member.id}: flagged by screening" in (queue.text or "")
    await operator.press(queue, f"adm:rv:open:{campaign.id}")
    card = await operator.next()
    assert "Recipients: 1" in (card.text or "")
    assert (card.text or "").endswith(FLAGGED)
    [viewed] = await AuditEntry.filter(action="view_campaign")
    assert (viewed.operator, viewed.member_id, viewed.subject, viewed.reason) == (
        f"telegram:{OPERATOR}",
        member.id,
        f"campaign:{campaign.id}",
        "review queue",
    )

    await operator.press(card, f"adm:rv:ok:{campaign.id}")
    assert (await operator.next()).text == (
        f"Approved #{campaign.id}: it is sending now; its member was told."
    )
    told = await until_text(chat, "Our team approved")
    assert told == 'Our team approved "Spring sale": it is being sent now.'
    report = await until_text(chat, "Report of")
    assert "Sent: 1" in report
    assert [m.text for m in operated.sandbox.telegram.inbox(4601)] == [
        "Hi Ana, claim your prize at bit.ly/x3"
    ]
    assert await AuditEntry.filter(action="approve_campaign", member_id=member.id).count() == 1


async def test_a_rejected_campaign_returns_to_the_drafts_with_the_reason(
    operated: Harness,
) -> None:
    operator = operator_chat(operated)
    chat = operated.chat(Platform.LINE)
    await launch_flagged(operated, chat, 4611)
    campaign = await Campaign.get()
    await operator.next()  # the notice
    await operator.send("/admin")
    menu = await operator.next()
    await operator.press(menu, "adm:review")
    await operator.press(await operator.next(), f"adm:rv:open:{campaign.id}")
    card = await operator.next()
    await operator.press(card, f"adm:rv:no:{campaign.id}")
    assert "Type the reason" in ((await operator.next()).text or "")
    await operator.send("x" * 501)
    assert "at most 500 characters" in ((await operator.next()).text or "")
    reason = "Shortened links are not allowed: link to your own site."
    await operator.send(reason)
    assert (await operator.next()).text == (
        f"Rejected #{campaign.id}: it is draft now; its member was told why."
    )
    told = await until_text(chat, "did not approve")
    assert told.startswith(f'Our team did not approve "Spring sale": {reason}\nNothing was sent')
    rejected = await Campaign.get()
    assert (rejected.status, rejected.review_note) == (CampaignStatus.DRAFT, reason)
    [entry] = await AuditEntry.filter(action="reject_campaign")
    assert (entry.reason, entry.subject) == (reason, f"campaign:{campaign.id}")

    await operator.press(card, f"adm:rv:ok:{campaign.id}")  # a second decision, too late
    late = (await operator.next()).text or ""
    assert f"Campaign #{campaign.id} no longer waits for review: it is draft" in late
    assert (await Campaign.get()).status is CampaignStatus.DRAFT
    assert operated.sandbox.telegram.inbox(4611) == []


async def test_a_non_operator_is_refused_and_a_member_may_cancel_while_held(
    operated: Harness,
) -> None:
    operator = operator_chat(operated)
    chat = operated.chat(Platform.LINE)
    await launch_flagged(operated, chat, 4621)
    campaign = await Campaign.get()
    notice = await operator.next()
    await operator.press(notice, "adm:review")
    await operator.press(await operator.next(), f"adm:rv:open:{campaign.id}")
    operator_card = await operator.next()

    await chat.send("/admin")
    assert "I don't know the command /admin" in ((await chat.next()).text or "")
    forged_payloads = (
        f"adm:rv:ok:{campaign.id}",
        f"adm:rv:open:{campaign.id}",
        "adm:review",
        "adm:rules:off:1",
    )
    for forged in forged_payloads:
        await operated.sandbox.line.press_postback(chat.user_id, forged)
        answer = (await chat.next()).text or ""
        assert "expired" in answer
        assert "Spring sale" not in answer
    assert (await Campaign.get()).status is CampaignStatus.REVIEW
    assert await AuditEntry.filter(action="approve_campaign").count() == 0
    assert (await ScreeningRule.get(id=1)).active

    await chat.send("/campaigns")
    listing = await chat.next()
    assert "Spring sale: held for review" in (listing.text or "")
    await chat.press(listing, f"cmp:open:{campaign.id}")
    card = await chat.next()
    assert "• a shortened link" in (card.text or "")
    await chat.press(card, f"cmp:cancel:{campaign.id}")
    await chat.press(await chat.next(), f"cmp:cancelok:{campaign.id}")
    assert "Cancelled" in ((await chat.next()).text or "")

    # The operator's card was opened before the member cancelled: approving changes nothing.
    await operator.press(operator_card, f"adm:rv:ok:{campaign.id}")
    late = (await operator.next()).text or ""
    assert f"Campaign #{campaign.id} no longer waits for review: it is cancelled" in late
    assert (await Campaign.get()).status is CampaignStatus.CANCELLED
    assert await AuditEntry.filter(action="approve_campaign").count() == 0
    await operator.send("/admin")
    await operator.press(await operator.next(), "adm:review")
    assert (await operator.next()).text == "No campaign waits for review."
    assert operated.sandbox.telegram.inbox(4621) == []


async def test_the_operator_edits_the_screening_rules(operated: Harness) -> None:
    operator = operator_chat(operated)
    screening = operated.app.services.screening
    await operator.send("/admin")
    await operator.press(await operator.next(), "adm:rules")
    overview = await operator.next()
    shorteners = await ScreeningRule.filter(kind="shortener").count()
    assert f"• Link shorteners: {shorteners} / {shorteners}" in (overview.text or "")
    await operator.press(overview, "adm:rules:k:shortener:0")
    page = await operator.next()
    bitly = await ScreeningRule.get(value="bit.ly")
    assert f"#{bitly.id} bit.ly (on)" in (page.text or "")
    await operator.press(page, f"adm:rules:off:{bitly.id}")
    assert (await operator.next()).text == f"Rule #{bitly.id} (bit.ly) is off."
    assert await screening.screen("see bit.ly/x") == []

    await operator.press(overview, "adm:rules:k:phrase:0")
    await operator.press(await operator.next(), "adm:rules:add:phrase")
    assert "es: has ganado" in ((await operator.next()).text or "")
    await operator.send("es: Oferta Única")
    added = (await operator.next()).text or ""
    rule = await ScreeningRule.get(value="Oferta Única")
    assert added == f"Added rule #{rule.id}: Oferta Única"
    assert (rule.locale, rule.created_by) == ("es", f"telegram:{OPERATOR}")
    [finding] = await screening.screen("¡oferta unica!")
    assert finding.rule_id == rule.id

    await operator.press(overview, "adm:rules:k:capitals:0")
    capitals = await operator.next()
    assert "0.6 (on)" in (capitals.text or "")
    await operator.press(capitals, "adm:rules:add:capitals")
    await operator.next()
    await operator.send("lots")
    assert "between 0 and 1" in ((await operator.next()).text or "")


async def test_a_deleted_account_leaves_the_queue(operated: Harness) -> None:
    chat = operated.chat(Platform.TELEGRAM)
    await launch_flagged(operated, chat, 4631)
    member = await Member.get()
    await operated.app.services.accounts.delete(member)
    campaign = await Campaign.get()
    assert campaign.status is CampaignStatus.CANCELLED, "no approval can send it any more"
    assert await operated.app.services.reviews.queue() == ([], 0)


async def test_a_suspended_members_held_campaign_stays_held_when_approved(
    operated: Harness,
) -> None:
    operator = operator_chat(operated)
    chat = operated.chat(Platform.TELEGRAM)
    await launch_flagged(operated, chat, 4605)
    campaign = await Campaign.get()
    notice = await operator.next()
    await operated.app.services.suspensions.suspend(
        campaign.member_id,  # type: ignore[attr-defined]
        reason="Under investigation",
        operator=f"telegram:{OPERATOR}",
    )

    await operator.press(notice, "adm:review")
    await operator.press(await operator.next(), f"adm:rv:open:{campaign.id}")
    await operator.press(await operator.next(), f"adm:rv:ok:{campaign.id}")
    answer = await operator.next()
    assert answer.text == (
        f"Campaign #{campaign.id} stays held: its member's account may not send now "
        "(suspended or deleted). Nothing was changed."
    )
    assert (await Campaign.get(id=campaign.id)).status is CampaignStatus.REVIEW
    assert operated.sandbox.telegram.inbox(4605) == []
    assert not await AuditEntry.filter(action="approve_campaign").exists()
