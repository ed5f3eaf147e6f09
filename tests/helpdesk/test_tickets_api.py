"""The helpdesk on the real stack: requests become tickets, staff work them, LINE hand-over."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from uuid import uuid4

import pytest

from services.common.events import Contract, Envelope
from services.common.events.contracts.helpdesk import Priority, RequestReason
from services.common.events.contracts.line import ConversationMode, SendRequested
from services.helpdesk.domain import texts
from tests.fixtures.line import Simulator, new_user_id
from tests.helpdesk.support import (
    NAMES,
    Staff,
    help_request,
    of_type,
    postback,
    publish,
    senior_message,
    wait_events,
)
from tools.devstack.stack import Stack


@pytest.fixture
async def tanaka(stack: Stack) -> AsyncIterator[Staff]:
    staff = await Staff.login(stack, "tanaka")
    yield staff
    await staff.close()


@pytest.fixture
async def suzuki(stack: Stack) -> AsyncIterator[Staff]:
    staff = await Staff.login(stack, "suzuki")
    yield staff
    await staff.close()


async def open_ticket(stack: Stack, staff: Staff, user: str, **kwargs: object) -> dict[str, object]:
    await publish(stack, "helpdesk.requests", user, help_request(user, **kwargs))  # type: ignore[arg-type]
    [found] = await staff.wait_ticket_of(user)
    return await staff.ticket(str(found["id"]))


async def test_a_request_becomes_one_ticket_and_takes_the_conversation(
    stack: Stack, tanaka: Staff
) -> None:
    user = new_user_id()
    request = help_request(user, reason=RequestReason.SELF_HARM, priority=Priority.NORMAL)
    await publish(stack, "helpdesk.requests", user, request)
    await publish(stack, "helpdesk.requests", user, request)  # redelivered as is
    [found] = await tanaka.wait_ticket_of(user)
    await asyncio.sleep(1.5)

    tickets = await tanaka.tickets_of(user)
    assert len(tickets) == 1
    ticket = tickets[0]
    # Self-harm is always urgent, whatever the producer said.
    assert ticket["priority"] == "urgent"
    assert ticket["status"] == "new"
    assert ticket["channel"] == "ai_escalation"
    assert ticket["category"] == "self_harm"
    assert ticket["holds_conversation"] is True
    handed = await wait_events(
        stack,
        "helpdesk.events",
        key=user,
        until=lambda e: of_type(e, "helpdesk.conversation.handed_over"),
    )
    [over] = of_type(handed, "helpdesk.conversation.handed_over")
    assert over.data.ticket_id == found["id"]  # type: ignore[attr-defined]
    changed = of_type(
        await wait_events(
            stack,
            "helpdesk.events",
            key=str(found["id"]),
            until=lambda events: of_type(events, "helpdesk.ticket.changed"),
        ),
        "helpdesk.ticket.changed",
    )
    assert [e.data.status.value for e in changed] == ["new"]  # type: ignore[attr-defined]


async def test_two_staff_claiming_at_once_one_wins_the_other_is_told_who(
    stack: Stack, tanaka: Staff, suzuki: Staff
) -> None:
    user = new_user_id()
    ticket = await open_ticket(stack, tanaka, user)
    version = ticket["version"]
    path = f"/staff/api/tickets/{ticket['id']}/claim"

    first, second = await asyncio.gather(
        tanaka.post(path, {"version": version}), suzuki.post(path, {"version": version})
    )

    statuses = sorted([first.status_code, second.status_code])
    assert statuses == [200, 409], (first.text, second.text)
    winner, loser = (first, second) if first.status_code == 200 else (second, first)
    winner_name = winner.json()["assignee"]["name"]
    assert winner_name in (NAMES["tanaka"], NAMES["suzuki"])
    body = loser.json()
    # Either the claim or the version tells the loser; with a claim the message names the winner.
    assert "claimed by" in body["message"] or "changed since" in body["message"]
    again = await (suzuki if winner_name == NAMES["tanaka"] else tanaka).post(
        path, {"version": winner.json()["version"]}
    )
    assert again.status_code == 409
    assert again.json()["message"] == f"This ticket is already claimed by {winner_name}."
    assert again.json()["assignee"]["name"] == winner_name
    final = await tanaka.ticket(str(ticket["id"]))
    assert [h["action"] for h in final["history"]].count("claimed") == 1


async def test_a_stale_update_gets_409_and_changes_nothing(stack: Stack, tanaka: Staff) -> None:
    user = new_user_id()
    ticket = await open_ticket(stack, tanaka, user)
    path = f"/staff/api/tickets/{ticket['id']}"
    fresh = await tanaka.post(f"{path}/notes", {"version": ticket["version"], "text": "確認中"})
    assert fresh.status_code == 200

    stale = await tanaka.post(f"{path}/notes", {"version": ticket["version"], "text": "古い版"})

    assert stale.status_code == 409
    assert stale.json()["current_version"] == fresh.json()["version"]
    after = await tanaka.ticket(str(ticket["id"]))
    assert [e["text"] for e in after["thread"] if e["kind"] == "note"] == ["確認中"]
    assert after["version"] == fresh.json()["version"]


async def test_a_reply_reaches_the_senior_once_even_when_submitted_twice(
    stack: Stack, tanaka: Staff, simulator: Simulator
) -> None:
    user = new_user_id()
    ticket = await open_ticket(stack, tanaka, user)
    body = {
        "version": ticket["version"],
        "text": "ヘルプデスクの田中です。どうされましたか？",
        "client_reply_id": uuid4().hex,
    }
    path = f"/staff/api/tickets/{ticket['id']}/replies"

    first, second = await asyncio.gather(tanaka.post(path, body), tanaka.post(path, body))

    # Both answer 200 (one sent it, the other recognised it), or the second lost a race on the
    # version and got 409; either way the senior gets the message once.
    assert {first.status_code, second.status_code} <= {200, 409}
    assert 200 in (first.status_code, second.status_code)
    inbox = await simulator.settled_inbox(user, quiet=2.5, timeout=30.0)
    assert [m["text"] for send in inbox for m in send["messages"]] == [body["text"]]
    sends = of_type(
        await wait_events(stack, "line.outbound", key=user, until=bool), "line.send.requested"
    )
    assert len(sends) == 1
    command = sends[0].data
    assert isinstance(command, SendRequested)
    assert command.priority.value == "service"
    assert command.purpose == "helpdesk.reply"
    retried = await tanaka.post(path, body)  # the page retrying after a lost answer
    assert retried.status_code == 200
    assert retried.json()["duplicate"] is True
    after = await tanaka.ticket(str(ticket["id"]))
    assert after["status"] == "waiting_on_senior"
    assert after["assignee"]["name"] == NAMES["tanaka"]
    assert after["sla"]["first_response"]["state"] in ("met", "met_late")


async def test_a_staff_reply_reaches_line_under_the_staff_members_name(
    stack: Stack, tanaka: Staff, simulator: Simulator
) -> None:
    user = new_user_id()
    ticket = await open_ticket(stack, tanaka, user)
    body = {
        "version": ticket["version"],
        "text": "お電話しますね。",
        "client_reply_id": uuid4().hex,
    }

    assert (
        await tanaka.post(f"/staff/api/tickets/{ticket['id']}/replies", body)
    ).status_code == 200

    inbox = await simulator.settled_inbox(user, quiet=2.5, timeout=30.0)
    [message] = [m for send in inbox for m in send["messages"] if m["text"] == body["text"]]
    # LINE's own `sender`, checked by the simulator against LINE's limits: a person, not Dai-chan.
    assert message["sender"] == {"name": f"ヘルプデスク　{NAMES['tanaka']}"}


async def test_staff_see_the_safety_text_the_senior_was_given_marked_as_such(
    stack: Stack, tanaka: Staff
) -> None:
    user = new_user_id()
    await publish(
        stack,
        "line.inbound",
        user,
        senior_message(user, "胸が痛くて息ができへん", mode=ConversationMode.BOT),
    )
    [ticket] = await tanaka.wait_ticket_of(user)
    detail = await tanaka.wait_for(
        str(ticket["id"]), lambda t: len(t["context"]["conversation"]) == 2
    )
    told, said = detail["context"]["conversation"]
    assert said["text"] == "胸が痛くて息ができへん"
    assert told["safety"] is True
    assert "119" in told["text"]


async def test_human_mode_messages_join_the_ticket_and_resume_it(
    stack: Stack, tanaka: Staff
) -> None:
    user = new_user_id()
    ticket = await open_ticket(stack, tanaka, user)
    replied = await tanaka.post(
        f"/staff/api/tickets/{ticket['id']}/replies",
        {"version": ticket["version"], "text": "お待たせしました", "client_reply_id": uuid4().hex},
    )
    assert replied.json()["status"] == "waiting_on_senior"
    assert replied.json()["sla"]["resolution"]["state"] == "paused"

    await publish(stack, "line.inbound", user, senior_message(user, "タブレットが つきません"))
    after = await tanaka.wait_for(str(ticket["id"]), lambda t: t["status"] == "open")

    assert after["status"] == "open"
    assert [e["text"] for e in after["thread"] if e["kind"] == "senior"] == [
        "タブレットが つきません"
    ]
    assert after["sla"]["next_response"]["state"] == "running"
    # (How far the pause moves the due time depends on business hours: see test_sla_clock.)
    assert after["sla"]["resolution"]["state"] == "running"


async def test_resolve_hands_back_with_a_closing_message_and_stores_csat(
    stack: Stack, tanaka: Staff, simulator: Simulator
) -> None:
    user = new_user_id()
    ticket = await open_ticket(stack, tanaka, user)
    resolved = await tanaka.post(
        f"/staff/api/tickets/{ticket['id']}/resolve",
        {"version": ticket["version"], "ask_csat": True},
    )
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["status"] == "resolved"
    assert resolved.json()["holds_conversation"] is False

    handed = await wait_events(
        stack,
        "helpdesk.events",
        key=user,
        until=lambda e: of_type(e, "helpdesk.conversation.handed_back"),
    )
    assert of_type(handed, "helpdesk.conversation.handed_back")
    inbox = await simulator.wait_for_inbox(user)
    [closing, question] = inbox[0]["messages"]
    assert closing["text"] == texts.CLOSING
    datas = [item["action"]["data"] for item in question["quickReply"]["items"]]
    assert datas == [f"helpdesk:csat?ticket={ticket['id']}&score={n}" for n in (5, 4, 3, 2, 1)]

    # The senior taps "4" (line_gateway publishes postbacks once issue 3 lands; here we do).
    await publish(stack, "line.inbound", user, postback(user, datas[1]))
    after = await tanaka.wait_for(str(ticket["id"]), lambda t: t.get("csat"))
    assert after["csat"]["score"] == 4
    # Someone else's ticket cannot be rated, and a second tap changes nothing.
    await publish(stack, "line.inbound", new_user_id(), postback(new_user_id(), datas[4]))
    await publish(stack, "line.inbound", user, postback(user, datas[4]))
    thanks = await simulator.settled_inbox(user, count=2, quiet=2.0)
    assert [m["text"] for m in thanks[1]["messages"]] == [texts.CSAT_THANKS]
    assert len(thanks) == 2
    assert (await tanaka.ticket(str(ticket["id"])))["csat"]["score"] == 4


async def test_a_senior_writing_again_after_resolution_reopens_the_ticket(
    stack: Stack, tanaka: Staff
) -> None:
    user = new_user_id()
    ticket = await open_ticket(stack, tanaka, user)
    resolved = await tanaka.post(
        f"/staff/api/tickets/{ticket['id']}/resolve",
        {"version": ticket["version"], "ask_csat": False},
    )
    assert resolved.json()["status"] == "resolved"

    # The message crossed the hand-back: line_gateway still had the senior in human mode.
    await publish(stack, "line.inbound", user, senior_message(user, "まだ 直りません"))
    reopened = await tanaka.wait_for(
        str(ticket["id"]), lambda t: t["status"] == "open", timeout=30.0
    )

    assert reopened["status"] == "open"
    assert reopened["reopened_count"] == 1
    assert reopened["holds_conversation"] is True
    assert "reopened" in [h["action"] for h in reopened["history"]]
    assert reopened["sla"]["resolution"]["cycle"] == 2
    # Dai-chan asking for a person again for the same senior joins the same ticket.
    await publish(stack, "helpdesk.requests", user, help_request(user, summary="もう一度"))
    joined = await tanaka.wait_for(
        str(ticket["id"]), lambda t: len(t["request_ids"]) == 2, timeout=30.0
    )
    assert len(joined["request_ids"]) == 2
    assert len(await tanaka.tickets_of(user)) == 1

    # The hand-over events leave through the outbox, a moment after the ticket changed.
    def handed_over(events: list[Envelope[Contract]]) -> list[Envelope[Contract]]:
        return of_type(events, "helpdesk.conversation.handed_over")

    overs = handed_over(
        await wait_events(
            stack, "helpdesk.events", key=user, until=lambda e: len(handed_over(e)) >= 2
        )
    )
    assert len(overs) == 2  # taken, given back, taken again


async def test_a_bot_mode_message_does_not_touch_tickets_but_is_context(
    stack: Stack, tanaka: Staff
) -> None:
    user = new_user_id()
    await publish(
        stack, "line.inbound", user, senior_message(user, "こんにちは", mode=ConversationMode.BOT)
    )
    ticket = await open_ticket(stack, tanaka, user, handover=False)
    # The real Dai-chan answers it; the helpdesk keeps both sides as context for staff.
    detail = await tanaka.wait_for(
        str(ticket["id"]), lambda t: len(t["context"]["conversation"]) == 2
    )
    turns = detail["context"]["conversation"]
    # Newest first, so the message that raised a ticket is at the top.
    assert [t["role"] for t in turns] == ["daichan", "senior"]
    assert turns[1]["text"] == "こんにちは"
    assert "大ちゃん" in turns[0]["text"]
    assert turns[0]["safety"] is False
    assert [e for e in detail["thread"] if e["kind"] == "senior"] == []
    assert detail["holds_conversation"] is False
