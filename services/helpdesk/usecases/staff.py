"""What staff do to a ticket from the page: claim, release, assign, reply, note, change status
or fields, resolve, take or hand back the LINE conversation.

Each is one transaction (`services.common.usecases.commit`): the ticket is read in it, the
aggregate decides (refusing a stale version or a colleague's ticket), and the change is written
conditionally on the version the staff member saw.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from services.common.events.contracts.helpdesk import Priority, TicketStatus
from services.common.store import Tx
from services.common.time import utcnow
from services.common.usecases import commit
from services.helpdesk.domain.change import StaffAct, TicketChange
from services.helpdesk.domain.errors import TicketNotFound
from services.helpdesk.domain.parts import Actor
from services.helpdesk.domain.ticket import Ticket
from services.helpdesk.domain.tickets import Category
from services.helpdesk.usecases.changes import TicketUseCase

# A transition of the aggregate, given the act: the change, or None when there is nothing to do.
Transition = Callable[[Ticket, StaffAct], TicketChange | None]


class StaffWork(TicketUseCase):
    async def act(
        self, ticket_id: str, *, actor: Actor, version: int, transition: Transition
    ) -> tuple[Ticket, bool]:
        """The ticket after `transition` by `actor`, and whether it changed anything."""
        write = partial(
            self._act, ticket_id=ticket_id, actor=actor, version=version, transition=transition
        )
        return await commit(self._store, write)

    async def _act(
        self, tx: Tx, *, ticket_id: str, actor: Actor, version: int, transition: Transition
    ) -> tuple[Ticket, bool]:
        ticket = await self._tickets.get(ticket_id, tx)
        if ticket is None:
            raise TicketNotFound("No such ticket.")
        act = StaffAct(rules=self._rules, actor=actor, version=version, now=utcnow())
        change = transition(ticket, act)
        if not await self._write(tx, change, expected_version=version):
            return ticket, False
        assert change is not None
        return change.after, True

    async def _changed(
        self, ticket_id: str, actor: Actor, version: int, transition: Transition
    ) -> Ticket:
        ticket, _ = await self.act(ticket_id, actor=actor, version=version, transition=transition)
        return ticket

    async def claim(self, ticket_id: str, *, actor: Actor, version: int) -> Ticket:
        return await self._changed(ticket_id, actor, version, Ticket.claim)

    async def release(self, ticket_id: str, *, actor: Actor, version: int) -> Ticket:
        return await self._changed(ticket_id, actor, version, Ticket.release)

    async def assign(
        self, ticket_id: str, *, actor: Actor, version: int, assignee: Actor | None
    ) -> Ticket:
        return await self._changed(ticket_id, actor, version, partial(Ticket.assign, to=assignee))

    async def reply(
        self,
        ticket_id: str,
        *,
        actor: Actor,
        version: int,
        text: str,
        client_reply_id: str,
        then_wait: bool,
    ) -> tuple[Ticket, bool]:
        """A public reply. Returns (ticket, sent_now): a resubmission of a reply that went through
        is answered with the ticket as it is."""
        reply = partial(
            Ticket.reply, text=text, client_reply_id=client_reply_id, then_wait=then_wait
        )
        return await self.act(ticket_id, actor=actor, version=version, transition=reply)

    async def note(self, ticket_id: str, *, actor: Actor, version: int, text: str) -> Ticket:
        return await self._changed(ticket_id, actor, version, partial(Ticket.note, text=text))

    async def set_status(
        self, ticket_id: str, *, actor: Actor, version: int, status: TicketStatus
    ) -> Ticket:
        return await self._changed(ticket_id, actor, version, partial(Ticket.set_status, to=status))

    async def update_fields(
        self,
        ticket_id: str,
        *,
        actor: Actor,
        version: int,
        priority: Priority | None,
        category: Category | None,
        tags: list[str] | None,
    ) -> Ticket:
        fields = partial(Ticket.update_fields, priority=priority, category=category, tags=tags)
        return await self._changed(ticket_id, actor, version, fields)

    async def resolve(
        self, ticket_id: str, *, actor: Actor, version: int, ask_csat: bool, closing: bool
    ) -> Ticket:
        resolve = partial(Ticket.resolve, ask_csat=ask_csat, closing=closing)
        return await self._changed(ticket_id, actor, version, resolve)

    async def take_conversation(self, ticket_id: str, *, actor: Actor, version: int) -> Ticket:
        return await self._changed(ticket_id, actor, version, Ticket.take_conversation)

    async def hand_back(self, ticket_id: str, *, actor: Actor, version: int) -> Ticket:
        return await self._changed(ticket_id, actor, version, Ticket.hand_back)
