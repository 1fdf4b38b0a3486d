"""/deleteaccount: disabled at once, restorable for 30 days, then purged; opt-outs outlive it."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

from bot.services.terms import TERMS_VERSION
from models import (
    Campaign,
    CampaignStatus,
    Contact,
    ContactList,
    ForgottenOptOut,
    Member,
    MemberStatus,
    Platform,
    Suppression,
    SuppressionSource,
    UsageRecord,
)
from tests.conversation.test_campaigns import audience, compose, picture
from tests.conversation.test_lists import _import
from tests.support.chats import MemberChat, button_data
from tests.support.contacts import contact_with_phone, phone_key, sealer
from tests.support.harness import Harness
from tests.support.onboarding import onboard


async def delete_account(chat: MemberChat) -> str:
    """/deleteaccount and confirm; returns the answer."""
    await chat.send("/deleteaccount")
    question = await chat.next()
    assert button_data(question) == ["acct:delete", "acct:keep"]
    await chat.press(question, "acct:delete")
    return (await chat.next()).text or ""


async def test_deleting_cancels_everything_and_restore_undoes_it(
    harness: Harness, platform: Platform
) -> None:
    chat = harness.chat(platform)
    await onboard(chat, timezone="Asia/Tokyo")
    customers = await audience(harness, await Member.get(), [{"telegram_id": 8001}])
    summary = await compose(chat, customers.id, "Later", "telegram", when=["23:30"])
    await chat.press(summary, "new:go")
    await chat.next()  # scheduled for...
    assert (await Campaign.get()).status is CampaignStatus.SCHEDULED

    await chat.send("/deleteaccount")
    await chat.press(await chat.next(), "acct:keep")
    assert "Nothing changed" in ((await chat.next()).text or "")
    assert (await Member.get()).status is MemberStatus.ACTIVE

    # New terms the member has not accepted: they may still leave.
    await Member.all().update(terms_version="1999-01-01")
    answer = await delete_account(chat)
    assert "Your account is deleted" in answer
    member = await Member.get()
    assert member.status is MemberStatus.DELETED
    harness.clock.advance(timedelta(days=1))
    assert await delete_account(chat) == answer, "deleting again does not restart the window"
    assert (await Campaign.get()).status is CampaignStatus.CANCELLED, "nothing will send"
    for attempt in ("/lists", "/new", "hello", "/start"):
        await chat.send(attempt)
        assert "/restore" in ((await chat.next()).text or ""), attempt
    await chat.send("/mydata")  # their data stays theirs to take
    assert "Gathering" in ((await chat.next()).text or "")
    await chat.next()  # the archive

    await chat.send("/restore")
    assert "Welcome back" in ((await chat.next()).text or "")
    await Member.all().update(terms_version=TERMS_VERSION)
    await chat.send("/lists")
    assert "Customers" in ((await chat.next()).text or "")
    await chat.send("/restore")
    assert "nothing to restore" in ((await chat.next()).text or "")


async def test_a_purged_account_leaves_only_hashed_opt_outs_that_still_hold(
    harness: Harness, worker: None, database_url: str
) -> None:
    chat = harness.chat(Platform.TELEGRAM)
    await onboard(chat, timezone="Europe/Madrid")
    member = await Member.get()
    await audience(harness, member, [{"phone": "+34622333444", "first_name": "Olvido"}])
    number = phone_key(harness, "+34622333444")
    for key, channel in ((number, "phone"), ("telegram:8101", "telegram")):
        await Suppression.create(
            member=member, key=key, channel=channel, source=SuppressionSource.KEYWORD
        )
    await UsageRecord.create(
        member_id=member.id,
        sent_at=harness.clock(),
        channel="telegram",
        account="1",
        recipient=sealer(harness).seal("8101"),
        units=1,
        status="sent",
    )
    await delete_account(chat)

    accounts = harness.app.services.accounts
    harness.clock.advance(timedelta(days=29))
    assert await accounts.purge_expired() == 0, "still restorable"
    harness.clock.advance(timedelta(days=2))
    assert await accounts.purge_expired() == 1
    assert not await Member.exists()
    assert not await Contact.exists()
    assert not await ContactList.exists()
    assert not await Suppression.exists()
    assert await UsageRecord.filter(member_id=member.id).count() == 1, "billing keeps usage"
    assert await ForgottenOptOut.all().count() == 2
    if database_url.startswith("sqlite://"):
        path = Path(database_url.removeprefix("sqlite://"))
        with sqlite3.connect(path) as db:
            kept = db.execute("SELECT account_hash, key_hash FROM forgotten_opt_out").fetchall()
        assert not any("34622333444" in cell or "8101" in cell for row in kept for cell in row)

    # The business comes back from the same chat account, with the same people.
    await onboard(chat, timezone="Europe/Madrid")
    again = await Member.get()
    assert again.id != member.id
    assert again.inherited_opt_outs
    csv = b"phone,first_name\n+34622333444,Olvido\n+34611000111,Nuevo\n"
    report = await _import(chat, "again.csv", csv, list_name="Again")
    assert "Skipped, opted out: 1" in report
    assert await contact_with_phone(harness, "+34622333444") is None

    harness.sandbox.telegram.add_user(8101)
    harness.sandbox.telegram.add_user(8102)
    returning = await audience(harness, again, [{"telegram_id": 8101}, {"telegram_id": 8102}])
    summary = await compose(chat, returning.id, "Hello again", "telegram")
    await chat.press(summary, "new:go")
    _, report_message = await picture(chat)
    assert "Sent: 1" in (report_message.text or "")
    assert harness.sandbox.telegram.inbox(8101) == [], "the opt-out held through the purge"
    assert len(harness.sandbox.telegram.inbox(8102)) == 1
