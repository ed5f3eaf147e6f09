"""Opening tickets: a help request (Dai-chan, the lending office), and a call or email logged by
staff. One ticket per request id (checked here and by a unique index)."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from functools import partial
from typing import Any
from uuid import uuid4

from services.common.events.contracts.helpdesk import HelpRequested, TicketStatus
from services.common.events.envelope import Envelope
from services.common.store import Tx
from services.common.time import utcnow
from services.common.usecases import commit
from services.helpdesk.domain.change import StaffAct
from services.helpdesk.domain.parts import SYSTEM, Actor
from services.helpdesk.domain.ticket import NewTicket, Outcome, Ticket
from services.helpdesk.domain.tickets import ACTIVE, Channel, category_for, effective_priority
from services.helpdesk.usecases.changes import TicketUseCase

# A senior's ticket that a new request or message may join: in progress, or resolved recently.
JOINABLE = (*ACTIVE, TicketStatus.RESOLVED)


class Opening(TicketUseCase):
    async def new_ticket(
        self,
        tx: Tx,
        new: NewTicket,
        *,
        now: datetime,
        actor: Actor,
        cause: Envelope[Any] | None = None,
    ) -> Ticket:
        """Open a ticket in `tx`, numbered from the helpdesk's counter."""
        change = Ticket.open(
            self._rules,
            new,
            ticket_id=str(uuid4()),
            number=await self._tickets.next_number(tx),
            now=now,
            actor=actor,
            cause=cause,
        )
        await self._write(tx, change)
        return change.after

    async def joinable(
        self, tx: Tx, *, line_user_id: str | None, participant_id: str | None
    ) -> Ticket | None:
        return await self._tickets.latest_for_requester(
            tx, line_user_id=line_user_id, participant_id=participant_id, statuses=JOINABLE
        )

    async def from_request(
        self, tx: Tx, *, request: HelpRequested, envelope: Envelope[Any], channel: Channel
    ) -> Outcome:
        """Open, join or reopen a ticket for a help request; the outcome is returned for counting.

        A request for a senior who already has a ticket in progress joins it (one person looks
        after one senior); one for a senior whose ticket was resolved within the reopen window
        reopens it, so the follow-up sits with its history. Otherwise a new ticket opens.
        """
        if await self._tickets.has_request(tx, request.request_id):
            return "duplicate"
        now = utcnow()
        priority = effective_priority(request.reason, request.priority)
        existing = await self.joinable(
            tx, line_user_id=request.line_user_id, participant_id=request.participant_id
        )
        if existing is not None and existing.reopenable(self._rules, now):
            outcome, change = existing.join_request(
                self._rules, request=request, priority=priority, now=now, cause=envelope
            )
            await self._write(tx, change)
            return outcome
        new = NewTicket(
            channel=channel,
            category=category_for(request.reason),
            priority=priority,
            summary=request.summary,
            line_user_id=request.line_user_id,
            participant_id=request.participant_id,
            request_id=request.request_id,
            handover=request.handover and bool(request.line_user_id),
            follow_up_of=existing.id if existing is not None else None,
        )
        await self.new_ticket(tx, new, now=now, actor=SYSTEM, cause=envelope)
        return "opened"

    async def by_staff(self, new: NewTicket, *, actor: Actor, claim: bool) -> Ticket:
        """A phone call or an email logged by staff; claimed by them unless they say otherwise."""
        logged = dataclasses.replace(new, request_id=f"staff:{uuid4()}")
        return await commit(
            self._store, partial(self._by_staff, new=logged, actor=actor, claim=claim)
        )

    async def _by_staff(self, tx: Tx, *, new: NewTicket, actor: Actor, claim: bool) -> Ticket:
        now = utcnow()
        ticket = await self.new_ticket(tx, new, now=now, actor=actor)
        if not claim:
            return ticket
        change = ticket.claim(StaffAct(self._rules, actor, ticket.version, now))
        await self._write(tx, change, expected_version=ticket.version)
        return change.after
