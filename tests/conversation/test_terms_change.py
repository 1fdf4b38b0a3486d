"""New terms: every member who accepted older ones is told once, and must accept again."""

from __future__ import annotations

from models import Member, Platform
from tests.support.chats import button_data
from tests.support.harness import Harness
from tests.support.onboarding import onboard


async def test_members_are_told_of_new_terms_once_and_accept_them_again(
    harness: Harness, platform: Platform
) -> None:
    chat = harness.chat(platform)
    await onboard(chat)
    members = harness.app.services.members
    assert await members.announce_new_terms() == 0, "the current terms are accepted"

    # The member accepted the version before the current one.
    await Member.all().update(terms_version="2026-01-01")
    assert await members.announce_new_terms() == 1
    notice = await chat.next()
    assert "We have updated the terms and privacy notice" in (notice.text or "")
    assert button_data(notice) == ["terms:accept", "terms:read"]
    assert await members.announce_new_terms() == 0, "told once per version"

    await chat.send("/new")
    assert "accept the terms first" in ((await chat.next()).text or "")
    await chat.next()  # the terms again, with the buttons
    await chat.press(notice, "terms:accept")
    assert "all set" in ((await chat.next()).text or "")
    await chat.send("/new")
    assert "lists yet" in ((await chat.next()).text or "")
