"""Who may change what on a ticket: a claimed ticket's triage and notes are its assignee's (or a
supervisor's); an urgent safety ticket is lowered only by a supervisor; the audit and presence
paths answer for real tickets only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import uuid4

import httpx
import pytest

from services.common.events.contracts.helpdesk import Priority, RequestReason
from tests.fixtures.line import new_user_id
from tests.helpdesk.support import NAMES, Staff, help_request, publish
from tools.devstack.stack import Stack


@pytest.fixture
async def staff(stack: Stack) -> AsyncIterator[dict[str, Staff]]:
    signed_in = {name: await Staff.login(stack, name) for name in ("tanaka", "suzuki", "sato")}
    yield signed_in
    for member in signed_in.values():
        await member.close()


async def open_ticket(stack: Stack, staff: Staff, **kwargs: object) -> dict[str, object]:
    user = new_user_id()
    await publish(stack, "helpdesk.requests", user, help_request(user, **kwargs))  # type: ignore[arg-type]
    [found] = await staff.wait_ticket_of(user)
    return await staff.ticket(str(found["id"]))


async def claimed_by(staff: Staff, ticket: dict[str, object]) -> dict[str, object]:
    claimed = await staff.post(
        f"/staff/api/tickets/{ticket['id']}/claim", {"version": ticket["version"]}
    )
    assert claimed.status_code == 200, claimed.text
    result: dict[str, object] = claimed.json()
    return result


async def patch(staff: Staff, ticket: dict[str, object], **fields: object) -> httpx.Response:
    return await staff.http.patch(
        f"/staff/api/tickets/{ticket['id']}", json={"version": ticket["version"], **fields}
    )


async def test_only_the_assignee_or_a_supervisor_changes_a_claimed_tickets_triage(
    stack: Stack, staff: dict[str, Staff]
) -> None:
    tanaka, suzuki, sato = staff["tanaka"], staff["suzuki"], staff["sato"]
    ticket = await claimed_by(tanaka, await open_ticket(stack, tanaka))

    for fields in ({"priority": "low"}, {"category": "other"}):
        refused = await patch(suzuki, ticket, **fields)
        assert refused.status_code == 409, refused.text
        assert NAMES["tanaka"] in refused.json()["message"]
    unchanged = await tanaka.ticket(str(ticket["id"]))
    assert unchanged["version"] == ticket["version"]
    assert unchanged["priority"] == ticket["priority"]

    # Tags are labels, not triage: a colleague may add one.
    tagged = await patch(suzuki, ticket, tags=["要確認"])
    assert tagged.status_code == 200, tagged.text
    ticket = tagged.json()
    by_supervisor = await patch(sato, ticket, priority="high")
    assert by_supervisor.status_code == 200, by_supervisor.text
    ticket = by_supervisor.json()
    by_assignee = await patch(tanaka, ticket, priority="normal")
    assert by_assignee.status_code == 200, by_assignee.text


async def test_an_urgent_safety_ticket_is_lowered_by_a_supervisor_only(
    stack: Stack, staff: dict[str, Staff]
) -> None:
    tanaka, sato = staff["tanaka"], staff["sato"]
    ticket = await open_ticket(
        stack, tanaka, reason=RequestReason.EMERGENCY, priority=Priority.URGENT
    )
    assert ticket["priority"] == "urgent"
    assert ticket["category"] == "emergency"
    deadline = ticket["sla"]

    for fields in ({"priority": "low"}, {"category": "other"}, {"priority": "high"}):
        refused = await patch(tanaka, ticket, **fields)
        assert refused.status_code == 403, refused.text
        assert "supervisor" in refused.json()["message"]
    # Claiming it does not change that.
    ticket = await claimed_by(tanaka, ticket)
    refused = await patch(tanaka, ticket, priority="low", category="other")
    assert refused.status_code == 403
    after = await tanaka.ticket(str(ticket["id"]))
    assert (after["priority"], after["category"], after["sla"]) == ("urgent", "emergency", deadline)

    lowered = await patch(sato, ticket, priority="high")
    assert lowered.status_code == 200, lowered.text
    assert lowered.json()["priority"] == "high"


async def test_notes_on_a_colleagues_claimed_ticket_need_a_supervisor(
    stack: Stack, staff: dict[str, Staff]
) -> None:
    tanaka, suzuki, sato = staff["tanaka"], staff["suzuki"], staff["sato"]
    ticket = await open_ticket(stack, tanaka)
    path = f"/staff/api/tickets/{ticket['id']}/notes"
    # Unclaimed: anyone may leave a note for whoever takes it.
    first = await suzuki.post(path, {"version": ticket["version"], "text": "昨日も電話あり"})
    assert first.status_code == 200, first.text
    ticket = await claimed_by(tanaka, first.json())

    refused = await suzuki.post(path, {"version": ticket["version"], "text": "横から失礼"})
    assert refused.status_code == 409, refused.text
    assert NAMES["tanaka"] in refused.json()["message"]
    by_supervisor = await sato.post(path, {"version": ticket["version"], "text": "主任より"})
    assert by_supervisor.status_code == 200, by_supervisor.text
    own = await tanaka.post(
        path, {"version": by_supervisor.json()["version"], "text": "対応します"}
    )
    assert own.status_code == 200
    notes = [e["text"] for e in own.json()["thread"] if e["kind"] == "note"]
    assert notes == ["昨日も電話あり", "主任より", "対応します"]


async def test_the_audit_path_shows_only_its_tickets_entries(
    stack: Stack, staff: dict[str, Staff]
) -> None:
    tanaka, sato = staff["tanaka"], staff["sato"]
    participant = f"P-{uuid4().hex[:8]}"
    ticket = await open_ticket(stack, tanaka, participant_id=participant)
    await sato.ticket(str(ticket["id"]))  # records a read of the participant's context too

    other_subject = await sato.get(f"/staff/api/tickets/{participant}/audit")
    assert other_subject.status_code == 404, other_subject.text
    own = await sato.get(f"/staff/api/tickets/{ticket['id']}/audit")
    assert own.status_code == 200
    entries = own.json()["entries"]
    assert entries
    assert {entry["subject"] for entry in entries} == {ticket["id"]}


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
async def test_presence_on_a_missing_ticket_is_a_404(staff: dict[str, Staff], method: str) -> None:
    missing = await staff["tanaka"].http.request(method, f"/staff/api/tickets/{uuid4()}/presence")
    assert missing.status_code == 404, missing.text
    assert missing.json() == {"message": "No such ticket."}


async def test_a_reply_line_would_refuse_is_a_422(stack: Stack, staff: dict[str, Staff]) -> None:
    """5,000 characters with one emoji are 5,001 UTF-16 units: LINE refuses them, so the reply
    API does too, instead of accepting a reply the senior would never get."""
    tanaka = staff["tanaka"]
    ticket = await claimed_by(tanaka, await open_ticket(stack, tanaka))
    path = f"/staff/api/tickets/{ticket['id']}/replies"
    body = {"version": ticket["version"], "client_reply_id": f"r-{uuid4()}"}
    refused = await tanaka.post(path, {**body, "text": "あ" * 4999 + "😀"})
    assert refused.status_code == 422, refused.text
    assert "UTF-16" in refused.text
    unchanged = await tanaka.ticket(str(ticket["id"]))
    assert unchanged["version"] == ticket["version"]
