"""Which SLA warnings and breaches the periodic check announces, decided without a database."""

from __future__ import annotations

from datetime import timedelta

from services.common.events.contracts.helpdesk import Priority, SlaBreached, SlaTarget, SlaWarning
from services.helpdesk.domain.sla import Clock, SlaClocks
from services.helpdesk.domain.sla_announcements import announcement_id, due_announcements
from tests.helpdesk.domain.builders import MONDAY, RULES

SLA = RULES.policy.opened(Priority.URGENT, MONDAY)  # first response due 15 min, resolution 4 h


def first_response(sla: SlaClocks) -> Clock:
    clock = sla["first_response"]
    assert clock is not None
    return clock


def test_nothing_is_due_before_the_warning_point() -> None:
    assert due_announcements("t-1", Priority.URGENT, SLA, MONDAY + timedelta(minutes=5)) == []


def test_a_warning_then_a_breach_each_once() -> None:
    warn_at = first_response(SLA)["warn_at"]
    [warning] = due_announcements("t-1", Priority.URGENT, SLA, warn_at)
    assert (warning.target, warning.kind, warning.cycle) == (SlaTarget.FIRST_RESPONSE, "warned", 1)
    assert warning.flags == ["warned"]
    event = warning.event(warn_at)
    assert isinstance(event.data, SlaWarning)
    assert event.id == announcement_id("t-1", SlaTarget.FIRST_RESPONSE, 1, "warned")

    flagged = Clock(**first_response(SLA))
    flagged["warned"] = True  # what the check writes with the warning
    warned = SlaClocks(**SLA)
    warned["first_response"] = flagged
    assert due_announcements("t-1", Priority.URGENT, warned, warn_at) == []

    due_at = first_response(SLA)["due_at"]
    [breach] = due_announcements("t-1", Priority.URGENT, warned, due_at)
    assert breach.kind == "breached"
    assert breach.flags == ["breached", "warned"]
    assert isinstance(breach.event(due_at).data, SlaBreached)


def test_met_clocks_and_a_paused_resolution_clock_announce_nothing() -> None:
    late = MONDAY + timedelta(days=3)
    replied, _ = RULES.policy.staff_replied(SLA, MONDAY + timedelta(minutes=1))
    paused = RULES.policy.paused(replied, MONDAY + timedelta(minutes=2))
    assert due_announcements("t-1", Priority.URGENT, paused, late) == []
    [resolution] = due_announcements("t-1", Priority.URGENT, replied, late)
    assert resolution.target is SlaTarget.RESOLUTION
