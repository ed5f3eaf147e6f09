"""What the senior does on LINE while a person has the conversation, and what becomes of staff
replies: each joins a ticket, in the consumer's transaction (the framework opened it)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from services.common.events.contracts.helpdesk import Priority
from services.common.events.envelope import Envelope
from services.common.store import MongoStore, Tx
from services.common.time import utcnow
from services.helpdesk.domain.change import TicketRules
from services.helpdesk.domain.parts import SENIOR, SYSTEM, Entry
from services.helpdesk.domain.ticket import NewTicket, Outcome
from services.helpdesk.domain.tickets import Category, Channel
from services.helpdesk.store import TicketRepository
from services.helpdesk.usecases.changes import TicketUseCase
from services.helpdesk.usecases.opening import Opening

NEW_FROM_LINE = "LINEで ご本人から メッセージが 届きました。"


class SeniorWork(TicketUseCase):
    def __init__(
        self, *, store: MongoStore, tickets: TicketRepository, rules: TicketRules, opening: Opening
    ) -> None:
        super().__init__(store=store, tickets=tickets, rules=rules)
        self._opening = opening

    async def wrote(
        self,
        tx: Tx,
        *,
        envelope: Envelope[Any],
        line_user_id: str,
        participant_id: str | None,
        text: str,
        sent_at: datetime,
        reply_token: str | None,
        reply_token_expires_at: datetime | None,
    ) -> Outcome:
        """A human-mode message or tap: it joins the ticket that holds the conversation.

        If none holds it (the message crossed a hand-back, or the gateway thinks a person has the
        conversation and we have no ticket), it goes to the senior's ticket in progress, else
        reopens one resolved within the window, else opens a new one: a senior is never lost.
        `participant_id` is line_gateway's stamp on the message: a ticket that does not know its
        participant learns it from here.
        """
        now = utcnow()
        entry = Entry(
            id=str(envelope.id),
            kind="senior",
            author=SENIOR.person(),
            text=text,
            at=now,
            sent_at=sent_at,
        )
        target = await self._tickets.conversation_holder(tx, line_user_id)
        if target is None:
            target = await self._opening.joinable(
                tx, line_user_id=line_user_id, participant_id=None
            )
            if target is not None and not target.reopenable(self._rules, now):
                target = None
        if target is None:
            new = NewTicket(
                channel=Channel.LINE,
                category=Category.OTHER,
                priority=Priority.NORMAL,
                summary=NEW_FROM_LINE,
                line_user_id=line_user_id,
                participant_id=participant_id,
                request_id=f"line:{envelope.id}",
                handover=True,
                first_entry=entry.model_copy(update={"sent_at": None}),
            )
            await self._opening.new_ticket(tx, new, now=now, actor=SYSTEM, cause=envelope)
            return "opened"
        outcome, change = target.senior_wrote(
            self._rules,
            entry=entry,
            participant_id=participant_id,
            reply_token=reply_token,
            reply_token_expires_at=reply_token_expires_at,
            now=now,
            cause=envelope,
        )
        await self._write(tx, change)
        return outcome

    async def reply_not_delivered(
        self, tx: Tx, *, command_id: UUID, outcome: str, at: datetime
    ) -> bool:
        """Say on its ticket that a staff reply did not reach the senior; False if there is no
        such reply (or it was said already)."""
        reply_id = str(command_id)
        ticket = await self._tickets.with_entry(tx, reply_id)
        if ticket is None:
            return False
        rules = self._rules
        return await self._write(
            tx, ticket.reply_not_delivered(rules, reply_id=reply_id, outcome=outcome, at=at)
        )

    async def csat(self, tx: Tx, *, ticket_id: str, line_user_id: str, score: int) -> bool:
        """Store the senior's first answer to the satisfaction question of their own ticket."""
        ticket = await self._tickets.get(ticket_id, tx)
        if ticket is None:
            return False
        rules, now = self._rules, utcnow()
        return await self._write(
            tx, ticket.record_csat(rules, line_user_id=line_user_id, score=score, now=now)
        )
