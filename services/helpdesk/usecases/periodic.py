"""The helpdesk's periodic use cases, run by every instance: announcing SLA warnings and breaches
once, and closing tickets resolved longer ago than the reopen window."""

from __future__ import annotations

from functools import partial

from services.common.kafka.topics import HELPDESK_EVENTS
from services.common.logging import get_logger
from services.common.store import MongoStore, Tx
from services.common.time import utcnow
from services.common.usecases import commit
from services.helpdesk.domain.errors import StaleVersion
from services.helpdesk.domain.sla_announcements import Announcement, due_announcements
from services.helpdesk.metrics import SLA_BREACHES, SLA_WARNINGS
from services.helpdesk.store import TicketRepository
from services.helpdesk.usecases.changes import TicketUseCase

log = get_logger(__name__)


class SlaCheck:
    """Every instance may run it: the clock's flag is set conditionally in the same transaction
    as the event, whose id is derived from what it announces, so each is announced once."""

    def __init__(self, *, store: MongoStore, tickets: TicketRepository) -> None:
        self._store = store
        self._tickets = tickets

    async def check(self) -> int:
        """One round; returns how many announcements were made."""
        now = utcnow()
        made = 0
        for due in await self._tickets.sla_due(now=now):
            for announcement in due_announcements(due.ticket_id, due.priority, due.sla, now):
                if await commit(self._store, partial(self._announce, announcement=announcement)):
                    made += 1
        return made

    async def _announce(self, tx: Tx, *, announcement: Announcement) -> bool:
        marked = await self._tickets.mark_sla(
            tx,
            announcement.ticket_id,
            target=announcement.target.value,
            cycle=announcement.cycle,
            flags=announcement.flags,
            unset=announcement.kind,
        )
        if marked:
            event = announcement.event(utcnow())
            await tx.emit(topic=HELPDESK_EVENTS, key=announcement.ticket_id, event=event)
            tx.after_commit(partial(self._announced, announcement))
        return marked

    @staticmethod
    def _announced(announcement: Announcement) -> None:
        counter = SLA_BREACHES if announcement.kind == "breached" else SLA_WARNINGS
        target, priority = announcement.target.value, announcement.priority.value
        counter.labels(target, priority).inc()
        log.info("sla announced", kind=announcement.kind, target=target, priority=priority)


class ResolvedClosing(TicketUseCase):
    async def close_expired(self) -> int:
        """Close tickets resolved longer ago than the reopen window (the senior did not write)."""
        closed = 0
        for ticket_id in await self._tickets.resolved_before(utcnow() - self._rules.reopen_window):
            try:
                if await commit(self._store, partial(self._close, ticket_id=ticket_id)):
                    closed += 1
            except StaleVersion:
                continue  # it changed meanwhile (e.g. reopened); the next round looks again
        return closed

    async def _close(self, tx: Tx, *, ticket_id: str) -> bool:
        ticket = await self._tickets.get(ticket_id, tx)
        if ticket is None:
            return False
        change = ticket.close_expired(self._rules, now=utcnow())
        return await self._write(tx, change, expected_version=ticket.version)
