"""Usage records: one per platform answer, itemised, shown by /usage and kept for billing."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import aiohttp

from bot.services.usage import Month
from models import Member, Platform, UsageRecord
from tests.conversation.test_campaigns import audience, compose, document, picture
from tests.support.chats import MemberChat, button_data
from tests.support.contacts import sealer
from tests.support.harness import Harness
from tests.support.onboarding import onboard


async def test_every_send_is_recorded_with_its_account_recipient_and_units(
    harness: Harness, worker: None
) -> None:
    chat = harness.chat(Platform.TELEGRAM)
    await onboard(chat)
    sandbox = harness.sandbox
    sandbox.telegram.add_user(6001)
    line_user = sandbox.line.add_user(sandbox.line.new_user_id())
    customers = await audience(
        harness,
        await Member.get(),
        [
            {"telegram_id": 6001, "first_name": "Ana"},
            # Never started the bot: Telegram refuses, LINE delivers.
            {"telegram_id": 6002, "line_id": line_user, "first_name": "Luis"},
        ],
    )
    summary = await compose(chat, customers.id, "Hi {first_name}, 20% off", "telegram", "line")
    await chat.press(summary, "new:go")
    await picture(chat)  # the report's chart: the campaign has ended

    records = await UsageRecord.all().order_by("id")
    member = await Member.get()
    assert len(records) == 3, "one record per platform answer"
    opened = sealer(harness).open
    seen = {(item.channel, opened(item.recipient), item.status, item.units) for item in records}
    assert seen == {
        ("telegram", "6001", "sent", 1),
        ("telegram", "6002", "failed", 0),  # refused: recorded, not billed
        ("line", line_user, "sent", 1),
    }
    accounts = {channel.value: sender.account for channel, sender in harness.app.senders.items()}
    assert accounts["telegram"] == sandbox.credentials.telegram_token.split(":")[0], "the bot id"
    for item in records:
        assert (item.member_id, item.account) == (member.id, accounts[item.channel])
        assert item.campaign_id is not None
    # The records hold no message: no column carries the text.
    assert not any("20% off" in str(value) for item in records for value in vars(item).values())


async def test_usage_shows_the_month_and_the_statement_adds_up(harness: Harness) -> None:
    chat = harness.chat(Platform.LINE)
    await onboard(chat, timezone="Asia/Tokyo")
    member = await Member.get()
    now = harness.clock()
    sends = [("telegram", "sent", 1)] * 3 + [("line", "sent", 1)] * 2 + [("line", "failed", 0)]
    for index, (channel, status, units) in enumerate(sends):
        await record(harness, member.id, now - timedelta(minutes=index), channel, status, units)
    await record(harness, member.id + 1, now, "telegram", "sent", 1)  # someone else's
    month = Month.of(now, ZoneInfo("Asia/Tokyo"))
    key = f"{month.year}-{month.month:02d}"

    await chat.send("/usage")
    shown = await chat.next()
    text = shown.text or ""
    assert f"Usage in {month.start:%B} {month.year} so far:" in text
    assert "• Telegram: 3 messages" in text
    assert "• LINE: 2 messages (1 refused by the platform, not billed)" in text
    assert "Total: 5" in text

    await chat.press(shown, f"usage:csv:{key}")
    rows = list(csv.reader(io.StringIO((await document(chat)).decode("utf-8-sig"))))
    header = ["time", "channel", "sending account", "recipient", "units", "campaign", "status"]
    assert rows[0] == header
    assert len(rows) == 1 + len(sends), "every record of the member's, no one else's"
    assert sum(int(row[4]) for row in rows[1:]) == 5
    assert all(row[0].endswith("+09:00") for row in rows[1:]), "times in the member's zone"
    assert all(row[3].startswith("'+346") for row in rows[1:]), "safe to open in a spreadsheet"

    await chat.press(shown, f"usage:chart:{key}")
    assert (await image(chat)).startswith(b"\x89PNG")

    [previous] = [data for data in button_data(shown) if data.startswith("usage:month:")]
    await chat.press(shown, previous)
    assert "No messages sent." in ((await chat.next()).text or "")


async def test_bad_months_get_a_clear_answer(harness: Harness) -> None:
    chat = harness.chat(Platform.TELEGRAM)
    await onboard(chat)
    for typed in ("/usage 2026-13", "/usage last", "/usage 2999-01"):
        await chat.send(typed)
        assert "/usage 2026-10" in ((await chat.next()).text or ""), typed
    line = harness.chat(Platform.LINE)  # LINE lets anyone post any payload
    await onboard(line)
    for forged in ("usage:csv:abc", "usage:chart:2026-00", "usage:month:99999-1"):
        await harness.sandbox.line.press_postback(line.user_id, forged)
        assert "expired" in ((await line.next()).text or ""), forged


async def test_usage_records_are_purged_after_their_retention(harness: Harness) -> None:
    now = harness.clock()
    retention = timedelta(days=harness.app.settings.RETENTION_USAGE_DAYS)
    await record(harness, 1, now - retention - timedelta(days=1), "telegram", "sent", 1)
    await record(harness, 1, now - retention + timedelta(days=1), "telegram", "sent", 1)
    assert await harness.app.services.usage.purge_expired() == 1
    [kept] = await UsageRecord.all()
    assert kept.sent_at > now - retention


async def record(
    harness: Harness, member_id: int, at: datetime, channel: str, status: str, units: int
) -> None:
    """A usage record as the dispatcher writes it (the recipient sealed)."""
    await UsageRecord.create(
        member_id=member_id,
        campaign_id=7,
        delivery_id=None,
        sent_at=at,
        channel=channel,
        account="1234567",
        recipient=sealer(harness).seal(
            "+346120000" + str(await UsageRecord.all().count()).zfill(2)
        ),
        units=units,
        status=status,
    )


async def image(chat: MemberChat) -> bytes:
    """The next picture the bot sends: attached on Telegram, fetched by its link on LINE."""
    message = await chat.next()
    if message.document is not None:
        return message.document[1]
    [shown] = [m for m in message.raw["messages"] if m["type"] == "image"]
    async with aiohttp.ClientSession() as http, http.get(shown["originalContentUrl"]) as answer:
        return await answer.read()
