"""The staff page shows whom the ticket is about: the senior's name, phone (a tel: link) and area,
read from tablet_lending when the ticket is opened (Debian's Chromium driven by Playwright)."""

from __future__ import annotations

import re
from uuid import uuid4

from playwright.async_api import expect

from tests.e2e.test_helpdesk_browser import (  # noqa: F401 (staff_page is a fixture)
    OpenPage,
    open_ticket,
    staff_page,
    ticket_for,
)
from tests.e2e.test_senior_contact_card import enrolled_with_loan, fresh_phone
from tests.fixtures.browser import needs_chromium
from tests.fixtures.line import Simulator, new_user_id
from tests.fixtures.waiting import eventually
from tests.helpdesk.support import Staff
from tests.tablet_lending.support import LendingApi, link
from tools.devstack.stack import Stack

pytestmark = needs_chromium


async def test_the_ticket_header_shows_the_seniors_name_phone_and_area(
    staff_page: OpenPage,  # noqa: F811
    stack: Stack,
    api: LendingApi,
    boss: LendingApi,
) -> None:
    phone = fresh_phone()
    participant_id = await enrolled_with_loan(api, boss, phone)
    user = await link(stack, api, participant_id)
    summary = f"電話が ほしい {uuid4().hex[:6]}"
    # Raised by ai_chat, which names the participant line_gateway stamped on the message.
    found = await ticket_for(stack, user, summary=summary, participant_id=participant_id)
    sato = await Staff.login(stack, "sato")
    await eventually(
        lambda: sato.ticket(str(found["id"])),
        lambda t: t["context"]["participant_id"] == participant_id,
    )
    await sato.close()

    page = await staff_page("tanaka")
    await open_ticket(page, summary)
    header = page.locator("#ticket-senior")
    await expect(header).to_contain_text("連絡 確子 さん")
    tel = header.get_by_role("link", name=phone)
    await expect(tel).to_have_attribute("href", "tel:" + phone.replace("-", ""))
    await expect(header).to_contain_text(re.compile("地域：.+"))
    await expect(header).to_contain_text("返却期限")


async def test_an_unlinked_senior_is_said_on_the_page(
    staff_page: OpenPage,  # noqa: F811
    stack: Stack,
) -> None:
    summary = f"連携なし {uuid4().hex[:6]}"
    await ticket_for(stack, new_user_id(), summary=summary)
    page = await staff_page("tanaka")
    await open_ticket(page, summary)
    await expect(page.locator("#ticket-senior")).to_contain_text("つながっていない")
    await expect(page.locator("#ticket-senior a")).to_have_count(0)


async def test_the_queue_shows_the_name_and_the_card_the_name_told_to_daichan(
    staff_page: OpenPage,  # noqa: F811
    stack: Stack,
    simulator: Simulator,
    api: LendingApi,
    boss: LendingApi,
) -> None:
    participant_id = await enrolled_with_loan(api, boss, fresh_phone())
    user = new_user_id()
    await simulator.send_text(user, "みっちゃんって呼んで")
    await simulator.wait_for_inbox(user)
    await link(stack, api, participant_id, user)
    summary = f"名前つき {uuid4().hex[:6]}"
    await ticket_for(stack, user, summary=summary, participant_id=participant_id)

    page = await staff_page("tanaka")
    row = page.get_by_role("button", name=re.compile(re.escape(summary)))
    await expect(row.locator(".senior")).to_have_text("連絡 確子 さん")
    await open_ticket(page, summary)
    header = page.locator("#ticket-senior")
    await expect(header).to_contain_text("連絡 確子 さん")
    await expect(header.locator(".senior-preferred")).to_have_text("　呼び名：みっちゃん")
