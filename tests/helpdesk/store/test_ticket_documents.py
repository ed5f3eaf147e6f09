"""How the repository stores a ticket and writes a change, checked on the mapping alone."""

from __future__ import annotations

from datetime import timedelta

from services.helpdesk.domain.change import StaffAct
from services.helpdesk.store.tickets import NOT_WAITING, change_update, ticket_document, ticket_of
from tests.helpdesk.domain.builders import MONDAY, RULES, TANAKA, opened


def test_a_ticket_survives_the_round_trip_through_its_document() -> None:
    ticket = opened(handover=True)
    doc = ticket_document(ticket)
    assert doc["_id"] == ticket.id
    assert (doc["status"], doc["channel"], doc["priority_rank"]) == ("new", "line", 2)
    assert doc["history"][0] == {
        "at": MONDAY,
        "actor": {"id": "system", "name": "システム", "kind": "system"},
        "action": "opened",
        "channel": "line",
        "priority": "normal",
    }
    assert "sent_to_line" not in doc["thread"][0]  # kind-specific fields only where they belong
    assert ticket_of(doc) == ticket


def test_a_change_sets_what_changed_and_pushes_what_was_added() -> None:
    ticket = opened()
    act = StaffAct(RULES, TANAKA, ticket.version, MONDAY + timedelta(minutes=3))
    change = ticket.reply(act, text="田中です。", client_reply_id="reply-0005", then_wait=True)
    assert change is not None
    update = change_update(change)
    assert set(update) == {"$set", "$push"}
    assert "version" not in update["$set"]  # bumped by the conditional update, never set
    assert update["$set"]["status"] == "waiting_on_senior"
    assert update["$set"]["awaiting_sort"] == NOT_WAITING
    assert "summary" not in update["$set"]
    [reply] = update["$push"]["thread"]["$each"]
    assert (reply["kind"], reply["sent_to_line"]) == ("reply", True)
    actions = [h["action"] for h in update["$push"]["history"]["$each"]]
    assert actions == ["claimed", "replied", "status"]
