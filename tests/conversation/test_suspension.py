"""Suspension: the operator stops a member's sending, the member appeals, the operator answers
and lifts it, the member resumes. The operator and the member chat through the sandbox."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.sandbox import SentMessage
from models import (
    Appeal,
    AuditEntry,
    Campaign,
    CampaignStatus,
    InboundReply,
    Member,
    MemberStatus,
    Platform,
)
from tests.conversation.test_account_deletion import delete_account
from tests.conversation.test_admin import operated
from tests.conversation.test_campaigns import audience, compose, until_text
from tests.conversation.test_campaigns_manage import _audience_ready, sending
from tests.support.chats import MemberChat, button_data
from tests.support.harness import Harness
from tests.support.onboarding import onboard
from tests.support.operators import OPERATOR_TELEGRAM, operator_chat

__all__ = ["operated"]  # the fixture, shared with the operator's other tests

REASON = "Your recipients report these messages as spam."


async def open_card(operator: MemberChat, query: str) -> SentMessage:
    """/admin, Members, type `query`, open the first member found; returns the card."""
    await operator.send("/admin")
    await operator.press(await operator.next(), "adm:members")
    assert "member number" in ((await operator.next()).text or "")
    await operator.send(query)
    found = await operator.next()
    assert found.buttons, found.text
    await operator.press(found, button_data(found)[0])
    return await operator.next()


async def suspend(operator: MemberChat, card: SentMessage, member_id: int) -> str:
    """Press Suspend on the card and type the reason; returns the operator's confirmation."""
    await operator.press(card, f"adm:do:suspend:{member_id}")
    question = await operator.next()
    assert "Type the reason" in (question.text or "")
    assert button_data(question) == ["adm:why:cancel"], "the member reads the operator's words"
    await operator.send(REASON)
    done = (await operator.next()).text or ""
    await operator.next()  # the card again
    return done


async def test_a_suspension_stops_sending_until_an_appeal_lifts_it(
    operated: Harness, platform: Platform
) -> None:
    chat = operated.chat(platform)
    await onboard(chat)
    member = await Member.get()
    for chat_id in (5101, 5102):
        operated.sandbox.telegram.add_user(chat_id)
    customers = await audience(operated, member, [{"telegram_id": 5101}, {"telegram_id": 5102}])
    summary = await compose(chat, customers.id, "Flash sale", "telegram")
    await chat.press(summary, "new:go")
    progress = await chat.next()
    campaign = await Campaign.get()
    assert campaign.status is CampaignStatus.RUNNING
    await _audience_ready(campaign.id)

    operator = operator_chat(operated)
    card = await open_card(operator, str(member.id))
    assert "Status: active" in (card.text or "")
    assert "1 lists, 2 contacts, 1 campaigns" in (card.text or "")
    assert "Flash sale" not in (card.text or ""), "the card shows no content"
    assert not await AuditEntry.exists(), "counts are not the member's content"
    done = await suspend(operator, card, member.id)
    assert f"Member {member.id} is suspended; 1 running campaign was paused" in done

    told = await until_text(chat, "suspended")
    assert REASON in told
    assert "/appeal" in told
    assert (await Campaign.get()).status is CampaignStatus.PAUSED
    async with sending(operated):
        await asyncio.sleep(0.3)  # the workers took the chunk and saw the pause
        assert operated.sandbox.telegram.inbox(5101) == []
        assert operated.sandbox.telegram.inbox(5102) == []

        for attempt in ("/lists", "/new", "/start", "/language", "hello"):
            await chat.send(attempt)
            answer = (await chat.next()).text or ""
            assert REASON in answer, attempt
            assert "/appeal" in answer, attempt
        # A button of the campaign's, pressed while suspended (LINE: any payload at all).
        await chat.press(progress, button_data(progress)[0])
        assert REASON in ((await chat.next()).text or "")
        if platform is Platform.LINE:
            await operated.sandbox.line.press_postback(chat.user_id, f"cmp:resume:{campaign.id}")
            assert REASON in ((await chat.next()).text or "")
        assert (await Campaign.get()).status is CampaignStatus.PAUSED, "no resume while suspended"
        assert (await Member.get()).status is MemberStatus.SUSPENDED

        await chat.send("/appeal")
        assert "Write your message" in ((await chat.next()).text or "")
        await chat.send("They are my own customers, who asked for it.")
        assert "Your appeal is sent" in ((await chat.next()).text or "")
        await chat.send("/appeal I can show their consent records.")
        assert "Added to your open appeal" in ((await chat.next()).text or "")
        alert = await operator.next()
        assert f"Member {member.id} appealed" in (alert.text or "")
        [appeal_button] = button_data(alert)
        await operator.next()  # the addition is announced too

        await operator.press(alert, appeal_button)
        opened = await operator.next()
        assert "They are my own customers" in (opened.text or "")
        assert "consent records" in (opened.text or "")
        appeal_id = appeal_button.removeprefix("adm:ap:")
        await operator.press(opened, f"adm:aplift:{appeal_id}")
        assert "Type your answer" in ((await operator.next()).text or "")
        await operator.send("Thank you: the suspension is lifted.")
        assert "Your answer is sent" in ((await operator.next()).text or "")
        assert "Status: active" in ((await operator.next()).text or "")

        answer = await until_text(chat, "answered your appeal")
        assert "Thank you: the suspension is lifted." in answer
        lifted = await until_text(chat, "suspension is lifted")
        assert "/campaigns" in lifted, "paused campaigns are the member's to resume"
        assert (await Campaign.get()).status is CampaignStatus.PAUSED

        await chat.send("/campaigns")
        listing = await chat.next()
        await chat.press(listing, f"cmp:open:{campaign.id}")
        card = await chat.next()
        await chat.press(card, f"cmp:resume:{campaign.id}")
        assert "Resumed" in (await until_text(chat, "Resumed"))
        report = await until_text(chat, "Report of")
    assert "Sent: 2" in report

    entries = await AuditEntry.filter(member_id=member.id).order_by("id")
    assert [entry.action for entry in entries] == ["suspend", "answer_appeal", "lift"]
    assert {entry.operator for entry in entries} == {f"telegram:{OPERATOR_TELEGRAM}"}
    assert entries[0].reason == REASON


async def test_an_appeal_is_not_taken_for_a_recipients_reply(
    operated: Harness, platform: Platform
) -> None:
    chat = operated.chat(platform)
    await onboard(chat)
    member = await Member.get()
    other = operated.chat(Platform.TELEGRAM if platform is Platform.LINE else Platform.LINE)
    await onboard(other)
    # The suspended member is also on another member's list, as a recipient.
    address = {"telegram_id": int(chat.user_id)} if platform is Platform.TELEGRAM else {}
    address = address or {"line_id": chat.user_id}
    await audience(operated, await Member.exclude(id=member.id).get(), [address])
    await operated.app.services.suspensions.suspend(
        member.id, reason=REASON, operator="telegram:900001"
    )

    await chat.send("/appeal")
    assert "Write your message" in ((await chat.next()).text or "")
    await chat.send("Please look again.")
    assert "Your appeal is sent" in ((await chat.next()).text or "")
    assert not await InboundReply.exists(), "the appeal is nobody's reply"
    assert (await Appeal.get()).text == "Please look again."


async def test_deleting_and_restoring_is_no_way_out_of_a_suspension(
    operated: Harness,
) -> None:
    chat = operated.chat(Platform.LINE)
    await onboard(chat)
    member = await Member.get()
    await operated.app.services.suspensions.suspend(
        member.id, reason=REASON, operator="telegram:900001"
    )
    await delete_account(chat)
    await chat.send("/restore")
    restored = (await chat.next()).text or ""
    assert "restored, and still suspended" in restored
    assert REASON in restored
    assert (await Member.get()).status is MemberStatus.SUSPENDED
    await chat.send("/lists")
    assert REASON in ((await chat.next()).text or "")


async def test_a_scheduled_campaign_waits_while_its_member_is_suspended(
    operated: Harness,
) -> None:
    chat = operated.chat(Platform.TELEGRAM)
    await onboard(chat)
    member = await Member.get()
    operated.sandbox.telegram.add_user(5201)
    customers = await audience(operated, member, [{"telegram_id": 5201}])
    summary = await compose(chat, customers.id, "Later", "telegram", when=["23:30"])
    await chat.press(summary, "new:go")
    await chat.next()  # scheduled for...
    suspensions = operated.app.services.suspensions
    await suspensions.suspend(member.id, reason=REASON, operator="telegram:900001")

    operated.clock.advance(timedelta(days=1))
    campaigns = operated.app.services.campaigns
    assert await campaigns.start_due() == 0
    assert (await Campaign.get()).status is CampaignStatus.SCHEDULED

    await suspensions.lift(member.id, operator="telegram:900001", reason="reviewed")
    assert await campaigns.start_due() == 1
    assert (await Campaign.get()).status is CampaignStatus.RUNNING


async def test_appeals_wait_oldest_first_and_an_answer_alone_keeps_the_suspension(
    operated: Harness,
) -> None:
    chats = [operated.chat(Platform.TELEGRAM), operated.chat(Platform.LINE)]
    members = []
    for chat in chats:
        await onboard(chat)
        members.append(await Member.get(accounts__external_id=chat.user_id))
    suspensions = operated.app.services.suspensions
    for member in members:
        await suspensions.suspend(member.id, reason=REASON, operator="telegram:900001")
    operator = operator_chat(operated)
    operated.sandbox.telegram.add_user(OPERATOR_TELEGRAM)  # has a chat with the bot
    for chat, words in zip(chats, ("First in line", "Second in line"), strict=True):
        await chat.send(f"/appeal {words}")
        assert "Your appeal is sent" in ((await chat.next()).text or "")
        await operator.next()  # the alert
        operated.clock.advance(timedelta(minutes=1))

    await operator.send("/admin")
    await operator.press(await operator.next(), "adm:appeals")
    queue = await operator.next()
    first, second = await Appeal.all().order_by("created_at")
    assert button_data(queue) == [f"adm:ap:{first.id}", f"adm:ap:{second.id}"]
    await operator.press(queue, f"adm:ap:{first.id}")
    opened = await operator.next()
    assert "First in line" in (opened.text or "")
    assert f"adm:m:{members[0].id}" in button_data(opened)
    await operator.press(opened, f"adm:apans:{first.id}")
    await operator.next()
    await operator.send("We will look at your consent records first.")
    assert "Your answer is sent" in ((await operator.next()).text or "")
    assert "Status: suspended" in ((await operator.next()).text or "")
    answer = (await chats[0].next()).text or ""
    assert "We will look at your consent records first." in answer
    assert (await Member.get(id=members[0].id)).status is MemberStatus.SUSPENDED

    await operator.press(opened, f"adm:aplift:{first.id}")  # answered meanwhile
    assert "answered already" in ((await operator.next()).text or "")
    await operator.send("/admin")
    await operator.press(await operator.next(), "adm:appeals")
    assert button_data(await operator.next()) == [f"adm:ap:{second.id}"]
