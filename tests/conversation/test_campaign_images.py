"""A campaign's picture: sent in the /new dialog, checked, and carried on every channel."""

from __future__ import annotations

import io
import struct
import zlib
from datetime import timedelta

import aiohttp
from PIL import Image

from models import CampaignImage, Member, Platform
from tests.conversation.test_campaigns import (
    audience,
    choose_time,
    picture,
    to_picture,
    to_schedule,
)
from tests.support.chats import MemberChat, button_data
from tests.support.harness import Harness
from tests.support.onboarding import onboard


def png(width: int = 40, height: int = 30) -> bytes:
    """A real picture of the given size."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def png_bomb(width: int, height: int) -> bytes:
    """A small PNG that claims a huge size: zeros compress well, decoding them would not."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\0" * 1_000_000, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels)


async def fetch(url: str) -> tuple[int, bytes, str]:
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        return response.status, await response.read(), response.content_type


async def to_picture_step(chat: MemberChat, list_id: int, text: str = "Hi {first_name}") -> None:
    """/new up to "A picture above the text?"."""
    assert "new:img:none" in button_data(await to_picture(chat, list_id, text))


async def test_the_picture_goes_out_on_telegram_line_and_whatsapp(
    harness: Harness, platform: Platform, worker: None
) -> None:
    chat = harness.chat(platform)
    await onboard(chat)
    sandbox = harness.sandbox
    sandbox.telegram.add_user(5101)
    line_user = sandbox.line.add_user(sandbox.line.new_user_id())
    customers = await audience(
        harness,
        await Member.get(),
        [
            {"telegram_id": 5101, "first_name": "Ana"},
            {"line_id": line_user, "first_name": "Luis"},
            {"phone": "+34612345678", "first_name": "Eva"},
        ],
    )
    picture_bytes = png()

    schedule = await to_schedule(
        chat,
        customers.id,
        "Hi {first_name}, spring is here",
        "telegram",
        "line",
        "whatsapp",
        template=("spring_sale", "es", "first_name"),
        image=picture_bytes,
    )
    await choose_time(chat, schedule, None)
    summary = await chat.next()
    assert "With a picture above the text" in (summary.text or "")
    await chat.press(summary, "new:go")
    _, report = await picture(chat)
    assert "Sent: 3" in (report.text or "")

    image = await CampaignImage.get()
    url = f"{harness.app.settings.public_url}/media/{image.token}"
    [telegram] = sandbox.telegram.inbox(5101)
    assert telegram.text == "Hi Ana, spring is here", "the text is the photo's caption"
    # Composed on Telegram, the member's own upload is sent again by its file id; composed
    # on LINE, Telegram fetches the picture by its link.
    expected = image.telegram_file_id if platform is Platform.TELEGRAM else url
    assert expected is not None
    assert telegram.raw["photo"] == expected

    shown, text = sandbox.line.inbox(line_user)  # one request, two messages in the chat
    assert text.text == "Hi Luis, spring is here"
    assert [message["type"] for message in shown.raw["messages"]] == ["image", "text"]
    sent_image = shown.raw["messages"][0]
    assert sent_image["originalContentUrl"] == url
    assert await fetch(url) == (200, picture_bytes, "image/png")
    status, preview, content_type = await fetch(sent_image["previewImageUrl"])
    assert (status, content_type) == (200, "image/jpeg")
    assert Image.open(io.BytesIO(preview)).size == (40, 30)

    [whatsapp] = sandbox.whatsapp.inbox("34612345678")
    components = whatsapp.raw["template"]["components"]
    assert components[0] == {
        "type": "header",
        "parameters": [{"type": "image", "image": {"link": url}}],
    }
    assert components[1]["parameters"] == [{"type": "text", "text": "Eva"}]

    harness.clock.advance(timedelta(days=2))
    assert await harness.app.services.images.purge_unused() == 0, "the campaign uses it"


async def test_the_test_message_shows_the_picture(harness: Harness, platform: Platform) -> None:
    chat = harness.chat(platform)
    await onboard(chat)
    customers = await audience(harness, await Member.get(), [{"telegram_id": 5201}])
    picture_bytes = png(64, 48)
    schedule = await to_schedule(chat, customers.id, "Hello!", "telegram", image=picture_bytes)
    await choose_time(chat, schedule, None)
    await chat.press(await chat.next(), "new:test")
    assert (await chat.next()).text == "Test message (only you got it):"
    if platform is Platform.TELEGRAM:
        sent = await chat.next()
        assert sent.text == "Hello!"
        assert sent.document is not None
        assert sent.document[1] == picture_bytes
    else:
        assert (await chat.next()).text == "Hello!"
        sent = await chat.next()
        # One reply with the label, the caption and the picture, in that order.
        image = sent.raw["messages"][-1]
        assert image["type"] == "image"
        assert (await fetch(image["originalContentUrl"]))[1] == picture_bytes
        assert Image.open(io.BytesIO((await fetch(image["previewImageUrl"]))[1])).format == "JPEG"
    assert harness.sandbox.telegram.inbox(5201) == [], "a test goes to the member only"


async def test_unusable_pictures_are_refused_and_nothing_is_kept(
    harness: Harness, platform: Platform
) -> None:
    chat = harness.chat(platform)
    await onboard(chat)
    customers = await audience(harness, await Member.get(), [{"telegram_id": 5301}])
    await to_picture_step(chat, customers.id)

    refusals = {
        "notes.txt": (b"not a picture at all", "couldn't read that as a JPEG or PNG"),
        "anim.gif": (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "couldn't read that as a JPEG or PNG"),
        "cut.png": (png()[:60], "couldn't read that as a JPEG or PNG"),
        "thin.png": (png(1, 30), "too long and thin"),
        "bomb.png": (png_bomb(60_000, 60_000), "too long and thin"),
        "huge.png": (b"\0" * (5 * 2**20 + 1), "larger than 5 MB"),
    }
    for name, (content, reason) in refusals.items():
        await chat.upload(name, content)
        answer = await chat.next()
        assert reason in (answer.text or ""), name
        assert "new:img:none" in button_data(answer), "the member can go on without one"
    await chat.send("here it comes")
    assert "new:img:none" in button_data(await chat.next()), "text asks for the picture again"
    assert not await CampaignImage.exists()

    await chat.upload("real.png", png())  # a picture sent as a file is fine too
    assert (await chat.next()).text == "Picture added."
    assert "new:ch:telegram" in button_data(await chat.next())
    image = await CampaignImage.get()
    assert image.telegram_file_id is None, "a document's file id cannot be sent as a photo"


async def test_a_text_too_long_for_a_caption_cannot_take_a_picture(harness: Harness) -> None:
    chat = harness.chat(Platform.TELEGRAM)
    await onboard(chat)
    customers = await audience(harness, await Member.get(), [{"telegram_id": 5401}])
    await to_picture_step(chat, customers.id, text="x" * 1025)
    await chat.send_photo(png())
    answer = await chat.next()
    assert "at most 1,024 characters" in (answer.text or "")
    assert "yours has 1,025" in (answer.text or "")
    assert not await CampaignImage.exists()
    await chat.press(answer, "new:img:none")
    assert "new:ch:telegram" in button_data(await chat.next())


async def test_a_picture_of_an_abandoned_dialog_is_purged_and_links_die(harness: Harness) -> None:
    chat = harness.chat(Platform.LINE)
    await onboard(chat)
    customers = await audience(harness, await Member.get(), [{"telegram_id": 5501}])
    await to_picture_step(chat, customers.id)
    await chat.send_photo(png())
    assert (await chat.next()).text == "Picture added."
    image = await CampaignImage.get()
    url = f"{harness.app.settings.public_url}/media/{image.token}"
    assert (await fetch(url))[0] == 200

    images = harness.app.services.images
    assert await images.purge_unused() == 0, "a fresh picture may still be used"
    harness.clock.advance(timedelta(days=2))
    assert await images.purge_unused() == 1
    assert (await fetch(url))[0] == 404
    assert (await fetch(f"{harness.app.settings.public_url}/media/forged-token"))[0] == 404
