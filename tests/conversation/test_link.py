"""Joining a Telegram account and a LINE account into one member."""

from __future__ import annotations

import re
from datetime import timedelta

from models import ChatAccount, ContactList, LinkCode, Member, Platform
from tests.support.harness import Harness
from tests.support.onboarding import onboard


def _code(text: str | None) -> str:
    match = re.search(r"\b([2-9A-HJ-NP-Z]{10})\b", text or "")
    assert match, text
    return match.group(1)


async def test_a_code_from_telegram_joins_the_line_account(harness: Harness) -> None:
    telegram = harness.chat(Platform.TELEGRAM)
    line = harness.chat(Platform.LINE)
    await onboard(telegram, locale="es")
    await line.start()
    await line.next()  # the language prompt of a new LINE registration

    await telegram.send("/link")
    code = _code((await telegram.next()).text)
    await line.send(f"/link {code.lower()}")
    linked = await line.next()
    spanish = harness.app.i18n.translator("es").gettext
    assert linked.text == spanish(
        "Linked! This chat now belongs to the same Broadside account as your other chat."
    )

    telegram_account = await ChatAccount.get(platform=Platform.TELEGRAM)
    line_account = await ChatAccount.get(platform=Platform.LINE)
    assert line_account.member_id == telegram_account.member_id  # type: ignore[attr-defined]
    assert await Member.all().count() == 1, "the LINE-only member was merged away"
    assert not await LinkCode.exists(), "a code works once"

    await line.send("/help")
    assert "/privacy" in ((await line.next()).text or ""), "the linked member may use everything"


async def test_expired_and_unknown_codes_are_refused(harness: Harness) -> None:
    telegram = harness.chat(Platform.TELEGRAM)
    line = harness.chat(Platform.LINE)
    await onboard(telegram)
    await onboard(line)

    await line.send("/link ABCDEFGHJK")
    assert "not valid" in ((await line.next()).text or "")

    await telegram.send("/link")
    code = _code((await telegram.next()).text)
    harness.clock.advance(timedelta(minutes=11))
    await line.send(f"/link {code}")
    assert "expired" in ((await line.next()).text or "")
    assert await Member.all().count() == 2


async def test_a_code_is_not_redeemed_on_the_platform_that_issued_it(harness: Harness) -> None:
    first = harness.chat(Platform.TELEGRAM)
    second = harness.chat(Platform.TELEGRAM)
    await onboard(first)
    await onboard(second)
    await first.send("/link")
    code = _code((await first.next()).text)
    await second.send(f"/link {code}")
    assert "came from this chat app" in ((await second.next()).text or "")
    assert await Member.all().count() == 2


async def test_linking_never_leaves_a_members_own_lists_behind(harness: Harness) -> None:
    # Regression: the member the linked account left was deleted with whatever it held.
    telegram = harness.chat(Platform.TELEGRAM)
    line = harness.chat(Platform.LINE)
    await onboard(telegram)
    await onboard(line)
    left_behind = (await ChatAccount.get(platform=Platform.LINE)).member_id  # type: ignore[attr-defined]
    await ContactList.create(member_id=left_behind, name="Regulars", opt_in_token="t" * 16)

    await telegram.send("/link")
    code = _code((await telegram.next()).text)
    await line.send(f"/link {code}")
    refusal = (await line.next()).text or ""
    assert "Link the other way round" in refusal
    assert await Member.all().count() == 2
    assert await ContactList.filter(member_id=left_behind, name="Regulars").exists()
    line_account = await ChatAccount.get(platform=Platform.LINE)
    assert line_account.member_id == left_behind  # type: ignore[attr-defined]
