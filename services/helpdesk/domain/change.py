"""One change to one ticket, as the aggregate's transitions build it: the ticket before and after,
the events it publishes, the LINE messages it sends and the metrics it counts.

`Draft` is the transitions' working copy; nothing here reads or writes anything, so the same
transition given the same ticket and time decides the same way (a retried transaction, a
redelivered event).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

from pydantic import JsonValue

from services.common.events.contracts.helpdesk import (
    ConversationHandedBack,
    ConversationHandedOver,
    Priority,
    StaffReplied,
    TicketChanged,
    TicketStatus,
)
from services.common.events.contracts.line import SendPriority, SendRequested, TextMessage
from services.common.events.envelope import Contract, Envelope, new_event
from services.common.time import as_utc
from services.helpdesk.domain.parts import (
    Actor,
    Entry,
    EntryKind,
    HistoryEntry,
    MailReply,
    Measure,
    Outgoing,
    Send,
    command_id,
)
from services.helpdesk.domain.sla import SlaPolicy
from services.helpdesk.domain.tickets import check_transition, reason_for

if TYPE_CHECKING:
    from services.helpdesk.domain.ticket import Ticket

SOURCE = "helpdesk"
REPLY_TOKEN_MARGIN = timedelta(seconds=5)


@dataclass(frozen=True)
class TicketRules:
    """What the transitions are given besides the ticket: the SLA targets and two periods."""

    policy: SlaPolicy
    reopen_window: timedelta
    retention: timedelta


@dataclass(frozen=True)
class StaffAct:
    """A staff member acting on a ticket: who, on which version they saw, when, under which rules."""

    rules: TicketRules
    actor: Actor
    version: int
    now: datetime


@dataclass(frozen=True)
class TicketChange:
    """What a transition decided. `before` is None for a new ticket."""

    before: Ticket | None
    after: Ticket
    events: list[Outgoing] = field(default_factory=list)
    sends: list[Send] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)
    mails: list[MailReply] = field(default_factory=list)

    @property
    def new_entries(self) -> list[Entry]:
        return self.after.thread[len(self.before.thread) :] if self.before else self.after.thread

    @property
    def new_history(self) -> list[HistoryEntry]:
        return self.after.history[len(self.before.history) :] if self.before else self.after.history


class Draft:
    """A transition's working copy of the ticket and what the change causes so far."""

    def __init__(
        self, ticket: Ticket, *, rules: TicketRules, now: datetime, new: bool = False
    ) -> None:
        self.before = None if new else ticket
        self.ticket = ticket.model_copy(deep=True)
        self.ticket.updated_at = now
        if not new:
            self.ticket.version = ticket.version + 1  # every change is one version
        self.rules = rules
        self.now = now
        self.events: list[Outgoing] = []
        self.sends: list[Send] = []
        self.measures: list[Measure] = []
        self.mails: list[MailReply] = []
        self.notify_changed = False

    def finish(self, cause: Envelope[Any] | None = None) -> TicketChange:
        if self.notify_changed:
            self._changed(cause)
        return TicketChange(
            before=self.before,
            after=self.ticket,
            events=self.events,
            sends=self.sends,
            measures=self.measures,
            mails=self.mails,
        )

    # -- entries -----------------------------------------------------------------------------

    def log(self, actor: Actor, action: str, **details: JsonValue) -> None:
        self.ticket.history.append(
            HistoryEntry(at=self.now, actor=actor.person(), action=action, details=details)
        )

    def add_entry(
        self,
        kind: EntryKind,
        actor: Actor,
        text: str,
        *,
        entry_id: str | None = None,
        sent_to_line: bool | None = None,
        sent_at: datetime | None = None,
        request_id: str | None = None,
        reply_id: str | None = None,
    ) -> None:
        self.ticket.thread.append(
            Entry(
                id=entry_id or str(uuid4()),
                kind=kind,
                author=actor.person(),
                text=text,
                at=self.now,
                sent_to_line=sent_to_line,
                sent_at=sent_at,
                request_id=request_id,
                reply_id=reply_id,
            )
        )

    def _event(self, data: Contract, cause: Envelope[Any] | None) -> Envelope[Any]:
        return new_event(data, source=SOURCE, cause=cause)

    def _changed(self, cause: Envelope[Any] | None) -> None:
        t = self.ticket
        first_request = (self.before or t).request_ids
        self.events.append(
            Outgoing(
                key=t.id,
                event=self._event(
                    TicketChanged(
                        ticket_id=t.id,
                        request_id=first_request[0] if first_request else None,
                        status=t.status,
                        priority=t.priority,
                        reason=reason_for(t.category),
                        line_user_id=t.line_user_id,
                        participant_id=t.participant_id,
                        assignee_id=t.assignee.id if t.assignee else None,
                        at=self.now,
                        channel=t.channel.value,
                        category=t.category.value,
                    ),
                    cause,
                ),
            )
        )

    # -- the building blocks of the transitions ----------------------------------------------

    def awaiting(self, since: datetime | None) -> None:
        self.ticket.awaiting_staff_since = since

    def claim_for(self, actor: Actor) -> None:
        self.ticket.assignee = actor.person()
        self.log(actor, "claimed")
        self.notify_changed = True

    def set_priority(self, actor: Actor, priority: Priority) -> None:
        t = self.ticket
        if priority is t.priority:
            return
        self.log(actor, "priority", to=priority.value, **{"from": t.priority.value})
        t.priority = priority
        t.sla = self.rules.policy.reprioritised(t.sla, priority)
        self.notify_changed = True

    def transition(self, actor: Actor, to: TicketStatus) -> None:
        t = self.ticket
        current = t.status
        if current is to:
            return
        check_transition(current, to)
        policy, priority, now = self.rules.policy, t.priority, self.now
        sla = t.sla
        if current is TicketStatus.WAITING_ON_SENIOR:
            sla = policy.resumed(sla, priority, now)
        if to is TicketStatus.WAITING_ON_SENIOR:
            sla = policy.paused(sla, now)
        if to is TicketStatus.RESOLVED:
            sla = policy.resolved(sla, priority, now)
            t.resolved_at = now
            self.awaiting(None)
            started = as_utc(t.resolution_started_at or t.opened_at)
            seconds = (now - started).total_seconds()
            self.measures.append(Measure("resolution", (priority.value,), seconds))
        if current is TicketStatus.RESOLVED and to is TicketStatus.OPEN:
            sla = policy.reopened(sla, priority, now)
            t.resolved_at = None
            t.resolution_started_at = now
            t.reopened_count += 1
            self.log(actor, "reopened")
            self.measures.append(Measure("reopened", (priority.value,)))
        if to is TicketStatus.CLOSED:
            t.closed_at = now
            t.purge_at = now + self.rules.retention
            self.awaiting(None)
        t.sla = sla
        t.status = to
        self.log(actor, "status", to=to.value, **{"from": current.value})
        self.notify_changed = True

    def take_conversation(self, actor: Actor, cause: Envelope[Any] | None) -> None:
        t = self.ticket
        if not t.line_user_id or t.holds_conversation:
            return
        t.holds_conversation = True
        self.log(actor, "conversation_taken")
        handed = ConversationHandedOver(ticket_id=t.id, line_user_id=t.line_user_id, at=self.now)
        # Keyed by the senior, so one senior's hand-overs and hand-backs stay in order.
        self.events.append(Outgoing(key=t.line_user_id, event=self._event(handed, cause)))

    def give_back_conversation(self, actor: Actor) -> None:
        t = self.ticket
        if not t.line_user_id or not t.holds_conversation:
            return
        t.holds_conversation = False
        self.log(actor, "conversation_handed_back")
        back = ConversationHandedBack(ticket_id=t.id, line_user_id=t.line_user_id, at=self.now)
        self.events.append(Outgoing(key=t.line_user_id, event=self._event(back, None)))

    def replied(self, *, cid: UUID) -> None:
        """Tell Dai-chan a person answered the senior (it ends the senior's wait). Its id is the
        reply's own, so the same reply decided twice publishes the same event."""
        t = self.ticket
        if not t.line_user_id:
            return
        replied = StaffReplied(ticket_id=t.id, line_user_id=t.line_user_id, at=self.now)
        event = new_event(replied, source=SOURCE, event_id=command_id(t.id, "replied", str(cid)))
        # Keyed by the senior, in order with the hand-over and hand-back.
        self.events.append(Outgoing(key=t.line_user_id, event=event))

    def send(self, *, cid: UUID, messages: list[TextMessage], purpose: str) -> None:
        """A message to the senior, on the free reply path while the senior's token is fresh."""
        t = self.ticket
        user = t.line_user_id
        if user is None:
            return
        token, expires = t.reply_token, t.reply_token_expires_at
        if token and expires and as_utc(expires) > self.now + REPLY_TOKEN_MARGIN:
            # A reply token is single use: the free reply path once, push afterwards.
            t.reply_token = None
            t.reply_token_expires_at = None
        else:
            token = expires = None
        request = SendRequested(
            user_id=user,
            messages=messages,
            reply_token=token,
            reply_token_expires_at=as_utc(expires) if expires else None,
            priority=SendPriority.SERVICE,
            purpose=purpose,
        )
        self.sends.append(Send(key=user, event=new_event(request, source=SOURCE, event_id=cid)))
