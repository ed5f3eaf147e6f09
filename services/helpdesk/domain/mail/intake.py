"""What one received mail does to the helpdesk: open a ticket, join one, join and reopen one,
be ignored, or be refused. Pure: the caller loads what is known (the threads its Message-IDs
may belong to, whether this mail was taken before, how much this sender sent lately, the
safety routing's verdict on the text) and applies the decision in one transaction.

The order is the point:
1. A mail taken before (same Message-ID, or the same IMAP UID under the same UIDVALIDITY) is a
   duplicate: a reader that died before flagging it \\Seen reads it again, and nothing changes.
2. Machines are ignored before anything else: our own mail coming back, bounces, auto-replies
   and lists never make or touch a ticket, and are never answered (answering is how loops
   start). This holds even when their text looks alarming: a bounce quotes our reply, an
   auto-reply quotes the mail it answers.
3. Danger beats limits: a mail the safety routing is certain is an emergency or self-harm opens
   (or joins) an urgent ticket even when the sender is over the rate limit, the mail was too
   large to read whole, or its From could not be read. A limit exists to protect staff from
   floods, not to drop a cry for help.
4. Limits: a mail only partly read because of its size is refused (the sender is told to send
   it smaller or to phone); a sender over the rate limit is refused silently (an answer would
   feed a flood or a loop).
5. Threading: the ticket of the first of the mail's In-Reply-To / References found among the
   ids we sent and received; failing that, the ticket tag in the subject, but only when the
   sender is that ticket's requester (anyone can type a tag). An active ticket is joined; one
   resolved within the reopen window is joined and reopened; a closed one, or one resolved
   longer ago, gets a new ticket that names it as what it follows up.
6. Otherwise a new ticket.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from services.common.events.contracts.helpdesk import Priority, RequestReason, TicketStatus
from services.helpdesk.domain.mail.automation import MailKind, classify
from services.helpdesk.domain.mail.model import InboundMail, RefusalReason
from services.helpdesk.domain.mail.threading import (
    find_thread,
    thread_candidates,
    ticket_ref_in_subject,
)
from services.helpdesk.domain.tickets import ACTIVE, effective_priority


class SafetyRoute(StrEnum):
    """The safety routing's routes (the same as Dai-chan's, see README "大ちゃん")."""

    NONE = "none"
    EMERGENCY = "emergency"
    SELF_HARM = "self_harm"
    FRAUD = "fraud"
    PERSON = "person"


@dataclass(frozen=True)
class SafetyVerdict:
    """What the safety routing said about `safety_text(mail)`; `certain` as in ai_chat: a
    certain route acts at once, an uncertain one asks a person to look."""

    route: SafetyRoute = SafetyRoute.NONE
    certain: bool = False

    @property
    def life_at_risk(self) -> bool:
        return self.certain and self.route in (SafetyRoute.EMERGENCY, SafetyRoute.SELF_HARM)


NO_DANGER = SafetyVerdict()


def safety_text(mail: InboundMail) -> str:
    """What the safety routing reads: the subject and what the sender wrote in this mail, not
    the quoted earlier mail (our own replies quote 119 and the hotlines' numbers)."""
    return f"{mail.subject}\n{mail.text}".strip()


@dataclass(frozen=True)
class KnownTicket:
    """A ticket a mail may belong to, as the store knows it (no mail content)."""

    ticket_id: str
    status: TicketStatus
    # The requester's mail address, lower-cased ("" when the ticket did not come by mail).
    requester_address: str
    resolved_at: datetime | None = None


@dataclass(frozen=True)
class IntakeFacts:
    """What the caller looked up for this mail."""

    now: datetime
    # Tickets by the Message-IDs we sent and received on them (only the mail's candidates need
    # be loaded: `threading.thread_candidates`).
    tickets_by_message_id: Mapping[str, KnownTicket]
    # The ticket whose tag (「[SSL#…]」) the subject carries, if it exists.
    tagged_ticket: KnownTicket | None = None
    already_received: bool = False
    # The mailbox fetched only the header (`FetchedMail.complete` false: over its size limit).
    header_only: bool = False
    # Mails from this sender address taken within the policy's rate window, this one excluded.
    recent_from_sender: int = 0
    # The address is a known requester (a participant's or family contact's): otherwise the
    # ticket is still opened but marked for staff.
    known_sender: bool = False
    safety: SafetyVerdict = NO_DANGER


@dataclass(frozen=True)
class IntakePolicy:
    own_addresses: Collection[str]
    own_domain: str
    reopen_window: timedelta = timedelta(hours=72)
    # At most this many mails per sender per `rate_window` (the caller counts in that window).
    max_per_sender: int = 20
    rate_window: timedelta = timedelta(hours=1)


class Action(StrEnum):
    NEW_TICKET = "new_ticket"
    JOIN = "join"
    JOIN_AND_REOPEN = "join_and_reopen"
    DUPLICATE = "duplicate"
    IGNORE = "ignore"
    REFUSE = "refuse"


class Refusal(StrEnum):
    TOO_LARGE = "too_large"
    RATE = "rate"


@dataclass(frozen=True)
class IntakeDecision:
    action: Action
    # Which rule decided, in English, for logs and metrics (never the mail's content).
    reason: str
    ticket_id: str | None = None
    # For a new ticket after a closed (or long resolved) one: the ticket it follows up.
    follow_up_of: str | None = None
    request_reason: RequestReason | None = None
    # The ticket's priority (new), or the least it must now have (joined: raise, never lower).
    priority: Priority | None = None
    ignored_kind: MailKind | None = None
    refusal: Refusal | None = None
    # Staff see that the sender is no known requester, or not the joined ticket's requester.
    unknown_sender: bool = False
    # Send the sender a short Japanese note (only for a mail too large to read).
    tell_sender: bool = False

    @property
    def touches_ticket(self) -> bool:
        return self.action in (Action.NEW_TICKET, Action.JOIN, Action.JOIN_AND_REOPEN)


_ROUTE_REASON: dict[SafetyRoute, RequestReason] = {
    SafetyRoute.EMERGENCY: RequestReason.EMERGENCY,
    SafetyRoute.SELF_HARM: RequestReason.SELF_HARM,
    SafetyRoute.FRAUD: RequestReason.FRAUD_SUSPECTED,
    SafetyRoute.PERSON: RequestReason.PERSON_REQUESTED,
}


def _classification(safety: SafetyVerdict) -> tuple[RequestReason, Priority]:
    if safety.route is SafetyRoute.NONE:
        return RequestReason.OTHER, Priority.NORMAL
    if not safety.certain:
        # The grey band: a person should read it soon, as with Dai-chan's uncertain routes.
        return RequestReason.SAFETY_REVIEW, Priority.HIGH
    reason = _ROUTE_REASON[safety.route]
    return reason, effective_priority(reason, Priority.NORMAL)


def _sender(mail: InboundMail) -> str:
    return mail.sender.address.lower() if mail.sender is not None else ""


def _thread(mail: InboundMail, facts: IntakeFacts) -> tuple[KnownTicket | None, str]:
    found = find_thread(thread_candidates(mail), facts.tickets_by_message_id)
    if found is not None:
        return found, "threading headers"
    tagged = facts.tagged_ticket
    sender = _sender(mail)
    if (
        tagged is not None
        and ticket_ref_in_subject(mail.subject) is not None
        and sender
        and tagged.requester_address == sender
    ):
        return tagged, "subject tag from the requester"
    return None, ""


def _partly_read(mail: InboundMail, facts: IntakeFacts) -> bool:
    return facts.header_only or any(
        part.reason is RefusalReason.MESSAGE_TOO_LARGE for part in mail.refused
    )


def decide(mail: InboundMail, facts: IntakeFacts, policy: IntakePolicy) -> IntakeDecision:
    """The intake decision for `mail` (see the module's docstring for the order)."""
    if facts.already_received:
        return IntakeDecision(Action.DUPLICATE, "mail already taken")
    verdict = classify(mail, own_addresses=policy.own_addresses, own_domain=policy.own_domain)
    urgent = facts.safety.life_at_risk
    if verdict.kind not in (MailKind.PERSON, MailKind.NO_SENDER):
        return IntakeDecision(Action.IGNORE, verdict.reason, ignored_kind=verdict.kind)
    if verdict.kind is MailKind.NO_SENDER and not urgent:
        return IntakeDecision(Action.IGNORE, verdict.reason, ignored_kind=verdict.kind)
    if not urgent:
        if _partly_read(mail, facts):
            return IntakeDecision(
                Action.REFUSE, "mail too large", refusal=Refusal.TOO_LARGE, tell_sender=True
            )
        if facts.recent_from_sender >= policy.max_per_sender:
            return IntakeDecision(Action.REFUSE, "sender over the rate limit", refusal=Refusal.RATE)
    request_reason, priority = _classification(facts.safety)
    sender = _sender(mail)
    ticket, how = _thread(mail, facts)
    if ticket is not None:
        other_sender = bool(ticket.requester_address) and ticket.requester_address != sender
        unknown = other_sender or not facts.known_sender
        if ticket.status in ACTIVE:
            return IntakeDecision(
                Action.JOIN,
                f"joins an active ticket by {how}",
                ticket_id=ticket.ticket_id,
                request_reason=request_reason,
                priority=priority,
                unknown_sender=unknown,
            )
        if (
            ticket.status is TicketStatus.RESOLVED
            and ticket.resolved_at is not None
            and ticket.resolved_at >= facts.now - policy.reopen_window
        ):
            return IntakeDecision(
                Action.JOIN_AND_REOPEN,
                f"reopens a recently resolved ticket by {how}",
                ticket_id=ticket.ticket_id,
                request_reason=request_reason,
                priority=priority,
                unknown_sender=unknown,
            )
        return IntakeDecision(
            Action.NEW_TICKET,
            f"follows up a {ticket.status.value} ticket by {how}",
            follow_up_of=ticket.ticket_id,
            request_reason=request_reason,
            priority=priority,
            unknown_sender=not facts.known_sender,
        )
    return IntakeDecision(
        Action.NEW_TICKET,
        "new conversation" if verdict.kind is MailKind.PERSON else "urgent mail without a sender",
        request_reason=request_reason,
        priority=priority,
        unknown_sender=not facts.known_sender,
    )
