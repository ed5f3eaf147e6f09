"""Taking one received mail: parse it, let the shared safety detector read it, decide with
`domain.mail.intake.decide`, and apply the decision through the `Ticket` aggregate, in one
transaction with the intake log entry that makes a mail read twice change nothing.

What is returned (the decision, and the ticket touched) carries no mail content: the caller
logs and counts it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from services.common.safety import detect
from services.common.store import MongoStore, Tx
from services.common.time import utcnow
from services.common.usecases import commit
from services.helpdesk.clients.mailbox import FetchedMail
from services.helpdesk.domain.change import TicketRules
from services.helpdesk.domain.mail.intake import (
    Action,
    IntakeDecision,
    IntakeFacts,
    IntakePolicy,
    KnownTicket,
    SafetyVerdict,
    decide,
    safety_text,
)
from services.helpdesk.domain.mail.model import InboundMail, MailLimits
from services.helpdesk.domain.mail.parsing import parse_mail
from services.helpdesk.domain.mail.threading import (
    reply_id_of,
    thread_candidates,
    ticket_ref_in_subject,
)
from services.helpdesk.domain.mail.tickets import (
    kept_attachments,
    mail_entry,
    mail_request_id,
    new_mail_ticket,
    sender_address,
    sender_key,
    verdict_of,
)
from services.helpdesk.domain.parts import SYSTEM
from services.helpdesk.domain.ticket import Ticket
from services.helpdesk.store import MailIntakeLog, MailTakenAlready, TicketRepository
from services.helpdesk.usecases.changes import TicketUseCase
from services.helpdesk.usecases.opening import Opening


@dataclass(frozen=True)
class Taken:
    decision: IntakeDecision
    ticket_id: str | None = None


def known_ticket(ticket: Ticket) -> KnownTicket:
    return KnownTicket(
        ticket_id=ticket.id,
        status=ticket.status,
        requester_address=ticket.mail_address or "",
        resolved_at=ticket.resolved_at,
    )


def ticket_number(ref: str | None) -> int | None:
    """Our subject tag is the ticket number (`compose.reply_subject`)."""
    return int(ref) if ref is not None and ref.isdigit() else None


class MailIntake(TicketUseCase):
    def __init__(
        self,
        *,
        store: MongoStore,
        tickets: TicketRepository,
        rules: TicketRules,
        opening: Opening,
        log: MailIntakeLog,
        policy: IntakePolicy,
        limits: MailLimits,
    ) -> None:
        super().__init__(store=store, tickets=tickets, rules=rules)
        self._opening = opening
        self._log = log
        self._policy = policy
        self._limits = limits

    async def take(self, fetched: FetchedMail) -> Taken:
        """Take one fetched mail; safe to call again for the same mail (a duplicate then)."""
        mail = parse_mail(fetched.raw, self._limits)
        # SudachiPy and the classifier are CPU work: off the event loop.
        safety = verdict_of(await asyncio.to_thread(detect, safety_text(mail)))
        request_id = mail_request_id(mail, uidvalidity=fetched.uidvalidity, uid=fetched.uid)
        try:
            return await commit(
                self._store,
                partial(
                    self._apply,
                    mail=mail,
                    request_id=request_id,
                    safety=safety,
                    header_only=not fetched.complete,
                ),
            )
        except MailTakenAlready:
            return Taken(IntakeDecision(Action.DUPLICATE, "mail taken by another reader"))

    async def failed(
        self, fetched: FetchedMail, *, error_type: str, give_up_after: int
    ) -> tuple[int, bool]:
        """Count a failed `take` of the mail; (attempts, given up: do not take it again)."""
        return await self._log.failed_attempt(
            uidvalidity=fetched.uidvalidity,
            uid=fetched.uid,
            error_type=error_type,
            at=utcnow(),
            give_up_after=give_up_after,
        )

    async def given_up(self, fetched: FetchedMail) -> bool:
        return await self._log.given_up(uidvalidity=fetched.uidvalidity, uid=fetched.uid)

    async def _facts(
        self,
        tx: Tx,
        mail: InboundMail,
        *,
        request_id: str,
        safety: SafetyVerdict,
        header_only: bool,
        now: datetime,
    ) -> IntakeFacts:
        candidates = thread_candidates(mail)
        by_id = await self._tickets.by_mail_message_ids(tx, candidates)
        # Our own replies' Message-IDs carry the reply id, which is the reply's thread entry.
        for message_id in candidates:
            reply_id = reply_id_of(message_id, self._policy.own_domain)
            if reply_id is not None and message_id not in by_id:
                ticket = await self._tickets.with_entry(tx, reply_id)
                if ticket is not None:
                    by_id[message_id] = ticket
        number = ticket_number(ticket_ref_in_subject(mail.subject))
        tagged = await self._tickets.by_number(tx, number) if number is not None else None
        sender = sender_address(mail)
        return IntakeFacts(
            now=now,
            tickets_by_message_id={m: known_ticket(t) for m, t in by_id.items()},
            tagged_ticket=known_ticket(tagged) if tagged is not None else None,
            already_received=await self._log.taken(tx, request_id),
            header_only=header_only,
            recent_from_sender=await self._log.recent(
                tx, sender=sender_key(sender), since=now - self._policy.rate_window
            ),
            # No directory of requesters' addresses exists yet: someone who wrote before (a
            # ticket carries their address) counts as known.
            known_sender=bool(sender) and await self._tickets.has_mail_address(tx, sender),
            safety=safety,
        )

    async def _apply(
        self,
        tx: Tx,
        *,
        mail: InboundMail,
        request_id: str,
        safety: SafetyVerdict,
        header_only: bool,
    ) -> Taken:
        now = utcnow()
        facts = await self._facts(
            tx, mail, request_id=request_id, safety=safety, header_only=header_only, now=now
        )
        decision = decide(mail, facts, self._policy)
        if decision.action is Action.DUPLICATE:
            return Taken(decision)
        ticket_id = await self._apply_decision(tx, mail, decision, request_id=request_id, now=now)
        await self._log.record(
            tx,
            request_id=request_id,
            sender=sender_key(sender_address(mail)),
            action=decision.action.value,
            ticket_id=ticket_id,
            at=now,
        )
        return Taken(decision, ticket_id)

    async def _apply_decision(
        self,
        tx: Tx,
        mail: InboundMail,
        decision: IntakeDecision,
        *,
        request_id: str,
        now: datetime,
    ) -> str | None:
        if not decision.touches_ticket:
            return None
        entry = mail_entry(mail, request_id=request_id, at=now)
        if decision.action is Action.NEW_TICKET:
            new = new_mail_ticket(mail, decision, entry=entry)
            ticket = await self._opening.new_ticket(tx, new, now=now, actor=SYSTEM)
            await self._keep_attachments(tx, mail, ticket, request_id=request_id, now=now)
            return ticket.id
        existing = await self._tickets.get(decision.ticket_id or "", tx)
        if existing is None or decision.priority is None:
            # Decided from this transaction's snapshot, so the ticket is there.
            raise RuntimeError("a join decision without its ticket")
        _outcome, change = existing.mail_received(
            self._rules,
            entry=entry,
            request_id=request_id,
            message_ids=(mail.message_id,) if mail.message_id else (),
            priority=decision.priority,
            unknown_sender=decision.unknown_sender,
            now=now,
        )
        await self._write(tx, change)
        await self._keep_attachments(tx, mail, change.after, request_id=request_id, now=now)
        return existing.id

    async def _keep_attachments(
        self, tx: Tx, mail: InboundMail, ticket: Ticket, *, request_id: str, now: datetime
    ) -> None:
        """The accepted attachments, in the transaction that records the mail's entry (whose id
        is the request id, as `mail_entry` makes it; the attachment ids come from it too)."""
        await self._tickets.attachments.keep(
            tx,
            ticket_id=ticket.id,
            entry_id=request_id,
            files=kept_attachments(mail, request_id=request_id),
            at=now,
            purge_at=ticket.purge_at,
        )
