"""/start to an active member, the same conversation on Telegram and on LINE."""

from __future__ import annotations

from bot.services.terms import TERMS_VERSION
from models import ChatAccount, Member, MemberStatus, Platform
from tests.support.chats import button_data
from tests.support.harness import Harness
from tests.support.onboarding import onboard


async def test_start_walks_through_language_timezone_and_terms(
    harness: Harness, platform: Platform
) -> None:
    chat = harness.chat(platform)
    await chat.start()

    welcome = await chat.next()
    assert "Welcome to Broadside" in (welcome.text or "")
    assert button_data(welcome) == ["lang:en", "lang:es", "lang:ru", "lang:th", "lang:ja"]

    await chat.press(welcome, "lang:es")
    timezone_prompt = await chat.next()
    assert "zona horaria" in (timezone_prompt.text or "")
    assert "tz:Europe/Madrid" in button_data(timezone_prompt)

    await chat.send("america/mexico_city")
    terms = await chat.next()
    assert TERMS_VERSION in (terms.text or "")
    assert button_data(terms) == ["terms:accept", "terms:read"]

    await chat.press(terms, "terms:accept")
    done = await chat.next()
    assert "/help" in (done.text or "")

    account = await ChatAccount.get(platform=platform, external_id=chat.user_id)
    member = await Member.get(id=account.member_id)  # type: ignore[attr-defined]
    assert member.locale == "es"
    assert member.timezone == "America/Mexico_City"
    assert member.status is MemberStatus.ACTIVE
    assert member.terms_version == TERMS_VERSION
    assert member.terms_accepted_at == harness.clock()


async def test_nothing_works_before_the_terms_are_accepted(
    harness: Harness, platform: Platform
) -> None:
    chat = harness.chat(platform)
    await chat.start()
    await chat.press(await chat.next(), "lang:en")
    await chat.press(await chat.next(), "tz:UTC")
    await chat.next()  # the terms

    await chat.upload("contacts.csv", b"name,phone\nAna,+34600000000\n")
    refusal = await chat.next()
    assert "accept the terms first" in (refusal.text or "")
    again = await chat.next()
    assert "terms:accept" in button_data(again)

    await chat.send("/link")
    assert "accept the terms first" in ((await chat.next()).text or ""), "no codes before terms"
    await chat.next()


async def test_unknown_timezone_is_explained_and_asked_again(
    harness: Harness, platform: Platform
) -> None:
    chat = harness.chat(platform)
    await chat.start()
    await chat.press(await chat.next(), "lang:en")
    await chat.next()
    await chat.send("Mars/Olympus_Mons")
    answer = await chat.next()
    assert "I don't know the timezone" in (answer.text or "")
    assert "tz:UTC" in button_data(answer)


async def test_a_returning_member_is_welcomed_back(harness: Harness, platform: Platform) -> None:
    chat = harness.chat(platform)
    await onboard(chat)
    await chat.send("/start")
    assert "Welcome back" in ((await chat.next()).text or "")
    assert await Member.all().count() == 1


async def test_language_follows_the_platform_setting_at_first_contact(
    harness: Harness, platform: Platform
) -> None:
    chat = harness.chat(platform, language="ja")
    await chat.start()
    welcome = await chat.next()
    assert "Broadside" in (welcome.text or "")
    assert welcome.text != "Welcome to Broadside, the campaign manager you run from chat."
