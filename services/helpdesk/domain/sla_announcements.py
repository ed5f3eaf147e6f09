"""Which SLA warnings and breaches are due on a ticket, and the event that announces each.

The event id is derived from (ticket, target, cycle, kind), so a warning or breach is announced
once however many checkers race (the use case sets the clock's flag in the same transaction).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from uuid import UUID, uuid5

from services.common.events.contracts.helpdesk import Priority, SlaBreached, SlaTarget, SlaWarning
from services.common.events.envelope import Envelope, new_event
from services.common.time import as_utc
from services.helpdesk.domain.sla import SlaClocks, clock_of

SLA_NAMESPACE = UUID("5e8f2d6a-3c1b-4b7e-8a90-1d2c3b4a5f60")

Kind = Literal["warned", "breached"]


def announcement_id(ticket_id: str, target: SlaTarget, cycle: int, kind: str) -> UUID:
    return uuid5(SLA_NAMESPACE, f"{ticket_id}:{target.value}:{cycle}:{kind}")


@dataclass(frozen=True)
class Announcement:
    ticket_id: str
    target: SlaTarget
    priority: Priority
    cycle: int
    kind: Kind
    due_at: datetime

    @property
    def flags(self) -> list[str]:
        """The clock's flags this sets: a breach is also past its warning."""
        return ["breached", "warned"] if self.kind == "breached" else ["warned"]

    def event(self, now: datetime) -> Envelope[SlaBreached] | Envelope[SlaWarning]:
        event_id = announcement_id(self.ticket_id, self.target, self.cycle, self.kind)
        fields = {
            "ticket_id": self.ticket_id,
            "target": self.target,
            "priority": self.priority,
            "due_at": self.due_at,
            "at": now,
        }
        if self.kind == "breached":
            return new_event(SlaBreached(**fields), source="helpdesk", event_id=event_id)
        return new_event(SlaWarning(**fields), source="helpdesk", event_id=event_id)


def due_announcements(
    ticket_id: str, priority: Priority, sla: SlaClocks, now: datetime
) -> list[Announcement]:
    """What is due and not yet announced: a breach first (it implies the warning), else a warning.
    A paused resolution clock announces nothing."""
    due: list[Announcement] = []
    for target in SlaTarget:
        clock = clock_of(sla, target)
        if clock is None or clock.get("met_at") is not None:
            continue
        if target is SlaTarget.RESOLUTION and sla.get("paused_at") is not None:
            continue
        kind: Kind | None = None
        if not clock["breached"] and as_utc(clock["due_at"]) <= now:
            kind = "breached"
        elif not clock["warned"] and as_utc(clock["warn_at"]) <= now:
            kind = "warned"
        if kind is not None:
            due.append(
                Announcement(
                    ticket_id=ticket_id,
                    target=target,
                    priority=priority,
                    cycle=int(clock["cycle"]),
                    kind=kind,
                    due_at=as_utc(clock["due_at"]),
                )
            )
    return due
