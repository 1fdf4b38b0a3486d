"""Campaigns from chat: compose, summary, test, launch, progress, report, chart and CSV.

The dispatcher's engine runs in the test's event loop (as the embedded default runs it); the
recipients are the sandbox's Telegram and LINE users.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp

from bot.charts import ChartDrawer
from bot.sandbox import SentMessage
from models import (
    Campaign,
    CampaignStatus,
    ConsentSource,
    Contact,
    ContactList,
    ListMembership,
    Member,
    Platform,
    Suppression,
    SuppressionSource,
)
from tests.support.chats import MemberChat, button_data
from tests.support.contacts import sealed
from tests.support.harness import Harness, running_bot
from tests.support.onboarding import onboard
from tests.support.operators import engine_running


async def audience(
    harness: Harness, member: Member, contacts: list[dict[str, Any]], *, name: str = "Customers"
) -> ContactList:
    """A list of the member's with these contacts, as an import would leave it."""
    contact_list = await ContactList.create(
        member=member, name=name, opt_in_token=f"t{member.id}{name}{len(contacts)}"[:32]
    )
    for fields in contacts:
        contact = await Contact.create(
            member=member,
            consent_source=ConsentSource.FILE_IMPORT,
            consent_at=harness.clock(),
            consent_by=f"member:{member.id}",
            **sealed(harness, fields),
        )
        await ListMembership.create(contact_list=contact_list, contact=contact)
    return contact_list


async def to_schedule(
    chat: MemberChat,
    list_id: int,
    text: str,
    *channels: str,
    template: tuple[str, str, str] | None = None,
    image: bytes | None = None,
) -> SentMessage:
    """/new through name, list, everyone, message, picture (`image` sent as a photo, or none),
    channels and WhatsApp's `template` (name, language, parameters as typed); returns
    "When…?"."""
    question = await to_picture(chat, list_id, text)
    if image is None:
        await chat.press(question, "new:img:none")
    else:
        await chat.send_photo(image)
        assert (await chat.next()).text == "Picture added."
    question = await chat.next()
    for channel in channels:
        await chat.press(question, f"new:ch:{channel}")
        question = await chat.next()
    await chat.press(question, "new:ch_done")
    for answer in template or ():
        await chat.next()
        await chat.send(answer)
    return await chat.next()


async def to_picture(chat: MemberChat, list_id: int, text: str) -> SentMessage:
    """/new through name, list, everyone and message; returns "A picture above the text?"."""
    await chat.send("/new")
    await chat.next()
    await chat.send("Spring sale")
    await chat.press(await chat.next(), f"new:list:{list_id}")
    await chat.press(await chat.next(), "new:lists_done")
    await chat.press(await chat.next(), "new:tag:none")
    await chat.next()  # the message, please
    await chat.send(text)
    await chat.next()  # the first recipient will get...
    return await chat.next()


async def compose(
    chat: MemberChat, list_id: int, text: str, *channels: str, when: list[str] | None = None
) -> SentMessage:
    """The whole dialog up to the summary; `when` are typed times, all but the last refused."""
    schedule = await to_schedule(chat, list_id, text, *channels)
    await choose_time(chat, schedule, when)
    return await chat.next()


async def choose_time(chat: MemberChat, schedule: SentMessage, when: list[str] | None) -> None:
    """Answer "When…?" (now, or the typed times) and keep the default quiet hours."""
    if when is None:
        await chat.press(schedule, "new:now")
        quiet = await chat.next()
    else:
        await chat.press(schedule, "new:later")
        await chat.next()
        for moment in when:
            await chat.send(moment)
            quiet = await chat.next()
    await chat.press(quiet, "new:quiet:default")


async def _fetch(url: str) -> bytes:
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        assert response.status == 200
        return await response.read()


async def document(chat: MemberChat) -> bytes:
    """The next file the bot sends: attached on Telegram, behind a download link on LINE."""
    message = await chat.next()
    if message.document is not None:
        return message.document[1]
    match = re.search(r"https?://\S+", message.text or "")
    assert match, message.text
    return await _fetch(match.group(0))


async def picture(chat: MemberChat) -> tuple[bytes, SentMessage]:
    """The next picture (skipping progress messages) and the message after it."""
    while True:
        message = await chat.next()
        if message.document is not None and message.document[0].endswith(".png"):
            return message.document[1], await chat.next()
        images = [m for m in message.raw.get("messages", []) if m.get("type") == "image"]
        if message.text is None and images:
            return await _fetch(images[0]["originalContentUrl"]), await chat.next()


def _is_picture(message: SentMessage) -> bool:
    if message.document is not None:
        return message.document[0].endswith(".png")
    return any(m.get("type") == "image" for m in message.raw.get("messages", []))


async def until_text(chat: MemberChat, fragment: str) -> str:
    """The text of the next bot message containing `fragment`, skipping others."""
    while fragment not in (text := (await chat.next()).text or ""):
        continue
    return text


async def test_a_composed_campaign_reaches_everyone_and_is_reported(
    harness: Harness, platform: Platform, worker: None
) -> None:
    chat = harness.chat(platform)
    await onboard(chat)
    member = await Member.get()
    harness.sandbox.telegram.add_user(4001)
    line_user = harness.sandbox.line.add_user(harness.sandbox.line.new_user_id())
    customers = await audience(
        harness,
        member,
        [
            {"telegram_id": 4001, "first_name": "Ana"},
            {"line_id": line_user, "first_name": "Luis", "attributes": {"city": "Lugo"}},
            {"telegram_id": 4003, "first_name": "Eva"},
        ],
    )
    await Suppression.create(
        member=member, key="telegram:4003", channel="telegram", source=SuppressionSource.KEYWORD
    )

    summary = await compose(
        chat, customers.id, "Hi {first_name|there} from {city|town}!", "telegram", "line"
    )
    text = summary.text or ""
    assert "Recipients: 2" in text
    assert "• Telegram: 1" in text
    assert "• LINE: 1" in text
    assert "Skipped, opted out: 1" in text
    assert "Usage estimate: 2 messages" in text
    assert "Hi Ana from town!" in text, "previewed for the first recipient"

    await chat.press(summary, "new:test")
    test = await chat.next()
    assert test.text == "Test message (only you got it):\n\nHi Ana from town!"
    assert harness.sandbox.telegram.inbox(4001) == [], "a test goes to the member only"

    await chat.press(summary, "new:go")
    progress = await chat.next()
    assert "Spring sale" in (progress.text or "")
    assert any(data.startswith("cmp:pause:") for data in button_data(progress))
    chart, report = await picture(chat)
    assert chart.startswith(b"\x89PNG")
    assert "Sent: 2" in (report.text or "")
    assert "Skipped, opted out: 1" in (report.text or "")
    assert [m.text for m in harness.sandbox.telegram.inbox(4001)] == ["Hi Ana from town!"]
    assert [m.text for m in harness.sandbox.line.inbox(line_user)] == ["Hi Luis from Lugo!"]
    assert harness.sandbox.telegram.inbox(4003) == []
    if platform is Platform.TELEGRAM:  # LINE cannot edit: there the report says it all
        inbox = harness.sandbox.telegram.inbox(int(chat.user_id))
        [final] = [m for m in inbox if m.message_id == progress.message_id]
        assert final.edited
        assert "▓▓▓▓▓▓▓▓▓▓ 100%" in (final.text or "")
        assert "Telegram: 1 sent, 0 failed, 0 to go" in (final.text or "")

    campaign = await Campaign.get()
    assert campaign.status is CampaignStatus.FINISHED
    await chat.press(report, f"cmp:csv:{campaign.id}")
    exported = (await document(chat)).decode("utf-8-sig")
    rows = {row["name"]: row for row in csv.DictReader(io.StringIO(exported))}
    assert set(rows) == {"Ana", "Luis", "Eva"}
    assert (rows["Ana"]["channel"], rows["Ana"]["status"]) == ("telegram", "sent")
    assert rows["Ana"]["telegram_id"] == "4001"
    assert (rows["Eva"]["status"], rows["Eva"]["error_code"]) == ("skipped", "opted_out")
    assert rows["Luis"]["sent_at"].startswith("2026-11-23T10:00")


async def test_the_report_comes_without_its_chart_when_the_chart_cannot_be_drawn(
    database_url: str, redis_url: str | None, platform: Platform
) -> None:
    broken = ChartDrawer(command=(sys.executable, "-c", "import sys; sys.exit(3)"))
    async with (
        running_bot(database_url=database_url, redis_url=redis_url, charts=broken) as harness,
        engine_running(harness),
    ):
        chat = harness.chat(platform)
        await onboard(chat)
        harness.sandbox.telegram.add_user(4101)
        customers = await audience(harness, await Member.get(), [{"telegram_id": 4101}])
        await chat.press(await compose(chat, customers.id, "Hello", "telegram"), "new:go")
        before: list[SentMessage] = []
        while "Sent: 1" not in ((report := await chat.next()).text or ""):
            before.append(report)
    assert not [message for message in before if _is_picture(message)]
    assert [text for text in button_data(report) if text.startswith("cmp:csv:")], "whole"
    assert [m.text for m in harness.sandbox.telegram.inbox(4101)] == ["Hello"]


async def test_a_malformed_placeholder_is_explained(harness: Harness, platform: Platform) -> None:
    chat = harness.chat(platform)
    await onboard(chat)
    customers = await audience(harness, await Member.get(), [{"telegram_id": 4101}])
    await chat.send("/new")
    await chat.next()
    await chat.send("Broken")
    await chat.press(await chat.next(), f"new:list:{customers.id}")
    await chat.press(await chat.next(), "new:lists_done")
    await chat.press(await chat.next(), "new:tag:none")
    await chat.next()  # the message, please

    await chat.send("Hello {first name}, welcome")
    answer = (await chat.next()).text or ""
    assert "letters, digits and _" in answer
    assert "Near character 7" in answer
    await chat.send("Hello {first_name, welcome")
    assert "never closed" in ((await chat.next()).text or "")
    await chat.send("Hello {first_name|friend}}} {{VIP}}")
    preview = (await chat.next()).text or ""
    assert preview.endswith("Hello friend} {VIP}")
    assert "new:img:none" in button_data(await chat.next())
    assert not await Campaign.exists()


async def test_a_scheduled_campaign_starts_at_the_members_local_time(
    harness: Harness, platform: Platform, worker: None
) -> None:
    chat = harness.chat(platform)
    await onboard(chat, timezone="Asia/Tokyo")  # it is 19:00 there when the test starts
    harness.sandbox.telegram.add_user(4201)
    customers = await audience(harness, await Member.get(), [{"telegram_id": 4201}])

    summary = await compose(
        chat, customers.id, "Good morning", "telegram", when=["2026-11-23 18:00", "2026-11-24 9:00"]
    )
    assert "Nov 24, 2026, 9:00:00" in (summary.text or "")
    await chat.press(summary, "new:go")
    scheduled = (await chat.next()).text or ""
    assert scheduled.startswith("Scheduled for Nov 24, 2026, 9:00:00")
    campaign = await Campaign.get()
    assert campaign.status is CampaignStatus.SCHEDULED
    assert campaign.scheduled_at == datetime(2026, 11, 24, 0, 0, tzinfo=UTC)

    campaigns = harness.app.services.campaigns
    harness.clock.advance(timedelta(hours=13, minutes=59))
    assert await campaigns.start_due() == 0
    harness.clock.advance(timedelta(minutes=2))
    assert await campaigns.start_due() == 1
    report = await until_text(chat, "Report of")
    assert "Sent: 1" in report
    assert [m.text for m in harness.sandbox.telegram.inbox(4201)] == ["Good morning"]


async def test_a_past_time_is_refused(harness: Harness, platform: Platform) -> None:
    chat = harness.chat(platform)
    await onboard(chat, timezone="Asia/Tokyo")
    customers = await audience(harness, await Member.get(), [{"telegram_id": 4301}])
    schedule = await to_schedule(chat, customers.id, "Hi", "telegram")
    await chat.press(schedule, "new:later")
    assert "Asia/Tokyo" in ((await chat.next()).text or "")
    await chat.send("2026-11-23 18:59")
    refusal = (await chat.next()).text or ""
    assert "has already passed" in refusal
    assert "7:00:00" in refusal, "now, in the member's timezone"
    await chat.send("tomorrow-ish")
    assert "couldn't read that date" in ((await chat.next()).text or "")


async def test_a_japanese_member_gets_the_report_and_chart_in_japanese(
    harness: Harness, platform: Platform, worker: None
) -> None:
    chat = harness.chat(platform, language="ja")
    await onboard(chat, locale="ja", timezone="Asia/Tokyo")
    harness.sandbox.telegram.add_user(4801)
    customers = await audience(harness, await Member.get(), [{"telegram_id": 4801}])
    summary = await compose(chat, customers.id, "こんにちは {first_name|お客様}", "telegram")
    assert "受信者：1" in (summary.text or "")
    await chat.press(summary, "new:go")
    chart, report = await picture(chat)
    assert chart.startswith(b"\x89PNG"), "drawn even where no font has the Japanese glyphs"
    assert "送信済み：1" in (report.text or "")
    assert [m.text for m in harness.sandbox.telegram.inbox(4801)] == ["こんにちは お客様"]
