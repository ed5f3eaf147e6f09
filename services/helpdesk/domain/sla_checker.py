"""The periodic SLA check: announce each warning and each breach once, as events and metrics.

Every instance may run it; the flag on the ticket's clock is set conditionally in the same
transaction as the event, and the event id is derived from (ticket, target, cycle, kind), so a
warning or breach is announced once however many checkers race.
"""

from __future__ import annotations

from uuid import UUID, uuid5

from services.common.events.contracts.helpdesk import (
    Priority,
    SlaBreached,
    SlaTarget,
    SlaWarning,
)
from services.common.events.envelope import new_event
from services.common.kafka.topics import HELPDESK_EVENTS
from services.common.logging import get_logger
from services.common.store import MongoStore, Tx
from services.common.time import as_utc, utcnow
from services.helpdesk.domain.tickets import ACTIVE
from services.helpdesk.metrics import SLA_BREACHES, SLA_WARNINGS
from services.helpdesk.store import TicketRepository

log = get_logger(__name__)
SLA_NAMESPACE = UUID("5e8f2d6a-3c1b-4b7e-8a90-1d2c3b4a5f60")


def announcement_id(ticket_id: str, target: SlaTarget, cycle: int, kind: str) -> UUID:
    return uuid5(SLA_NAMESPACE, f"{ticket_id}:{target.value}:{cycle}:{kind}")


class SlaChecker:
    def __init__(self, *, store: MongoStore, tickets: TicketRepository) -> None:
        self._store = store
        self._tickets = tickets

    async def check(self) -> int:
        """One round; returns how many announcements were made."""
        now = utcnow()
        made = 0
        for ticket in await self._tickets.sla_due(now=now, statuses=[s.value for s in ACTIVE]):
            sla = ticket.get("sla") or {}
            for target in SlaTarget:
                clock = sla.get(target.value)
                if clock is None or clock.get("met_at") is not None:
                    continue
                if target is SlaTarget.RESOLUTION and sla.get("paused_at") is not None:
                    continue
                kind = None
                if not clock["breached"] and as_utc(clock["due_at"]) <= now:
                    kind = "breached"
                elif not clock["warned"] and as_utc(clock["warn_at"]) <= now:
                    kind = "warned"
                if kind is None:
                    continue
                if await self._announce(ticket, target, clock, kind):
                    made += 1
        return made

    async def _announce(
        self, ticket: dict[str, object], target: SlaTarget, clock: dict[str, object], kind: str
    ) -> bool:
        ticket_id = str(ticket["_id"])
        priority = Priority(str(ticket["priority"]))
        cycle = int(str(clock["cycle"]))
        due_at = as_utc(clock["due_at"])  # type: ignore[arg-type]
        now = utcnow()
        payload = (
            SlaBreached(
                ticket_id=ticket_id, target=target, priority=priority, due_at=due_at, at=now
            )
            if kind == "breached"
            else SlaWarning(
                ticket_id=ticket_id, target=target, priority=priority, due_at=due_at, at=now
            )
        )

        async def work(tx: Tx) -> bool:
            marked = await self._tickets.mark_sla(
                tx,
                ticket_id,
                target=target.value,
                cycle=cycle,
                flags=["breached", "warned"] if kind == "breached" else ["warned"],
                unset=kind,
            )
            if marked:
                await tx.emit(
                    topic=HELPDESK_EVENTS,
                    key=ticket_id,
                    event=new_event(
                        payload,
                        source="helpdesk",
                        event_id=announcement_id(ticket_id, target, cycle, kind),
                    ),
                )
            return marked

        if not await self._store.transaction(work):
            return False
        counter = SLA_BREACHES if kind == "breached" else SLA_WARNINGS
        counter.labels(target.value, priority.value).inc()
        log.info("sla announced", kind=kind, target=target.value, priority=priority.value)
        return True
