"""The ticket permission rules as pure decisions (the stack tests show them through the API)."""

from __future__ import annotations

import pytest

from services.common.events.contracts.helpdesk import Priority
from services.helpdesk.domain import permissions
from services.helpdesk.domain.tickets import Category
from tests.helpdesk.domain.builders import ticket

TANAKA = {"id": "s-tanaka", "name": "田中"}


def test_a_colleagues_claimed_ticket_keeps_its_triage() -> None:
    claimed = ticket(assignee=TANAKA)
    refusal = permissions.field_change(
        claimed, "s-suzuki", supervisor=False, priority=Priority.LOW, category=None
    )
    assert refusal is not None
    assert not refusal.needs_supervisor
    assert "田中" in refusal.message
    # Unchanged values and tags are not triage; the assignee and supervisors may change it.
    assert (
        permissions.field_change(
            claimed, "s-suzuki", supervisor=False, priority=Priority.NORMAL, category=None
        )
        is None
    )
    assert (
        permissions.field_change(
            claimed, "s-tanaka", supervisor=False, priority=Priority.LOW, category=None
        )
        is None
    )
    assert (
        permissions.field_change(
            claimed, "s-sato", supervisor=True, priority=Priority.LOW, category=None
        )
        is None
    )


@pytest.mark.parametrize("category", ["emergency", "self_harm", "fraud"])
@pytest.mark.parametrize(
    ("priority", "new_category"),
    [(Priority.LOW, None), (Priority.HIGH, None), (None, Category.OTHER), (None, Category.DEVICE)],
)
def test_urgent_safety_tickets_are_lowered_by_supervisors_only(
    category: str, priority: Priority | None, new_category: Category | None
) -> None:
    urgent = ticket(priority="urgent", category=category, assignee=TANAKA)
    refusal = permissions.field_change(
        urgent, "s-tanaka", supervisor=False, priority=priority, category=new_category
    )
    assert refusal is not None
    assert refusal.needs_supervisor
    assert (
        permissions.field_change(
            urgent, "s-sato", supervisor=True, priority=priority, category=new_category
        )
        is None
    )


def test_safety_tickets_may_move_between_safety_categories_and_stay_urgent() -> None:
    urgent = ticket(priority="urgent", category="fraud")
    assert (
        permissions.field_change(
            urgent,
            "s-tanaka",
            supervisor=False,
            priority=Priority.URGENT,
            category=Category.EMERGENCY,
        )
        is None
    )


def test_notes_on_a_colleagues_claimed_ticket() -> None:
    assert permissions.note(ticket(), "s-suzuki", supervisor=False) is None
    assert permissions.note(ticket(assignee=TANAKA), "s-tanaka", supervisor=False) is None
    assert permissions.note(ticket(assignee=TANAKA), "s-sato", supervisor=True) is None
    refusal = permissions.note(ticket(assignee=TANAKA), "s-suzuki", supervisor=False)
    assert refusal is not None
    assert "田中" in refusal.message
