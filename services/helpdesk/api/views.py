"""How tickets look to the staff API: internal fields left out, waiting time and SLA state added.

These are the routes' response models (the OpenAPI document shows them); `summary`, `detail` and
`sla_state` build them from the `Ticket` aggregate.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from services.common.events.contracts.helpdesk import Priority, SlaTarget, TicketStatus
from services.common.time import as_utc, utcnow
from services.helpdesk.domain.parts import Csat, Entry, HistoryEntry, Person
from services.helpdesk.domain.sla import SlaClocks, clock_of
from services.helpdesk.domain.ticket import Ticket
from services.helpdesk.domain.tickets import Category, Channel
from services.helpdesk.store.tickets import ticket_of

ClockState = Literal["running", "warning", "breached", "met", "met_late", "paused"]


class ClockOut(BaseModel):
    state: ClockState
    due_at: datetime
    met_at: datetime | None
    cycle: int
    paused_seconds: float


class SlaOut(BaseModel):
    """Each running or stopped clock (a target without one is null) and whether it is paused."""

    first_response: ClockOut | None = None
    next_response: ClockOut | None = None
    resolution: ClockOut | None = None
    paused: bool


class TicketSummaryOut(BaseModel):
    id: str
    number: int
    status: TicketStatus
    priority: Priority
    channel: Channel
    category: Category
    summary: str
    assignee: Person | None
    tags: list[str]
    line_user_id: str | None
    participant_id: str | None
    holds_conversation: bool
    version: int
    opened_at: datetime
    updated_at: datetime
    awaiting_staff_since: datetime | None
    waiting_seconds: int | None
    sla: SlaOut
    csat: Csat | None
    # An e-mail ticket whose sender is no known requester (staff check who wrote).
    unknown_sender: bool


class HistoryOut(BaseModel):
    """One history item: when, who, what, and the action's own details (from, to, ...)."""

    model_config = ConfigDict(extra="allow")

    at: datetime
    actor: Person
    action: str


class TicketDetailOut(TicketSummaryOut):
    request_ids: list[str]
    contact: str | None
    # The requester's address on an e-mail ticket (this read is audited like the thread).
    mail_address: str | None
    resolution_started_at: datetime | None
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    last_senior_at: datetime | None
    csat_asked: bool
    reopened_count: int
    follow_up_of: str | None
    thread: list[Entry]
    history: list[HistoryOut]


def sla_state(sla: SlaClocks, now: datetime) -> SlaOut:
    paused = sla.get("paused_at") is not None
    clocks: dict[str, ClockOut] = {}
    for target in SlaTarget:
        clock = clock_of(sla, target)
        if clock is None:
            continue
        due = as_utc(clock["due_at"])
        met_at = clock.get("met_at")
        state: ClockState
        if met_at is not None:
            state = "met" if as_utc(met_at) <= due else "met_late"
        elif target is SlaTarget.RESOLUTION and paused:
            state = "paused"
        elif clock.get("breached") or due <= now:
            state = "breached"
        elif clock.get("warned") or as_utc(clock["warn_at"]) <= now:
            state = "warning"
        else:
            state = "running"
        clocks[target.value] = ClockOut(
            state=state,
            due_at=due,
            met_at=met_at,
            cycle=clock["cycle"],
            paused_seconds=clock.get("paused_seconds", 0.0),
        )
    return SlaOut(paused=paused, **clocks)


def _summary_fields(ticket: Ticket) -> dict[str, Any]:
    now = utcnow()
    since = ticket.awaiting_staff_since
    return {
        **ticket.model_dump(include=set(TicketSummaryOut.model_fields) - {"sla"}),
        "waiting_seconds": int((now - as_utc(since)).total_seconds()) if since else None,
        "sla": sla_state(ticket.sla, now),
    }


def summary(ticket: Ticket) -> TicketSummaryOut:
    return TicketSummaryOut(**_summary_fields(ticket))


def history_item(item: HistoryEntry) -> HistoryOut:
    return HistoryOut(at=item.at, actor=item.actor, action=item.action, **item.details)


def detail(ticket: Ticket) -> TicketDetailOut:
    own = set(TicketDetailOut.model_fields) - set(TicketSummaryOut.model_fields)
    return TicketDetailOut(
        **ticket.model_dump(include=own - {"thread", "history"}),
        **_summary_fields(ticket),
        thread=ticket.thread,
        history=[history_item(h) for h in ticket.history],
    )


def live_summary(doc: dict[str, Any]) -> dict[str, Any]:
    """A changed ticket's summary as the live feed sends it (plain values, for `json.dumps`)."""
    return summary(ticket_of(doc)).model_dump()
