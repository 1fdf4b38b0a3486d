"""The console page in a real browser, against the real bot: a member signs up on Telegram,
a new WhatsApp recipient replies STOP, and faults are set and removed from the page.

Headless Debian chromium drives the page the way a person would and the assertions read what
they would see. The picture of the finished chat lands in the test's tmp_path (see --basetemp).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Page, async_playwright, expect

from tests.support.harness import Harness

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Every wait is bounded: the bot answers in well under a second.
WAIT_MS = 10_000

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (CI installs it)"
)


@pytest.fixture
async def page(harness: Harness) -> AsyncIterator[Page]:
    """The console, open in a fresh browser; fails the test on any script error in it."""
    errors: list[str] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True, timeout=WAIT_MS
        )
        try:
            context = await browser.new_context(viewport={"width": 1280, "height": 860})
            page = await context.new_page()
            page.set_default_timeout(WAIT_MS)
            page.on("pageerror", lambda error: errors.append(str(error)))
            await page.goto(f"{harness.sandbox_url}/console")
            yield page
            await context.close()
        finally:
            await browser.close()
    assert errors == [], f"the page's script failed: {errors}"


async def test_a_new_member_signs_up_on_telegram_from_the_console(
    page: Page, tmp_path: Path
) -> None:
    await page.get_by_test_id("persona-member-telegram").click()
    await expect(page.get_by_test_id("chat-title")).to_have_text("Member on Telegram")
    await page.get_by_label("Message", exact=True).fill("/start")
    await page.get_by_role("button", name="Send", exact=True).click()

    messages = page.get_by_test_id("messages")
    mine = messages.locator('[data-from="person"]')
    await expect(mine.first).to_contain_text("/start", timeout=WAIT_MS)
    await expect(messages).to_contain_text("Welcome to Broadside", timeout=WAIT_MS)
    await expect(messages).to_contain_text("choose your language", timeout=WAIT_MS)

    await page.get_by_role("button", name="English", exact=True).click()
    await expect(messages).to_contain_text("Which timezone are you in?", timeout=WAIT_MS)
    await page.get_by_role("button", name="UTC", exact=True).click()
    await expect(messages).to_contain_text("accept the terms", timeout=WAIT_MS)
    await page.get_by_role("button", name="I accept", exact=True).click()
    await expect(messages).to_contain_text("Here is what you can do", timeout=WAIT_MS)
    await expect(messages).to_contain_text("/privacy", timeout=WAIT_MS)

    await expect(mine).to_have_count(4, timeout=WAIT_MS)  # /start and three buttons, on the right
    await expect(page.get_by_test_id("violations-ok")).to_be_visible(timeout=WAIT_MS)
    await expect(page.get_by_test_id("calls-count")).not_to_have_text("0", timeout=WAIT_MS)
    screenshot = tmp_path / "console.png"
    await page.screenshot(path=screenshot)
    assert screenshot.stat().st_size > 0


async def test_a_new_whatsapp_recipient_replies_stop_and_faults_are_set_from_the_page(
    page: Page, harness: Harness
) -> None:
    await page.get_by_text("Add a person").click()
    await page.get_by_test_id("add-person-platform").select_option("whatsapp")
    await page.get_by_label("WhatsApp number").fill("+1 555 000 1234")
    await page.get_by_label("Name", exact=True).fill("Bo")
    await page.get_by_test_id("add-person-submit").click()
    await expect(page.get_by_test_id("chat-title")).to_have_text("Bo", timeout=WAIT_MS)
    await expect(page.get_by_test_id("recipients-whatsapp")).to_contain_text("+15550001234")

    await page.get_by_role("button", name="Reply STOP").click()
    mine = page.get_by_test_id("messages").locator('[data-from="person"]')
    await expect(mine).to_have_count(1, timeout=WAIT_MS)
    await expect(mine).to_contain_text("STOP")
    assert harness.sandbox.whatsapp.contacts == {"15550001234": "Bo"}
    assert harness.sandbox.deliveries[-1].ok  # the bot took the reply
    await expect(mine).not_to_contain_text("Not delivered")

    await page.get_by_label("How many sends").fill("2")
    await page.get_by_label("Which platform's sends").select_option("line")
    await page.get_by_test_id("fault-add").click()
    fault = page.get_by_test_id("fault")
    await expect(fault).to_contain_text("LINE: the next 2 sends answer 429", timeout=WAIT_MS)
    [rule] = harness.sandbox.faults.rules
    assert (rule.platform, rule.kind, rule.times) == ("line", "rate_limit", 2)
    await fault.get_by_role("button", name="Remove").click()
    await expect(fault).to_have_count(0, timeout=WAIT_MS)
