"""The README's picture of the helpdesk staff page, taken in Debian's Chromium as a staff member
sees it at the office's 1366×768: a senior's ticket open, claimed and answered from the keyboard,
the senior's own message beside the reply, and nothing sticking out of the window.

`SSLP_UPDATE_SCREENSHOTS=1` writes it to docs/staff.png (the README shows it); an ordinary run
writes test-artifacts/staff.png, so the tracked picture changes only when asked.
"""

from __future__ import annotations

import re
from uuid import uuid4

from playwright.async_api import Browser, ViewportSize, expect

from tests.fixtures.browser import needs_chromium, screenshot_path
from tests.fixtures.line import new_user_id
from tests.helpdesk.support import PASSWORDS, Staff, help_request, publish, senior_message
from tools.devstack.stack import Stack

DESKTOP: ViewportSize = {"width": 1366, "height": 768}

pytestmark = needs_chromium


async def test_the_staff_page_with_an_answered_ticket_fits_the_office_screen(
    browser: Browser, stack: Stack
) -> None:
    user = new_user_id()
    summary = f"タブレットの 音が 出ないそうです（{uuid4().hex[:4]}）"
    await publish(stack, "helpdesk.requests", user, help_request(user, summary=summary))
    staff = await Staff.login(stack, "sato")
    try:
        await staff.wait_ticket_of(user)
    finally:
        await staff.close()
    asked = "音量ボタンを 押しても 音が 出ません"
    await publish(stack, "line.inbound", user, senior_message(user, asked))

    context = await browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo", viewport=DESKTOP)
    try:
        page = await context.new_page()
        page.set_default_timeout(15_000)
        await page.goto(f"{stack.config.url('helpdesk')}/staff/")
        await page.get_by_label("ユーザー名").fill("tanaka")
        await page.get_by_label("パスワード").fill(PASSWORDS["tanaka"])
        await page.get_by_label("パスワード").press("Enter")
        await expect(page.locator("#live-state")).to_be_visible()
        await page.get_by_role("button", name=re.compile(re.escape(summary))).click()
        await expect(page.locator("#ticket-title")).to_contain_text(summary)
        await expect(page.locator("#thread")).to_contain_text(asked)
        await page.keyboard.press("c")
        await expect(page.locator("#ticket-owner")).to_have_text("あなたが担当しています。")
        await page.keyboard.press("r")
        reply = "ヘルプデスクの 田中です。画面の 右上の 音量ボタンを 上に 押してみてください。"
        await page.keyboard.insert_text(reply)
        await page.keyboard.press("Control+Enter")
        await expect(page.locator("#thread")).to_contain_text(reply)

        overflow = await page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"the page is {overflow}px wider than the window"
        await page.screenshot(path=str(screenshot_path("staff.png")))
    finally:
        await context.close()
