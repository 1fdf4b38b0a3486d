"""Logs name ids, never people: a whole run leaves no number, name or message text in them."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.logs import JsonFormatter
from models import Delivery, DeliveryStatus, Member, Platform, Suppression
from tests.conversation.test_campaigns import choose_time, picture, to_schedule
from tests.conversation.test_lists import _import
from tests.support.harness import Harness
from tests.support.onboarding import onboard

PEOPLE = (
    ("+34612345678", "Esperanza", "Quintanilla"),
    ("+34698765432", "Bartolome", "Zorrilla"),
)
SECRETS = ("612345678", "698765432", "Esperanza", "Quintanilla", "Bartolome", "Zorrilla")
TEXT = "Rebajas secretas del invierno"


async def test_an_import_a_campaign_and_a_stop_log_no_one(
    harness: Harness, worker: None, caplog: pytest.LogCaptureFixture
) -> None:
    # The level a deployment runs at (LOG_LEVEL's default).
    caplog.set_level(logging.INFO)
    chat = harness.chat(Platform.TELEGRAM)
    await onboard(chat)
    rows = "\n".join(f"{phone},{first},{last}" for phone, first, last in PEOPLE)
    report = await _import(
        chat, "clients.csv", f"phone,first_name,last_name\n{rows}\n".encode(), list_name="VIP"
    )
    assert "finished" in report
    member = await Member.get()
    [list_id] = await member.lists.all().values_list("id", flat=True)

    schedule = await to_schedule(
        chat, list_id, TEXT + " {first_name}", "whatsapp", template=("sale", "es", "first_name")
    )
    await choose_time(chat, schedule, None)
    await chat.press(await chat.next(), "new:go")
    await picture(chat)  # the report: the campaign has ended
    assert await Delivery.filter(status=DeliveryStatus.SENT).count() == 2
    whatsapp = harness.sandbox.whatsapp
    await whatsapp.send_text("34612345678", "STOP", name="Esperanza")
    async with asyncio.timeout(10):  # the confirmation is the STOP's last step
        while len(whatsapp.inbox("34612345678")) < 2:  # noqa: ASYNC110 - the sandbox's inbox
            await asyncio.sleep(0.02)
    assert await Suppression.exists()

    formatter = JsonFormatter()
    lines = [formatter.format(record) for record in caplog.records]
    assert lines, "the run logged something"
    leaks = [line for line in lines if any(secret in line for secret in (*SECRETS, TEXT))]
    assert leaks == []
