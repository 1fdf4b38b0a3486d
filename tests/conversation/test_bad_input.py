"""Whatever a member sends, they get a short translated answer, never a traceback."""

from __future__ import annotations

import pytest

from bot.services.uploads import MAX_UPLOAD_BYTES
from models import ChatAccount, Platform
from tests.support.harness import Harness
from tests.support.onboarding import onboard


async def test_unregistered_people_are_told_to_start(harness: Harness, platform: Platform) -> None:
    chat = harness.chat(platform)
    await chat.send("hello there")
    assert "/start" in ((await chat.next()).text or "")
    assert not await ChatAccount.exists(), "nobody is registered without /start"


async def test_unknown_command(harness: Harness, platform: Platform) -> None:
    chat = harness.chat(platform)
    await onboard(chat)
    await chat.send("/frobnicate now")
    assert "/frobnicate" in ((await chat.next()).text or "")


async def test_sticker_gets_a_hint(harness: Harness, platform: Platform) -> None:
    chat = harness.chat(platform)
    await onboard(chat)
    await chat.send_sticker()
    assert "text, buttons and files" in ((await chat.next()).text or "")


async def test_stray_text_gets_a_hint(harness: Harness, platform: Platform) -> None:
    chat = harness.chat(platform, language="es")
    await onboard(chat, locale="es")
    await chat.send("hola?")
    text = (await chat.next()).text or ""
    assert "/help" in text
    assert "I didn't understand" not in text, "answered in the member's language"


async def test_forged_button_payload_is_refused(harness: Harness, platform: Platform) -> None:
    chat = harness.chat(platform)
    welcome = await onboard(chat)
    if platform is Platform.TELEGRAM:
        # The stand-in refuses to press a button that is not there, as a real client would.
        with pytest.raises(ValueError, match="button"):
            await chat.press(welcome, "lang:xx")
        return
    await harness.sandbox.line.press_postback(chat.user_id, "lang:xx")
    assert "expired" in ((await chat.next()).text or "")


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("contacts.csv", b"name,phone\nAna,+34600000000\n", "contacts.csv: 2 columns"),
        ("photo.png", b"\x89PNG\r\n\x1a\n", "I can't read photo.png"),
        ("contacts.csv", b"\x00\x01\x02binary\x00", "does not look like"),
        ("empty.csv", b"", "empty"),
        ("../../etc/passwd.csv", b"name,phone\nAna,+34600000000\n", "passwd.csv: 2 columns"),
    ],
    ids=["csv", "wrong-type", "binary", "empty", "path-trick"],
)
async def test_uploads_are_checked(
    harness: Harness, platform: Platform, name: str, content: bytes, expected: str
) -> None:
    chat = harness.chat(platform)
    await onboard(chat)
    await chat.upload(name, content)
    assert expected in ((await chat.next()).text or "")


async def test_oversize_upload_is_refused_before_download(
    harness: Harness, platform: Platform
) -> None:
    chat = harness.chat(platform)
    await onboard(chat)
    await chat.upload("huge.csv", b"a" * (MAX_UPLOAD_BYTES + 1))
    assert "too large" in ((await chat.next()).text or "")


async def test_photo_on_telegram_gets_a_hint(harness: Harness) -> None:
    chat = harness.chat(Platform.TELEGRAM)
    await onboard(chat)
    await harness.sandbox.telegram.send_photo(int(chat.user_id))
    assert "text, buttons and files" in ((await chat.next()).text or "")
