"""A staff reply that does not reach the senior is said on its ticket (from `line.deliveries`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from uuid import uuid4

import pytest

from services.helpdesk.domain import texts
from tests.fixtures.line import Simulator, new_user_id
from tests.fixtures.line import texts as texts_of
from tests.fixtures.waiting import eventually
from tests.helpdesk.support import Staff, help_request, publish
from tools.devstack.stack import Stack


@pytest.fixture
async def tanaka(stack: Stack) -> AsyncIterator[Staff]:
    staff = await Staff.login(stack, "tanaka")
    yield staff
    await staff.close()


def undelivered(ticket: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in ticket["thread"] if e["id"].endswith(":not_delivered")]


async def test_a_reply_to_a_senior_who_blocked_the_account_is_marked_on_the_ticket(
    stack: Stack, simulator: Simulator, tanaka: Staff
) -> None:
    user = new_user_id()
    await simulator.follow(user)
    await simulator.unfollow(user)  # the gateway records the block as the webhook arrives
    await publish(stack, "helpdesk.requests", user, help_request(user))
    [found] = await tanaka.wait_ticket_of(user)
    ticket = await tanaka.ticket(str(found["id"]))
    replied = await tanaka.post(
        f"/staff/api/tickets/{ticket['id']}/replies",
        {
            "version": ticket["version"],
            "text": "田中です。大丈夫ですか？",
            "client_reply_id": uuid4().hex,
        },
    )
    assert replied.status_code == 200
    [reply] = [e for e in replied.json()["thread"] if e["kind"] == "reply"]

    after = await tanaka.wait_for(str(ticket["id"]), lambda t: bool(undelivered(t)))
    [entry] = undelivered(after)
    assert entry["kind"] == "system"
    assert entry["reply_id"] == reply["id"]
    assert entry["text"] == texts.REPLY_NOT_DELIVERED["skipped_blocked"]
    assert any(h["action"] == "reply_not_delivered" for h in after["history"])


async def test_a_delivered_reply_leaves_the_ticket_as_it_was(
    stack: Stack, simulator: Simulator, tanaka: Staff
) -> None:
    user = new_user_id()
    await simulator.follow(user)
    await publish(stack, "helpdesk.requests", user, help_request(user))
    [found] = await tanaka.wait_ticket_of(user)
    ticket = await tanaka.ticket(str(found["id"]))
    replied = await tanaka.post(
        f"/staff/api/tickets/{ticket['id']}/replies",
        {"version": ticket["version"], "text": "田中です。", "client_reply_id": uuid4().hex},
    )
    assert replied.status_code == 200
    await eventually(
        lambda: simulator.inbox(user), lambda inbox: "田中です。" in texts_of(inbox), timeout=20
    )
    # The delivery event follows the send at once; a few seconds on, the ticket shows nothing.
    settled = await tanaka.wait_for(str(ticket["id"]), lambda t: bool(undelivered(t)), timeout=3)
    assert undelivered(settled) == []
