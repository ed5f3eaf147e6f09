"""The ticket aggregate: its state, and every transition as a method returning a `TicketChange`.

Transitions are pure: they copy the ticket, change the copy and say what else the change causes
(events, LINE messages, metrics); the use cases load the ticket and commit the change. Staff
changes name the version they saw; if the ticket moved on meanwhile nothing changes and
`StaleVersion` says so. Anything that speaks to the senior or moves the ticket along needs the
ticket to be unclaimed (it is then claimed in the same change) or claimed by the same staff
member, so two people never answer one senior.

`channel` says how the ticket came in (`Channel`, one field); a new channel is a new member there.
Answering the senior goes by `line_user_id` (`Draft.send`, a LINE message), so a channel that
answers another way adds its own kind of send beside that one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from services.common.events.contracts.helpdesk import HelpRequested, Priority, TicketStatus
from services.common.events.contracts.line import TextMessage
from services.common.events.envelope import Envelope
from services.common.time import as_utc
from services.helpdesk.domain import permissions, texts
from services.helpdesk.domain.change import Draft, StaffAct, TicketChange, TicketRules
from services.helpdesk.domain.errors import ClaimedByOther, NotAllowed, StaleVersion
from services.helpdesk.domain.parts import (
    SENIOR,
    SYSTEM,
    Actor,
    Csat,
    Entry,
    HistoryEntry,
    MailReply,
    Measure,
    Person,
    command_id,
)
from services.helpdesk.domain.permissions import Refusal
from services.helpdesk.domain.sla import SlaClocks
from services.helpdesk.domain.tickets import ACTIVE, Category, Channel, higher_priority

# What became of a request or a message, counted by the caller.
Outcome = Literal["opened", "joined", "reopened", "duplicate"]


# What a new ticket takes as it is from `NewTicket`.
CARRIED = (
    "channel",
    "category",
    "priority",
    "summary",
    "line_user_id",
    "participant_id",
    "contact",
    "follow_up_of",
    "mail_address",
    "mail_message_ids",
    "mail_subject",
    "unknown_sender",
)


@dataclass(frozen=True)
class NewTicket:
    """What a new ticket is about, and who it is for; `handover` takes the LINE conversation."""

    channel: Channel
    category: Category
    priority: Priority
    summary: str
    line_user_id: str | None
    participant_id: str | None
    request_id: str | None = None
    contact: str | None = None
    handover: bool = False
    follow_up_of: str | None = None
    first_entry: Entry | None = None
    # The e-mail channel: the requester's address (lower-cased), the Message-IDs that thread to
    # this ticket, and whether the sender is no known requester (staff see a mark).
    mail_address: str | None = None
    mail_message_ids: tuple[str, ...] = ()
    mail_subject: str | None = None
    unknown_sender: bool = False


class Ticket(BaseModel):
    id: str
    number: int
    channel: Channel
    category: Category
    priority: Priority
    status: TicketStatus
    summary: str
    opened_at: datetime
    updated_at: datetime
    sla: SlaClocks
    version: int = 1
    request_ids: list[str] = Field(default_factory=list)
    line_user_id: str | None = None
    participant_id: str | None = None
    contact: str | None = None
    assignee: Person | None = None
    tags: list[str] = Field(default_factory=list)
    holds_conversation: bool = False
    thread: list[Entry] = Field(default_factory=list)
    history: list[HistoryEntry] = Field(default_factory=list)
    resolution_started_at: datetime | None = None
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    purge_at: datetime | None = None
    awaiting_staff_since: datetime | None = None
    reply_token: str | None = None
    reply_token_expires_at: datetime | None = None
    csat: Csat | None = None
    csat_asked: bool = False
    reopened_count: int = 0
    follow_up_of: str | None = None
    last_senior_at: datetime | None = None
    # Personal data like `contact`, kept with the ticket (and purged with it), never on Kafka.
    mail_address: str | None = None
    mail_message_ids: list[str] = Field(default_factory=list)
    # The subject of the mail that opened the ticket: staff replies answer it ("Re: …").
    mail_subject: str | None = None
    unknown_sender: bool = False

    # -- opening -------------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        rules: TicketRules,
        new: NewTicket,
        *,
        ticket_id: str,
        number: int,
        now: datetime,
        actor: Actor,
        cause: Envelope[Any] | None = None,
    ) -> TicketChange:
        ticket = cls(
            id=ticket_id,
            number=number,
            request_ids=[new.request_id] if new.request_id else [],
            status=TicketStatus.NEW,
            opened_at=now,
            updated_at=now,
            resolution_started_at=now,
            awaiting_staff_since=now,
            sla=rules.policy.opened(new.priority, now),
            **{name: getattr(new, name) for name in CARRIED},
        )
        draft = Draft(ticket, rules=rules, now=now, new=True)
        draft.log(actor, "opened", channel=new.channel.value, priority=new.priority.value)
        draft.add_entry("system", actor, new.summary)
        if new.first_entry is not None:
            draft.ticket.thread.append(new.first_entry)
        if new.handover:
            draft.take_conversation(actor, cause)
        draft.notify_changed = True
        draft.measures.append(Measure("opened", (new.channel.value, new.priority.value)))
        return draft.finish(cause)

    def reopenable(self, rules: TicketRules, now: datetime) -> bool:
        """Still in progress, or resolved within the reopen window."""
        if self.status is not TicketStatus.RESOLVED:
            return True
        return (
            self.resolved_at is not None and as_utc(self.resolved_at) >= now - rules.reopen_window
        )

    # -- requests and the senior ---------------------------------------------------------------

    def join_request(
        self,
        rules: TicketRules,
        *,
        request: HelpRequested,
        priority: Priority,
        now: datetime,
        cause: Envelope[Any],
    ) -> tuple[Outcome, TicketChange]:
        """Another help request for a senior whose ticket this is: it joins (or reopens) it."""
        draft = Draft(self, rules=rules, now=now)
        t = draft.ticket
        t.request_ids.append(request.request_id)
        draft.add_entry("system", SYSTEM, request.summary, request_id=request.request_id)
        draft.log(
            SYSTEM, "request_joined", request_id=request.request_id, reason=request.reason.value
        )
        outcome: Outcome = "joined"
        if self.status is TicketStatus.RESOLVED:
            draft.transition(SYSTEM, TicketStatus.OPEN)
            outcome = "reopened"
        elif self.status is TicketStatus.WAITING_ON_SENIOR:
            draft.transition(SYSTEM, TicketStatus.OPEN)
        draft.set_priority(SYSTEM, higher_priority(self.priority, priority))
        if t.awaiting_staff_since is None:
            draft.awaiting(now)
        if request.line_user_id and not t.line_user_id:
            t.line_user_id = request.line_user_id
        if request.handover:
            draft.take_conversation(SYSTEM, cause)
        return outcome, draft.finish(cause)

    def senior_wrote(
        self,
        rules: TicketRules,
        *,
        entry: Entry,
        reply_token: str | None,
        reply_token_expires_at: datetime | None,
        now: datetime,
        cause: Envelope[Any],
        participant_id: str | None = None,
    ) -> tuple[Outcome, TicketChange]:
        """A message or tap of the senior on LINE joins this ticket (reopening a resolved one).

        `participant_id` is who line_gateway says the sender is now: a ticket opened before the
        senior linked their LINE learns its participant (one it has is never replaced)."""
        draft = Draft(self, rules=rules, now=now)
        t = draft.ticket
        t.thread.append(entry)
        if t.participant_id is None and participant_id is not None:
            t.participant_id = participant_id
        t.last_senior_at = now
        outcome: Outcome = "joined"
        if self.status is TicketStatus.RESOLVED:
            draft.transition(SENIOR, TicketStatus.OPEN)
            outcome = "reopened"
        else:
            if self.status is TicketStatus.WAITING_ON_SENIOR:
                draft.transition(SENIOR, TicketStatus.OPEN)
            t.sla = rules.policy.senior_wrote(t.sla, t.priority, now)
        if t.awaiting_staff_since is None:
            draft.awaiting(now)
        if reply_token and reply_token_expires_at:
            t.reply_token = reply_token
            t.reply_token_expires_at = reply_token_expires_at
        draft.take_conversation(SENIOR, cause)
        return outcome, draft.finish(cause)

    def mail_received(
        self,
        rules: TicketRules,
        *,
        entry: Entry,
        request_id: str,
        message_ids: tuple[str, ...],
        priority: Priority,
        unknown_sender: bool,
        now: datetime,
    ) -> tuple[Outcome, TicketChange]:
        """A mail that threads to this ticket joins it, reopening it when it was resolved (the
        intake decided it may); the ticket is never lowered in priority."""
        draft = Draft(self, rules=rules, now=now)
        t = draft.ticket
        t.request_ids.append(request_id)
        t.thread.append(entry)
        t.last_senior_at = now
        t.mail_message_ids.extend(m for m in message_ids if m not in t.mail_message_ids)
        t.unknown_sender = t.unknown_sender or unknown_sender
        draft.log(SYSTEM, "mail_joined", request_id=request_id)
        outcome: Outcome = "joined"
        if self.status is TicketStatus.RESOLVED:
            draft.transition(SYSTEM, TicketStatus.OPEN)
            outcome = "reopened"
        else:
            if self.status is TicketStatus.WAITING_ON_SENIOR:
                draft.transition(SENIOR, TicketStatus.OPEN)
            t.sla = rules.policy.senior_wrote(t.sla, t.priority, now)
        draft.set_priority(SYSTEM, higher_priority(self.priority, priority))
        if t.awaiting_staff_since is None:
            draft.awaiting(now)
        draft.notify_changed = True
        return outcome, draft.finish()

    def has_entry(self, entry_id: str) -> bool:
        return any(entry.id == entry_id for entry in self.thread)

    def reply_not_delivered(
        self, rules: TicketRules, *, reply_id: str, outcome: str, at: datetime
    ) -> TicketChange | None:
        """Say that a staff reply did not reach the senior; None if it was said already."""
        entry_id = f"{reply_id}:not_delivered"
        if self.has_entry(entry_id):
            return None
        draft = Draft(self, rules=rules, now=at)
        text = texts.REPLY_NOT_DELIVERED[outcome]
        draft.add_entry("system", SYSTEM, text, entry_id=entry_id, reply_id=reply_id)
        draft.log(SYSTEM, "reply_not_delivered", outcome=outcome)
        return draft.finish()

    def record_csat(
        self, rules: TicketRules, *, line_user_id: str, score: int, now: datetime
    ) -> TicketChange | None:
        """The senior's first answer to the satisfaction question of their own ticket."""
        if self.line_user_id != line_user_id or self.csat is not None:
            return None
        draft = Draft(self, rules=rules, now=now)
        draft.ticket.csat = Csat(score=score, at=now)
        draft.log(SENIOR, "csat", score=score)
        return draft.finish()

    def close_expired(self, rules: TicketRules, *, now: datetime) -> TicketChange | None:
        """Close a resolved ticket whose reopen window has passed (the caller chose it)."""
        if self.status is not TicketStatus.RESOLVED:
            return None
        draft = Draft(self, rules=rules, now=now)
        draft.transition(SYSTEM, TicketStatus.CLOSED)
        return draft.finish()

    # -- staff work ----------------------------------------------------------------------------

    def _staff(self, act: StaffAct, *, needs_claim: bool, refusal: Refusal | None = None) -> Draft:
        """A staff change's working copy, after the checks every staff change makes."""
        assignee = self.assignee
        if needs_claim and assignee and assignee.id != act.actor.id:
            raise ClaimedByOther(
                f"This ticket is already claimed by {assignee.name}.",
                assignee=assignee.model_dump(),
                current_version=self.version,
            )
        if self.version != act.version:
            raise StaleVersion(
                f"The ticket changed since you loaded it (your version {act.version}, "
                f"now {self.version}). Reload it and try again.",
                current_version=self.version,
            )
        if refusal is not None:
            permissions.refuse(refusal, assignee=assignee, version=self.version)
        draft = Draft(self, rules=act.rules, now=act.now)
        if needs_claim and not assignee:
            draft.claim_for(act.actor)
        return draft

    def claim(self, act: StaffAct) -> TicketChange:
        draft = self._staff(act, needs_claim=True)
        if self.status is TicketStatus.NEW:
            draft.transition(act.actor, TicketStatus.OPEN)
        return draft.finish()

    def release(self, act: StaffAct) -> TicketChange:
        draft = self._staff(act, needs_claim=True)
        draft.ticket.assignee = None
        draft.log(act.actor, "released")
        draft.notify_changed = True
        return draft.finish()

    def assign(self, act: StaffAct, *, to: Actor | None) -> TicketChange:
        """A supervisor gives the ticket to someone (or to nobody), whoever had it."""
        draft = self._staff(act, needs_claim=False)
        person = to.person() if to else None
        draft.ticket.assignee = person
        draft.log(act.actor, "assigned", to=person.model_dump() if person else None)
        draft.notify_changed = True
        return draft.finish()

    def reply_command_id(self, client_reply_id: str) -> UUID:
        """The LINE command id of a reply, from the ticket and the page's reply id, so the same
        reply submitted twice (double-click, retry after a timeout) is recognised and sent once."""
        return command_id(self.id, "reply", client_reply_id)

    def has_reply(self, client_reply_id: str) -> bool:
        return self.has_entry(str(self.reply_command_id(client_reply_id)))

    def reply(
        self, act: StaffAct, *, text: str, client_reply_id: str, then_wait: bool
    ) -> TicketChange | None:
        """A public reply; on a LINE ticket it goes to the senior. None if this reply is on the
        ticket already: a resubmission is recognised before the version is checked."""
        if self.has_reply(client_reply_id):
            return None
        cid = self.reply_command_id(client_reply_id)
        draft = self._staff(act, needs_claim=True)
        t, now = draft.ticket, act.now
        if t.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
            raise NotAllowed("The ticket is resolved or closed. Reopen it to reply.")
        sent_to_line = bool(t.line_user_id)
        draft.add_entry("reply", act.actor, text, entry_id=str(cid), sent_to_line=sent_to_line)
        if t.channel is Channel.EMAIL and t.mail_address:
            draft.mails.append(self._mail_reply(cid=str(cid), text=text, now=now))
        draft.log(act.actor, "replied")
        t.sla, _met = act.rules.policy.staff_replied(t.sla, now)
        draft.awaiting(None)
        if t.first_response_at is None:
            t.first_response_at = now
            seconds = (now - as_utc(t.opened_at)).total_seconds()
            draft.measures.append(Measure("first_response", (t.priority.value,), seconds))
            draft.measures.append(Measure("first_response_by_channel", (t.channel.value,), seconds))
        draft.measures.append(Measure("reply_sent", (t.channel.value,)))
        waiting = TicketStatus.WAITING_ON_SENIOR if then_wait else TicketStatus.OPEN
        draft.transition(act.actor, waiting)
        if sent_to_line:
            draft.send(
                cid=cid,
                messages=[TextMessage(text=text, sender=texts.staff_sender(act.actor.name))],
                purpose="helpdesk.reply",
            )
            draft.replied(cid=cid)
        return draft.finish()

    def _mail_reply(self, *, cid: str, text: str, now: datetime) -> MailReply:
        """The reply as a mail answering the newest mail received on the ticket."""
        ids = self.mail_message_ids
        return MailReply(
            reply_id=cid,
            ticket_id=self.id,
            to=self.mail_address or "",
            subject=self.mail_subject or self.summary,
            body=text,
            recorded_at=now,
            parent_message_id=ids[-1] if ids else None,
            parent_references=tuple(ids[:-1]),
            ticket_ref=f"{self.number:04d}",
        )

    def note(self, act: StaffAct, *, text: str) -> TicketChange:
        refusal = permissions.note(self, act.actor.id, supervisor=act.actor.supervisor)
        draft = self._staff(act, needs_claim=False, refusal=refusal)
        draft.add_entry("note", act.actor, text)
        draft.log(act.actor, "noted")
        return draft.finish()

    def set_status(self, act: StaffAct, *, to: TicketStatus) -> TicketChange:
        if to is TicketStatus.RESOLVED:
            raise NotAllowed("Use resolve to resolve a ticket.")
        draft = self._staff(act, needs_claim=True)
        draft.transition(act.actor, to)
        if to is TicketStatus.OPEN and draft.ticket.awaiting_staff_since is None:
            draft.awaiting(act.now)
        return draft.finish()

    def update_fields(
        self,
        act: StaffAct,
        *,
        priority: Priority | None,
        category: Category | None,
        tags: list[str] | None,
    ) -> TicketChange:
        actor = act.actor
        refusal = permissions.field_change(
            self, actor.id, supervisor=actor.supervisor, priority=priority, category=category
        )
        draft = self._staff(act, needs_claim=False, refusal=refusal)
        t = draft.ticket
        if priority is not None:
            draft.set_priority(actor, priority)
        if category is not None and category is not t.category:
            draft.log(actor, "category", to=category.value, **{"from": t.category.value})
            t.category = category
            draft.notify_changed = True
        if tags is not None and sorted(tags) != sorted(t.tags):
            draft.log(actor, "tags", to=list(sorted(tags)))
            t.tags = sorted(set(tags))
        return draft.finish()

    def resolve(self, act: StaffAct, *, ask_csat: bool, closing: bool) -> TicketChange:
        """Resolve; a LINE conversation goes back to Dai-chan with a closing message."""
        draft = self._staff(act, needs_claim=True)
        t = draft.ticket
        draft.transition(act.actor, TicketStatus.RESOLVED)
        had_conversation = t.holds_conversation
        draft.give_back_conversation(act.actor)
        if t.line_user_id and (closing or had_conversation):
            t.csat_asked = ask_csat
            draft.send(
                cid=command_id(t.id, "resolved", str(t.reopened_count)),
                messages=texts.closing_messages(t.id, ask_csat=ask_csat),
                purpose="helpdesk.closing",
            )
        return draft.finish()

    def take_conversation(self, act: StaffAct) -> TicketChange:
        draft = self._staff(act, needs_claim=True)
        if not self.line_user_id:
            raise NotAllowed("This ticket has no LINE user to talk to.")
        if draft.ticket.status not in ACTIVE:
            raise NotAllowed("Only a ticket in progress can take the LINE conversation.")
        draft.take_conversation(act.actor, None)
        return draft.finish()

    def hand_back(self, act: StaffAct) -> TicketChange:
        draft = self._staff(act, needs_claim=True)
        if not self.holds_conversation:
            raise NotAllowed("This ticket does not hold the LINE conversation.")
        draft.give_back_conversation(act.actor)
        return draft.finish()
