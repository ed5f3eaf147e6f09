"""The helpdesk's rules: opening, claiming, answering, resolving and reopening tickets.

Every change to a ticket is one MongoDB transaction that updates the ticket (bumping its version),
appends to its history and stages the events it causes in the outbox. Staff changes name the
version they saw; if the ticket moved on meanwhile nothing changes and `StaleVersion` says so.
Anything that speaks to the senior or moves the ticket along needs the ticket to be unclaimed
(it is then claimed in the same change) or claimed by the same staff member, so two people never
answer one senior.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4, uuid5

from services.common.events.contracts.helpdesk import (
    ConversationHandedBack,
    ConversationHandedOver,
    HelpRequested,
    Priority,
    TicketChanged,
    TicketStatus,
)
from services.common.events.contracts.line import SendPriority, SendRequested, TextMessage
from services.common.events.envelope import Contract, Envelope, new_event
from services.common.kafka.topics import HELPDESK_EVENTS, LINE_OUTBOUND, TopicSpec
from services.common.store import MongoStore, Tx
from services.common.time import as_utc, utcnow
from services.helpdesk.domain import permissions, texts
from services.helpdesk.domain.permissions import Refusal
from services.helpdesk.domain.sla import SlaPolicy
from services.helpdesk.domain.tickets import (
    ACTIVE,
    PRIORITY_RANK,
    Category,
    Channel,
    check_transition,
    effective_priority,
    higher_priority,
    reason_for,
)
from services.helpdesk.metrics import (
    CSAT_RESPONSES,
    FIRST_RESPONSE_SECONDS,
    REPLIES_SENT,
    RESOLUTION_SECONDS,
    TICKETS_OPENED,
    TICKETS_REOPENED,
)
from services.helpdesk.store import TicketRepository

SOURCE = "helpdesk"
# Fixed namespace: a staff reply's LINE command id must be the same in every process, forever,
# so a double-click or a retried request can never send the senior a message twice.
COMMAND_NAMESPACE = UUID("a3c5e0d2-6b1f-4f43-9d0e-7c2b8e4f1a65")
# Sorts tickets nobody waits on after every waiting one.
NOT_WAITING = datetime(9999, 1, 1, tzinfo=utcnow().tzinfo)
REPLY_TOKEN_MARGIN = timedelta(seconds=5)

Document = dict[str, Any]


# -- errors ------------------------------------------------------------------------------------


class TicketError(Exception):
    status_code = 400

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class TicketNotFound(TicketError):
    status_code = 404


class StaleVersion(TicketError):
    status_code = 409


class ClaimedByOther(TicketError):
    status_code = 409


class NotAllowed(TicketError):
    status_code = 409


class NeedsSupervisor(TicketError):
    status_code = 403


def refuse(ticket: Document, refusal: Refusal | None) -> None:
    if refusal is None:
        return
    if refusal.needs_supervisor:
        raise NeedsSupervisor(refusal.message)
    raise ClaimedByOther(
        refusal.message, assignee=ticket.get("assignee"), current_version=ticket["version"]
    )


# -- who acts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Actor:
    id: str
    name: str
    kind: str = "staff"  # staff | senior | system
    supervisor: bool = False

    def ref(self) -> Document:
        return {"id": self.id, "name": self.name, "kind": self.kind}


SYSTEM = Actor(id="system", name="システム", kind="system")
SENIOR = Actor(id="senior", name="ご本人", kind="senior")


def command_id(ticket_id: str, purpose: str, key: str) -> UUID:
    return uuid5(COMMAND_NAMESPACE, f"{ticket_id}:{purpose}:{key}")


# -- one change to one ticket -----------------------------------------------------------------


@dataclass
class Change:
    """What a rule decided: fields to set, entries to append, events to send, metrics to count."""

    ticket: Document
    now: datetime
    sets: Document = field(default_factory=dict)
    thread: list[Document] = field(default_factory=list)
    history: list[Document] = field(default_factory=list)
    request_ids: list[str] = field(default_factory=list)
    events: list[tuple[TopicSpec, str, Envelope[Any]]] = field(default_factory=list)
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    notify_changed: bool = False

    def get(self, key: str) -> Any:
        return self.sets[key] if key in self.sets else self.ticket.get(key)

    def set(self, key: str, value: Any) -> None:
        self.sets[key] = value

    def log(self, actor: Actor, action: str, **details: Any) -> None:
        self.history.append({"at": self.now, "actor": actor.ref(), "action": action, **details})

    def add_entry(
        self, kind: str, actor: Actor, text: str, *, entry_id: str | None = None, **extra: Any
    ) -> Document:
        entry = {
            "id": entry_id or str(uuid4()),
            "kind": kind,
            "author": actor.ref(),
            "text": text,
            "at": self.now,
            **extra,
        }
        self.thread.append(entry)
        return entry

    def emit(self, topic: TopicSpec, key: str, event: Envelope[Any]) -> None:
        self.events.append((topic, key, event))

    def update(self) -> Document:
        update: Document = {"$set": {**self.sets, "updated_at": self.now}}
        push: Document = {}
        if self.thread:
            push["thread"] = {"$each": self.thread}
        if self.history:
            push["history"] = {"$each": self.history}
        if push:
            update["$push"] = push
        if self.request_ids:
            update["$addToSet"] = {"request_ids": {"$each": self.request_ids}}
        return update


class TicketService:
    def __init__(
        self,
        *,
        store: MongoStore,
        tickets: TicketRepository,
        policy: SlaPolicy,
        reopen_window: timedelta,
        ticket_retention: timedelta,
    ) -> None:
        self._store = store
        self._tickets = tickets
        self._policy = policy
        self._reopen_window = reopen_window
        self._retention = ticket_retention

    # -- building blocks ------------------------------------------------------------------------

    def _event(
        self, data: Contract, cause: Envelope[Any] | None, event_id: UUID | None = None
    ) -> Envelope[Any]:
        return new_event(data, source=SOURCE, cause=cause, event_id=event_id)

    def _changed(self, change: Change, cause: Envelope[Any] | None) -> None:
        def current(key: str) -> Any:
            return change.get(key)

        assignee = current("assignee")
        change.emit(
            HELPDESK_EVENTS,
            change.ticket["_id"],
            self._event(
                TicketChanged(
                    ticket_id=change.ticket["_id"],
                    request_id=(change.ticket.get("request_ids") or [None])[0],
                    status=TicketStatus(current("status")),
                    priority=Priority(current("priority")),
                    reason=reason_for(Category(current("category"))),
                    line_user_id=current("line_user_id"),
                    participant_id=current("participant_id"),
                    assignee_id=assignee["id"] if assignee else None,
                    at=change.now,
                    channel=current("channel"),
                    category=current("category"),
                ),
                cause,
            ),
        )

    def _awaiting(self, change: Change, since: datetime | None) -> None:
        change.set("awaiting_staff_since", since)
        change.set("awaiting_sort", since or NOT_WAITING)

    def _set_priority(self, change: Change, priority: Priority) -> None:
        if priority.value == change.get("priority"):
            return
        change.log(SYSTEM, "priority", to=priority.value, **{"from": change.get("priority")})
        change.set("priority", priority.value)
        change.set("priority_rank", PRIORITY_RANK[priority])
        change.set("sla", self._policy.reprioritised(change.get("sla"), priority))
        change.notify_changed = True

    def _transition(self, change: Change, actor: Actor, to: TicketStatus) -> None:
        current = TicketStatus(change.get("status"))
        if current is to:
            return
        check_transition(current, to)
        priority = Priority(change.get("priority"))
        sla = change.get("sla")
        now = change.now
        if current is TicketStatus.WAITING_ON_SENIOR:
            sla = self._policy.resumed(sla, priority, now)
        if to is TicketStatus.WAITING_ON_SENIOR:
            sla = self._policy.paused(sla, now)
        if to is TicketStatus.RESOLVED:
            sla = self._policy.resolved(sla, priority, now)
            change.set("resolved_at", now)
            self._awaiting(change, None)
            started = as_utc(change.get("resolution_started_at") or change.ticket["opened_at"])
            seconds = (now - started).total_seconds()
            change.after_commit.append(
                lambda: RESOLUTION_SECONDS.labels(priority.value).observe(seconds)
            )
        if current is TicketStatus.RESOLVED and to is TicketStatus.OPEN:
            sla = self._policy.reopened(sla, priority, now)
            change.set("resolved_at", None)
            change.set("resolution_started_at", now)
            change.set("reopened_count", int(change.get("reopened_count") or 0) + 1)
            change.log(actor, "reopened")
            change.after_commit.append(lambda: TICKETS_REOPENED.labels(priority.value).inc())
        if to is TicketStatus.CLOSED:
            change.set("closed_at", now)
            change.set("purge_at", now + self._retention)
            self._awaiting(change, None)
        change.set("sla", sla)
        change.set("status", to.value)
        change.log(actor, "status", to=to.value, **{"from": current.value})
        change.notify_changed = True

    def _take_conversation(self, change: Change, actor: Actor, cause: Envelope[Any] | None) -> None:
        user = change.get("line_user_id")
        if not user or change.get("holds_conversation"):
            return
        change.set("holds_conversation", True)
        change.log(actor, "conversation_taken")
        change.emit(
            HELPDESK_EVENTS,
            # Keyed by the senior, so one senior's hand-overs and hand-backs stay in order.
            user,
            self._event(
                ConversationHandedOver(
                    ticket_id=change.ticket["_id"], line_user_id=user, at=change.now
                ),
                cause,
            ),
        )

    def _give_back_conversation(
        self, change: Change, actor: Actor, cause: Envelope[Any] | None
    ) -> None:
        user = change.get("line_user_id")
        if not user or not change.get("holds_conversation"):
            return
        change.set("holds_conversation", False)
        change.log(actor, "conversation_handed_back")
        change.emit(
            HELPDESK_EVENTS,
            user,
            self._event(
                ConversationHandedBack(
                    ticket_id=change.ticket["_id"], line_user_id=user, at=change.now
                ),
                cause,
            ),
        )

    def _send(
        self,
        change: Change,
        *,
        cid: UUID,
        messages: list[TextMessage],
        purpose: str,
        use_token: bool,
    ) -> None:
        user = change.get("line_user_id")
        token = None
        expires = None
        if use_token:
            token = change.ticket.get("reply_token")
            expires = change.ticket.get("reply_token_expires_at")
            if token and expires and as_utc(expires) > change.now + REPLY_TOKEN_MARGIN:
                # A reply token is single use: the free reply path once, push afterwards.
                change.set("reply_token", None)
                change.set("reply_token_expires_at", None)
            else:
                token = expires = None
        change.emit(
            LINE_OUTBOUND,
            user,
            new_event(
                SendRequested(
                    user_id=user,
                    messages=messages,
                    reply_token=token,
                    reply_token_expires_at=as_utc(expires) if expires else None,
                    priority=SendPriority.SERVICE,
                    purpose=purpose,
                ),
                source=SOURCE,
                event_id=cid,
            ),
        )

    async def _apply(
        self,
        tx: Tx,
        change: Change,
        *,
        expected_version: int | None,
        cause: Envelope[Any] | None = None,
    ) -> Document:
        if change.notify_changed:
            self._changed(change, cause)
        updated = await self._tickets.update(
            tx, change.ticket["_id"], expected_version=expected_version, update=change.update()
        )
        if updated is None:
            raise StaleVersion(
                "The ticket changed since you loaded it. Reload it and try again.",
                current_version=change.ticket.get("version"),
            )
        for topic, key, event in change.events:
            await tx.emit(topic=topic, key=key, event=event)
        return updated

    async def _run(
        self, work: Callable[[Tx], Awaitable[tuple[Document, list[Callable[[], None]]]]]
    ) -> Document:
        doc, after = await self._store.transaction(work)
        for callback in after:
            callback()
        return doc

    # -- opening -------------------------------------------------------------------------------

    async def _new_ticket(
        self,
        tx: Tx,
        *,
        now: datetime,
        actor: Actor,
        channel: Channel,
        category: Category,
        priority: Priority,
        summary: str,
        line_user_id: str | None,
        participant_id: str | None,
        request_id: str | None,
        handover: bool,
        contact: str | None = None,
        follow_up_of: str | None = None,
        cause: Envelope[Any] | None = None,
        first_entry: tuple[str, Actor, str, str | None] | None = None,
    ) -> tuple[Document, list[Callable[[], None]]]:
        ticket_id = str(uuid4())
        number = await self._tickets.next_number(tx)
        ticket: Document = {
            "_id": ticket_id,
            "number": number,
            "request_ids": [request_id] if request_id else [],
            "line_user_id": line_user_id,
            "participant_id": participant_id,
            "channel": channel.value,
            "category": category.value,
            "priority": priority.value,
            "priority_rank": PRIORITY_RANK[priority],
            "status": TicketStatus.NEW.value,
            "summary": summary,
            "contact": contact,
            "assignee": None,
            "tags": [],
            "holds_conversation": False,
            "thread": [],
            "history": [],
            "version": 1,
            "opened_at": now,
            "updated_at": now,
            "resolution_started_at": now,
            "first_response_at": None,
            "resolved_at": None,
            "closed_at": None,
            "purge_at": None,
            "awaiting_staff_since": now,
            "awaiting_sort": now,
            "reply_token": None,
            "reply_token_expires_at": None,
            "sla": self._policy.opened(priority, now),
            "csat": None,
            "csat_asked": False,
            "reopened_count": 0,
            "follow_up_of": follow_up_of,
        }
        change = Change(ticket=ticket, now=now)
        change.log(actor, "opened", channel=channel.value, priority=priority.value)
        change.add_entry("system", actor, summary)
        if first_entry is not None:
            kind, author, text, entry_id = first_entry
            change.add_entry(kind, author, text, entry_id=entry_id)
        if handover:
            self._take_conversation(change, actor, cause)
        change.notify_changed = True
        self._changed(change, cause)
        ticket["thread"] = change.thread
        ticket["history"] = change.history
        ticket.update(change.sets)
        await self._tickets.insert(tx, ticket)
        for topic, key, event in change.events:
            await tx.emit(topic=topic, key=key, event=event)
        return ticket, [lambda: TICKETS_OPENED.labels(channel.value, priority.value).inc()]

    async def open_from_request(
        self,
        tx: Tx,
        *,
        request: HelpRequested,
        envelope: Envelope[Any],
        channel: Channel,
        category: Category,
    ) -> tuple[str, list[Callable[[], None]]]:
        """Open, join or reopen a ticket for a help request; the outcome is returned for counting.

        One ticket per request id (checked here and by a unique index). A request for a senior who
        already has a ticket in progress joins it (one person looks after one senior); one for a
        senior whose ticket was resolved within the reopen window reopens it, so the follow-up sits
        with its history. Otherwise a new ticket opens.
        """
        if await self._tickets.by_request(tx, request.request_id) is not None:
            return "duplicate", []
        now = utcnow()
        priority = effective_priority(request.reason, request.priority)
        existing = await self._tickets.latest_for_requester(
            tx,
            line_user_id=request.line_user_id,
            participant_id=request.participant_id,
            statuses=[s.value for s in (*ACTIVE, TicketStatus.RESOLVED)],
        )
        if existing is not None and (
            existing["status"] != TicketStatus.RESOLVED.value
            or as_utc(existing["resolved_at"]) >= now - self._reopen_window
        ):
            change = Change(ticket=existing, now=now)
            change.request_ids.append(request.request_id)
            change.add_entry("system", SYSTEM, request.summary, request_id=request.request_id)
            change.log(
                SYSTEM, "request_joined", request_id=request.request_id, reason=request.reason.value
            )
            outcome = "joined"
            if existing["status"] == TicketStatus.RESOLVED.value:
                self._transition(change, SYSTEM, TicketStatus.OPEN)
                outcome = "reopened"
            elif existing["status"] == TicketStatus.WAITING_ON_SENIOR.value:
                self._transition(change, SYSTEM, TicketStatus.OPEN)
            self._set_priority(change, higher_priority(Priority(existing["priority"]), priority))
            if change.get("awaiting_staff_since") is None:
                self._awaiting(change, now)
            if request.line_user_id and not change.get("line_user_id"):
                change.set("line_user_id", request.line_user_id)
            if request.handover:
                self._take_conversation(change, SYSTEM, envelope)
            await self._apply(tx, change, expected_version=None, cause=envelope)
            return outcome, change.after_commit
        follow_up_of = existing["_id"] if existing is not None else None
        _, after = await self._new_ticket(
            tx,
            now=now,
            actor=SYSTEM,
            channel=channel,
            category=category,
            priority=priority,
            summary=request.summary,
            line_user_id=request.line_user_id,
            participant_id=request.participant_id,
            request_id=request.request_id,
            handover=request.handover and bool(request.line_user_id),
            follow_up_of=follow_up_of,
            cause=envelope,
        )
        return "opened", after

    async def open_by_staff(
        self,
        *,
        actor: Actor,
        channel: Channel,
        category: Category,
        priority: Priority,
        summary: str,
        line_user_id: str | None,
        participant_id: str | None,
        contact: str | None,
        claim: bool,
    ) -> Document:
        """A phone call or an email logged by staff; claimed by them unless they say otherwise."""

        async def work(tx: Tx) -> tuple[Document, list[Callable[[], None]]]:
            now = utcnow()
            ticket, after = await self._new_ticket(
                tx,
                now=now,
                actor=actor,
                channel=channel,
                category=category,
                priority=priority,
                summary=summary,
                line_user_id=line_user_id,
                participant_id=participant_id,
                request_id=f"staff:{uuid4()}",
                handover=False,
                contact=contact,
            )
            if not claim:
                return ticket, after
            change = Change(ticket=ticket, now=now)
            change.set("assignee", actor.ref())
            change.log(actor, "claimed")
            self._transition(change, actor, TicketStatus.OPEN)
            updated = await self._apply(tx, change, expected_version=ticket["version"])
            return updated, after + change.after_commit

        return await self._run(work)

    # -- the senior writes -------------------------------------------------------------------

    async def senior_wrote(
        self,
        tx: Tx,
        *,
        envelope: Envelope[Any],
        line_user_id: str,
        text: str,
        sent_at: datetime,
        reply_token: str | None,
        reply_token_expires_at: datetime | None,
    ) -> tuple[str, list[Callable[[], None]]]:
        """A human-mode message or tap: it joins the ticket that holds the conversation.

        If none holds it (the message crossed a hand-back, or the gateway thinks a person has the
        conversation and we have no ticket), it goes to the senior's ticket in progress, else
        reopens one resolved within the window, else opens a new one: a senior is never lost.
        """
        now = utcnow()
        target = await self._tickets.conversation_holder(tx, line_user_id)
        if target is None:
            target = await self._tickets.latest_for_requester(
                tx,
                line_user_id=line_user_id,
                participant_id=None,
                statuses=[s.value for s in (*ACTIVE, TicketStatus.RESOLVED)],
            )
            if (
                target is not None
                and target["status"] == TicketStatus.RESOLVED.value
                and as_utc(target["resolved_at"]) < now - self._reopen_window
            ):
                target = None
        if target is None:
            _, after = await self._new_ticket(
                tx,
                now=now,
                actor=SYSTEM,
                channel=Channel.LINE,
                category=Category.OTHER,
                priority=Priority.NORMAL,
                summary="LINEで ご本人から メッセージが 届きました。",
                line_user_id=line_user_id,
                participant_id=None,
                request_id=f"line:{envelope.id}",
                handover=True,
                cause=envelope,
                first_entry=("senior", SENIOR, text, str(envelope.id)),
            )
            return "opened", after
        change = Change(ticket=target, now=now)
        change.add_entry("senior", SENIOR, text, entry_id=str(envelope.id), sent_at=sent_at)
        change.set("last_senior_at", now)
        outcome = "joined"
        status = TicketStatus(target["status"])
        priority = Priority(target["priority"])
        if status is TicketStatus.RESOLVED:
            self._transition(change, SENIOR, TicketStatus.OPEN)
            outcome = "reopened"
        else:
            if status is TicketStatus.WAITING_ON_SENIOR:
                self._transition(change, SENIOR, TicketStatus.OPEN)
            change.set("sla", self._policy.senior_wrote(change.get("sla"), priority, now))
        if change.get("awaiting_staff_since") is None:
            self._awaiting(change, now)
        if reply_token and reply_token_expires_at:
            change.set("reply_token", reply_token)
            change.set("reply_token_expires_at", reply_token_expires_at)
        self._take_conversation(change, SENIOR, envelope)
        await self._apply(tx, change, expected_version=None, cause=envelope)
        return outcome, change.after_commit

    async def reply_not_delivered(
        self, tx: Tx, *, command_id: UUID, outcome: str, at: datetime
    ) -> bool:
        """Say on its ticket that a staff reply did not reach the senior; False if there is no
        such reply (or it was said already)."""
        reply_id = str(command_id)
        ticket = await self._tickets.with_entry(tx, reply_id)
        entry_id = f"{reply_id}:not_delivered"
        if ticket is None or any(e["id"] == entry_id for e in ticket.get("thread", [])):
            return False
        change = Change(ticket=ticket, now=at)
        change.add_entry(
            "system",
            SYSTEM,
            texts.REPLY_NOT_DELIVERED[outcome],
            entry_id=entry_id,
            reply_id=reply_id,
        )
        change.log(SYSTEM, "reply_not_delivered", outcome=outcome)
        await self._apply(tx, change, expected_version=None)
        return True

    async def record_csat(self, tx: Tx, *, ticket_id: str, line_user_id: str, score: int) -> bool:
        """Store the senior's first answer to the satisfaction question of their own ticket."""
        ticket = await self._tickets.get(ticket_id, tx)
        if ticket is None or ticket.get("line_user_id") != line_user_id or ticket.get("csat"):
            return False
        change = Change(ticket=ticket, now=utcnow())
        change.set("csat", {"score": score, "at": change.now})
        change.log(SENIOR, "csat", score=score)
        await self._apply(tx, change, expected_version=None)
        return True

    # -- staff work ----------------------------------------------------------------------------

    async def _staff_change(
        self,
        ticket_id: str,
        *,
        actor: Actor,
        version: int,
        decide: Callable[[Change], None],
        needs_claim: bool,
        already_done: Callable[[Document], bool] | None = None,
        allowed: Callable[[Document], Refusal | None] | None = None,
    ) -> Document:
        async def work(tx: Tx) -> tuple[Document, list[Callable[[], None]]]:
            ticket = await self._tickets.get(ticket_id, tx)
            if ticket is None:
                raise TicketNotFound("No such ticket.")
            if already_done is not None and already_done(ticket):
                return ticket, []
            assignee = ticket.get("assignee")
            if needs_claim and assignee and assignee["id"] != actor.id:
                raise ClaimedByOther(
                    f"This ticket is already claimed by {assignee['name']}.",
                    assignee=assignee,
                    current_version=ticket["version"],
                )
            if ticket["version"] != version:
                raise StaleVersion(
                    f"The ticket changed since you loaded it (your version {version}, "
                    f"now {ticket['version']}). Reload it and try again.",
                    current_version=ticket["version"],
                )
            if allowed is not None:
                refuse(ticket, allowed(ticket))
            change = Change(ticket=ticket, now=utcnow())
            if needs_claim and not assignee:
                change.set("assignee", actor.ref())
                change.log(actor, "claimed")
                change.notify_changed = True
            decide(change)
            updated = await self._apply(tx, change, expected_version=version)
            return updated, change.after_commit

        return await self._run(work)

    async def claim(self, ticket_id: str, *, actor: Actor, version: int) -> Document:
        def decide(change: Change) -> None:
            if TicketStatus(change.get("status")) is TicketStatus.NEW:
                self._transition(change, actor, TicketStatus.OPEN)

        return await self._staff_change(
            ticket_id, actor=actor, version=version, decide=decide, needs_claim=True
        )

    async def release(self, ticket_id: str, *, actor: Actor, version: int) -> Document:
        def decide(change: Change) -> None:
            change.set("assignee", None)
            change.log(actor, "released")
            change.notify_changed = True

        return await self._staff_change(
            ticket_id, actor=actor, version=version, decide=decide, needs_claim=True
        )

    async def assign(
        self, ticket_id: str, *, actor: Actor, version: int, assignee: Actor | None
    ) -> Document:
        """A supervisor gives the ticket to someone (or to nobody), whoever had it."""

        def decide(change: Change) -> None:
            change.set("assignee", assignee.ref() if assignee else None)
            change.log(actor, "assigned", to=assignee.ref() if assignee else None)
            change.notify_changed = True

        return await self._staff_change(
            ticket_id, actor=actor, version=version, decide=decide, needs_claim=False
        )

    async def reply(
        self,
        ticket_id: str,
        *,
        actor: Actor,
        version: int,
        text: str,
        client_reply_id: str,
        then_wait: bool,
    ) -> tuple[Document, bool]:
        """A public reply; on a LINE ticket it goes to the senior. Returns (ticket, sent_now).

        The LINE command id comes from the ticket and the page's reply id, so the same reply
        submitted twice (double-click, retry after a timeout) is recognised and sent once.
        """
        cid = command_id(ticket_id, "reply", client_reply_id)
        duplicate = False

        def already_sent(ticket: Document) -> bool:
            # Checked inside the transaction, before the version: a resubmission of a reply
            # that went through is answered with the ticket as it is, not with a conflict.
            nonlocal duplicate
            duplicate = any(e["id"] == str(cid) for e in ticket.get("thread", []))
            return duplicate

        def decide(change: Change) -> None:
            status = TicketStatus(change.get("status"))
            if status in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
                raise NotAllowed("The ticket is resolved or closed. Reopen it to reply.")
            sent_to_line = bool(change.get("line_user_id"))
            change.add_entry("reply", actor, text, entry_id=str(cid), sent_to_line=sent_to_line)
            change.log(actor, "replied")
            sla, _met = self._policy.staff_replied(change.get("sla"), change.now)
            change.set("sla", sla)
            self._awaiting(change, None)
            if change.get("first_response_at") is None:
                change.set("first_response_at", change.now)
                seconds = (change.now - as_utc(change.ticket["opened_at"])).total_seconds()
                priority = change.get("priority")
                change.after_commit.append(
                    lambda: FIRST_RESPONSE_SECONDS.labels(priority).observe(seconds)
                )
            channel = change.get("channel")
            change.after_commit.append(lambda: REPLIES_SENT.labels(channel).inc())
            self._transition(
                change, actor, TicketStatus.WAITING_ON_SENIOR if then_wait else TicketStatus.OPEN
            )
            if sent_to_line:
                self._send(
                    change,
                    cid=cid,
                    messages=[TextMessage(text=text)],
                    purpose="helpdesk.reply",
                    use_token=True,
                )

        ticket = await self._staff_change(
            ticket_id,
            actor=actor,
            version=version,
            decide=decide,
            needs_claim=True,
            already_done=already_sent,
        )
        return ticket, not duplicate

    async def note(self, ticket_id: str, *, actor: Actor, version: int, text: str) -> Document:
        def decide(change: Change) -> None:
            change.add_entry("note", actor, text)
            change.log(actor, "noted")

        return await self._staff_change(
            ticket_id,
            actor=actor,
            version=version,
            decide=decide,
            needs_claim=False,
            allowed=lambda ticket: permissions.note(ticket, actor.id, supervisor=actor.supervisor),
        )

    async def set_status(
        self, ticket_id: str, *, actor: Actor, version: int, status: TicketStatus
    ) -> Document:
        if status is TicketStatus.RESOLVED:
            raise NotAllowed("Use resolve to resolve a ticket.")

        def decide(change: Change) -> None:
            self._transition(change, actor, status)
            if status is TicketStatus.OPEN and change.get("awaiting_staff_since") is None:
                self._awaiting(change, change.now)

        return await self._staff_change(
            ticket_id, actor=actor, version=version, decide=decide, needs_claim=True
        )

    async def update_fields(
        self,
        ticket_id: str,
        *,
        actor: Actor,
        version: int,
        priority: Priority | None,
        category: Category | None,
        tags: list[str] | None,
    ) -> Document:
        def decide(change: Change) -> None:
            if priority is not None and priority.value != change.get("priority"):
                change.log(actor, "priority", to=priority.value, **{"from": change.get("priority")})
                change.set("priority", priority.value)
                change.set("priority_rank", PRIORITY_RANK[priority])
                change.set("sla", self._policy.reprioritised(change.get("sla"), priority))
                change.notify_changed = True
            if category is not None and category.value != change.get("category"):
                change.log(actor, "category", to=category.value, **{"from": change.get("category")})
                change.set("category", category.value)
                change.notify_changed = True
            if tags is not None and sorted(tags) != sorted(change.get("tags") or []):
                change.log(actor, "tags", to=sorted(tags))
                change.set("tags", sorted(set(tags)))

        return await self._staff_change(
            ticket_id,
            actor=actor,
            version=version,
            decide=decide,
            needs_claim=False,
            allowed=lambda ticket: permissions.field_change(
                ticket, actor.id, supervisor=actor.supervisor, priority=priority, category=category
            ),
        )

    async def resolve(
        self, ticket_id: str, *, actor: Actor, version: int, ask_csat: bool, closing: bool
    ) -> Document:
        """Resolve; a LINE conversation goes back to Dai-chan with a closing message."""

        def decide(change: Change) -> None:
            self._transition(change, actor, TicketStatus.RESOLVED)
            had_conversation = bool(change.get("holds_conversation"))
            self._give_back_conversation(change, actor, None)
            if change.get("line_user_id") and (closing or had_conversation):
                rounds = int(change.get("reopened_count") or 0)
                change.set("csat_asked", ask_csat)
                self._send(
                    change,
                    cid=command_id(ticket_id, "resolved", str(rounds)),
                    messages=texts.closing_messages(ticket_id, ask_csat=ask_csat),
                    purpose="helpdesk.closing",
                    use_token=True,
                )

        return await self._staff_change(
            ticket_id, actor=actor, version=version, decide=decide, needs_claim=True
        )

    async def take_conversation(self, ticket_id: str, *, actor: Actor, version: int) -> Document:
        def decide(change: Change) -> None:
            if not change.get("line_user_id"):
                raise NotAllowed("This ticket has no LINE user to talk to.")
            if TicketStatus(change.get("status")) not in ACTIVE:
                raise NotAllowed("Only a ticket in progress can take the LINE conversation.")
            self._take_conversation(change, actor, None)

        return await self._staff_change(
            ticket_id, actor=actor, version=version, decide=decide, needs_claim=True
        )

    async def hand_back(self, ticket_id: str, *, actor: Actor, version: int) -> Document:
        def decide(change: Change) -> None:
            if not change.get("holds_conversation"):
                raise NotAllowed("This ticket does not hold the LINE conversation.")
            self._give_back_conversation(change, actor, None)

        return await self._staff_change(
            ticket_id, actor=actor, version=version, decide=decide, needs_claim=True
        )

    async def close_expired(self) -> int:
        """Close tickets resolved longer ago than the reopen window (the senior did not write)."""
        closed = 0
        for found in await self._tickets.resolved_before(utcnow() - self._reopen_window):

            async def work(
                tx: Tx, found: Document = found
            ) -> tuple[Document, list[Callable[[], None]]]:
                ticket = await self._tickets.get(found["_id"], tx)
                if ticket is None or ticket["status"] != TicketStatus.RESOLVED.value:
                    return {}, []
                change = Change(ticket=ticket, now=utcnow())
                self._transition(change, SYSTEM, TicketStatus.CLOSED)
                return await self._apply(tx, change, expected_version=ticket["version"]), []

            try:
                if await self._run(work):
                    closed += 1
            except StaleVersion:
                continue  # it changed meanwhile (e.g. reopened); the next round looks again
        return closed

    def record_csat_metric(self, score: int) -> None:
        CSAT_RESPONSES.labels(str(score)).inc()
