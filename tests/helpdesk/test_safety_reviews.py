"""Staff mark a senior's message as a missed danger or a false alarm; the marks export as
candidate training rows."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from eval.export_reviews import candidate_rows
from services.common.events.contracts.line import ConversationMode
from tests.fixtures.line import new_user_id
from tests.fixtures.waiting import eventually
from tests.helpdesk.support import Staff, help_request, publish, senior_message
from tools.devstack.stack import Stack


@pytest.fixture
async def tanaka(stack: Stack) -> AsyncIterator[Staff]:
    staff = await Staff.login(stack, "tanaka")
    yield staff
    await staff.close()


async def test_a_message_of_the_tickets_senior_can_be_marked_once(
    stack: Stack, tanaka: Staff
) -> None:
    user, stranger = new_user_id(), new_user_id()
    text = "なんか左の手がじーんとして、茶碗が持たれへんねん"
    await publish(
        stack, "line.inbound", user, senior_message(user, text, mode=ConversationMode.BOT)
    )
    await publish(
        stack,
        "line.inbound",
        stranger,
        senior_message(stranger, "ほかの人", mode=ConversationMode.BOT),
    )
    await publish(stack, "helpdesk.requests", user, help_request(user))
    [found] = await tanaka.wait_ticket_of(user)
    ticket_id = str(found["id"])

    async def context_turns() -> list[dict[str, object]]:
        conversation = (await tanaka.ticket(ticket_id))["context"]["conversation"]
        return [t for t in conversation if t["text"] == text]

    [turn] = await eventually(context_turns, lambda turns: len(turns) == 1)
    mark = {"turn_id": turn["_id"], "label": "missed", "route": "emergency"}

    first = await tanaka.post(f"/staff/api/tickets/{ticket_id}/safety-reviews", mark)
    again = await tanaka.post(f"/staff/api/tickets/{ticket_id}/safety-reviews", mark)

    assert first.status_code == 200, first.text
    assert first.json() == {"recorded": True}
    assert again.json() == {"recorded": False}
    unknown = await tanaka.post(
        f"/staff/api/tickets/{ticket_id}/safety-reviews", {**mark, "turn_id": "not-a-turn"}
    )
    assert unknown.status_code == 404
    wrong_label = await tanaka.post(
        f"/staff/api/tickets/{ticket_id}/safety-reviews", {**mark, "label": "maybe"}
    )
    assert wrong_label.status_code == 422
    missing = await tanaka.post("/staff/api/tickets/no-such/safety-reviews", mark)
    assert missing.status_code == 404


def test_marks_become_candidate_rows_a_missed_route_wins() -> None:
    rows = candidate_rows(
        [
            {"turn_id": "t1", "text": "胸がざわざわする", "label": "missed", "route": "emergency"},
            {"turn_id": "t1", "text": "胸がざわざわする", "label": "false_alarm", "route": "fraud"},
            {
                "turn_id": "t2",
                "text": "詐欺のニュース見た",
                "label": "false_alarm",
                "route": "fraud",
            },
            {"turn_id": "t3", "text": "  ", "label": "missed", "route": "person"},
        ]
    )
    assert rows == [
        {
            "id": "review-t1",
            "text": "胸がざわざわする",
            "routes": ["emergency"],
            "kind": "staff review: false_alarm:fraud, missed:emergency",
            "voice": "other",
        },
        {
            "id": "review-t2",
            "text": "詐欺のニュース見た",
            "routes": [],
            "kind": "staff review: false_alarm:fraud",
            "voice": "other",
        },
    ]
