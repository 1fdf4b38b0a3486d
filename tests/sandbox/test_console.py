"""The console's JSON API: what a person at the console page sees and does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiogram import Bot

from tests.sandbox.helpers import Receiver, Served


@pytest.fixture
async def console(served: Served) -> AsyncIterator[aiohttp.ClientSession]:
    """A client for the console API."""
    async with aiohttp.ClientSession(base_url=served.url + "/console/") as session:
        yield session


async def _post(console: aiohttp.ClientSession, path: str, **body: Any) -> tuple[int, Any]:
    async with console.post(path, json=body) as response:
        return response.status, await response.json()


async def test_the_page_is_served(console: aiohttp.ClientSession) -> None:
    async with console.get("/console") as response:
        assert response.status == 200
        assert "Broadside sandbox" in await response.text()


async def test_state_shows_people_and_new_inbox_entries(
    console: aiohttp.ClientSession, bot: Bot
) -> None:
    status, answer = await _post(console, "api/telegram/send_text", user_id=1001, text="/start")
    assert (status, answer) == (200, {"ok": True, "delivery": None})  # queued for getUpdates
    sent = await bot.send_message(1001, "Hello")
    async with console.get("api/state") as response:
        state = await response.json()
    [user] = state["telegram"]["users"]
    assert (user["user_id"], user["blocked"]) == (1001, False)
    assert [entry["text"] for entry in user["inbox"]] == ["Hello"]
    assert state["telegram"]["webhook"]["pending_update_count"] == 1
    cursor = state["cursor"]
    await bot.edit_message_text("Hello again", chat_id=1001, message_id=sent.message_id)
    async with console.get("api/state", params={"since": cursor}) as response:
        later = await response.json()
    [entry] = later["telegram"]["users"][0]["inbox"]
    assert (entry["text"], entry["edited"], entry["seq"] > cursor) == ("Hello again", True, True)
    async with console.get("api/calls", params={"since": 0}) as response:
        calls = await response.json()
    assert [c["method"] for c in calls["calls"]] == ["sendMessage", "editMessageText"]


async def test_actions_report_how_the_bot_answered(
    console: aiohttp.ClientSession, receiver: Receiver
) -> None:
    status, answer = await _post(console, "api/line/follow", display_name="Aiko", language="ja")
    assert status == 200
    assert answer["user_id"].startswith("U")
    assert answer["delivery"]["status"] == 200
    receiver.status = 500
    status, answer = await _post(console, "api/whatsapp/send_text", wa_id="15550001234", text="hi")
    assert answer["delivery"]["status"] == 500
    form = aiohttp.FormData()
    form.add_field("user_id", "1001")
    form.add_field("file", b"a,b\n", filename="list.csv", content_type="text/csv")
    async with console.post("api/telegram/send_document", data=form) as response:
        assert response.status == 200


async def test_bad_actions_are_refused(console: aiohttp.ClientSession) -> None:
    assert (await _post(console, "api/telegram/dance"))[0] == 404
    status, answer = await _post(console, "api/telegram/send_text", user_id="x", text="hi")
    assert (status, answer["error"]) == (400, "user_id must be an integer")
    status, answer = await _post(console, "api/line/send_text", user_id="U" + "0" * 32, text="hi")
    assert status == 409  # the sandbox does not know the bot's URL yet
    assert "connect_bot" in answer["error"]


async def test_faults_are_set_listed_and_cleared(console: aiohttp.ClientSession) -> None:
    status, fault = await _post(
        console, "api/faults", platform="telegram", kind="rate_limit", match="send*", times=2
    )
    assert (status, fault["kind"], fault["times"]) == (200, "rate_limit", 2)
    assert (await _post(console, "api/faults", platform="telegram", kind="explode"))[0] == 400
    async with console.get("api/faults") as response:
        assert [f["id"] for f in (await response.json())["faults"]] == [fault["id"]]
    async with console.delete(f"api/faults/{fault['id']}") as response:
        assert response.status == 200
    await _post(console, "api/faults", platform="line", kind="timeout", hold=1)
    assert await _post(console, "api/faults/clear") == (200, {"ok": True})
    async with console.get("api/state") as response:
        assert (await response.json())["faults"] == []
