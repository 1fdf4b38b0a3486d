"""Help, language, timezone and privacy once registered."""

from __future__ import annotations

from bot.services.terms import TERMS_VERSION
from models import Member, Platform
from tests.support.harness import Harness
from tests.support.onboarding import onboard


async def test_help_lists_the_commands(harness: Harness, platform: Platform) -> None:
    chat = harness.chat(platform)
    await onboard(chat)
    await chat.send("/help")
    text = (await chat.next()).text or ""
    for command in ("/language", "/timezone", "/privacy", "/link"):
        assert command in text


async def test_language_can_be_changed(harness: Harness, platform: Platform) -> None:
    chat = harness.chat(platform)
    await onboard(chat)
    await chat.send("/language")
    choices = await chat.next()
    await chat.press(choices, "lang:ru")
    confirmation = await chat.next()
    assert "Русский" in (confirmation.text or "")
    assert (await Member.get()).locale == "ru"


async def test_timezone_can_be_changed_by_typing(harness: Harness, platform: Platform) -> None:
    chat = harness.chat(platform)
    await onboard(chat)
    await chat.send("/timezone")
    assert "UTC" in ((await chat.next()).text or "")
    await chat.next()  # the suggestions
    await chat.send("Asia/Bangkok")
    confirmation = await chat.next()
    assert "Asia/Bangkok" in (confirmation.text or "")
    assert (await Member.get()).timezone == "Asia/Bangkok"


async def test_privacy_shows_version_and_acceptance_in_local_time(
    harness: Harness, platform: Platform
) -> None:
    chat = harness.chat(platform)
    await onboard(chat, timezone="Asia/Tokyo")
    await chat.send("/privacy")
    text = (await chat.next()).text or ""
    assert TERMS_VERSION in text
    # The clock reads 10:00 UTC, which is 19:00 in Tokyo.
    assert "7:00" in text
    assert "never" in text
    assert "sell" in text
