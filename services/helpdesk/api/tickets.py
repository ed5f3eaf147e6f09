"""The ticket queue and everything staff do to a ticket. Errors are English: {"message": ...}.

Every change names the `version` the staff member saw; a stale one gets 409 and changes nothing.
Reading a ticket (its thread and the senior's context) is recorded in the audit log.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field, model_validator

from services.common.events.contracts.helpdesk import Priority, TicketStatus
from services.common.events.contracts.line import Text as LineText
from services.common.paging import Limit
from services.common.time import utcnow
from services.helpdesk.api import views
from services.helpdesk.api.deps import Helpdesk, HelpdeskDep, Supervisor, Worker, actor_of
from services.helpdesk.api.senior import queue_names
from services.helpdesk.api.views import TicketDetailOut, TicketSummaryOut
from services.helpdesk.domain.parts import Actor
from services.helpdesk.domain.ticket import NewTicket, Ticket
from services.helpdesk.domain.tickets import ACTIVE, Category, Channel
from services.helpdesk.store.tickets import QueueFilter

router = APIRouter(prefix="/staff/api", tags=["tickets"])

Text = Annotated[str, Field(min_length=1, max_length=5000)]


class Versioned(BaseModel):
    version: int = Field(ge=1, le=2**31, description="The ticket version this change is based on")


class ReplyIn(Versioned):
    # Counted as LINE counts it (UTF-16 units), so a reply LINE would refuse is a 422 here, not
    # a dead-lettered command the senior never gets.
    text: LineText
    client_reply_id: str = Field(
        min_length=8,
        max_length=64,
        pattern=r"^[A-Za-z0-9-]+$",
        description="Chosen by the page once per composed reply; a resubmission is sent once",
    )
    then_wait: bool = True


class NoteIn(Versioned):
    text: Text


class StatusIn(Versioned):
    status: Literal["open", "waiting_on_senior", "closed"]


class FieldsIn(Versioned):
    priority: Priority | None = None
    category: Category | None = None
    tags: list[Annotated[str, Field(min_length=1, max_length=30)]] | None = Field(
        default=None, max_length=20
    )


class ResolveIn(Versioned):
    ask_csat: bool = True
    closing_message: bool = True


class AssignIn(Versioned):
    assignee_id: str | None = None
    assignee_name: str | None = Field(default=None, max_length=40)


class IntakeIn(BaseModel):
    channel: Literal["phone", "email", "line", "device_issue"] = "phone"
    category: Category = Category.OTHER
    priority: Priority = Priority.NORMAL
    summary: str = Field(min_length=1, max_length=2000)
    contact: str | None = Field(default=None, max_length=500)
    line_user_id: str | None = Field(default=None, pattern=r"^U[0-9a-f]{32}$")
    participant_id: str | None = Field(default=None, min_length=1, max_length=64)
    claim: bool = True

    @model_validator(mode="after")
    def _urgent_categories(self) -> IntakeIn:
        # The same floor as for requests from Dai-chan: emergencies and self-harm are urgent.
        if self.category in (Category.EMERGENCY, Category.SELF_HARM):
            self.priority = Priority.URGENT
        elif self.category is Category.FRAUD and self.priority in (Priority.NORMAL, Priority.LOW):
            self.priority = Priority.HIGH
        return self


class QueueRowOut(TicketSummaryOut):
    senior_name: str | None = Field(
        default=None, description="registered name from tablet_lending, read as you; not kept"
    )


class QueueOut(BaseModel):
    tickets: list[QueueRowOut]
    names: Literal["found", "none", "unavailable"] = Field(
        description="whether tablet_lending gave the page's names (unavailable: the queue without)"
    )


class Viewer(BaseModel):
    staff_id: str
    name: str


class ViewersOut(BaseModel):
    viewers: list[Viewer]


class TicketContextOut(BaseModel):
    """The senior beside the ticket, from the programme's events (shapes of the context store)."""

    participant_id: str | None
    line_user_id: str | None
    loans: list[dict[str, Any]]
    sessions: list[dict[str, Any]]
    conversation: list[dict[str, Any]]


class TicketPageOut(TicketDetailOut):
    context: TicketContextOut
    viewers: list[Viewer]


class ReplyOut(TicketDetailOut):
    duplicate: bool = Field(description="True when this reply had been sent already")


class AuditOut(BaseModel):
    entries: list[dict[str, Any]]


class LeftOut(BaseModel):
    status: Literal["left"] = "left"


def _viewers(found: list[dict[str, Any]]) -> ViewersOut:
    return ViewersOut(viewers=[Viewer(staff_id=v["staff_id"], name=v["name"]) for v in found])


@router.get("/tickets", summary="The queue, filtered and sorted")
async def queue(
    *,
    claims: Worker,
    helpdesk: HelpdeskDep,
    response: Response,
    status: Annotated[list[TicketStatus] | None, Query()] = None,
    priority: Annotated[list[Priority] | None, Query()] = None,
    category: Annotated[list[Category] | None, Query()] = None,
    channel: Annotated[list[Channel] | None, Query()] = None,
    mine: bool = False,
    unassigned: bool = False,
    line_user_id: str | None = None,
    participant_id: str | None = None,
    sort: Literal["priority", "waiting", "opened", "updated"] = "priority",
    limit: Limit = 200,
) -> QueueOut:
    found = await helpdesk.tickets.queue(
        QueueFilter(
            statuses=status or sorted(ACTIVE),
            priorities=priority or (),
            categories=category or (),
            channels=channel or (),
            line_user_id=line_user_id,
            participant_id=participant_id,
            assignee_id=claims.sub if mine else None,
            unassigned=unassigned,
        ),
        sort=sort,
        limit=limit,
    )
    names = await queue_names(helpdesk, found, claims)
    await helpdesk.audit.record(
        actor=claims.sub,
        action="queue.read",
        subject="queue",
        details={"count": len(found), "names": len(names.by_participant)},
    )
    rows = [
        QueueRowOut(
            **dict(views.summary(t)),
            senior_name=names.by_participant.get(t.participant_id or ""),
        )
        for t in found
    ]
    # The names are personal data read for this staff member: no cache may keep the page.
    response.headers["cache-control"] = "no-store"
    return QueueOut(tickets=rows, names=names.status)


@router.post("/tickets", status_code=201, summary="Log a phone call or an email as a ticket")
async def intake(body: IntakeIn, claims: Worker, helpdesk: HelpdeskDep) -> TicketDetailOut:
    about = body.model_dump(exclude={"channel", "claim"})
    new = NewTicket(channel=Channel(body.channel), **about)
    ticket = await helpdesk.opening.by_staff(new, actor=actor_of(claims), claim=body.claim)
    return views.detail(ticket)


@router.get("/tickets/{ticket_id}", summary="One ticket with its thread and the senior's context")
async def ticket(ticket_id: str, claims: Worker, helpdesk: HelpdeskDep) -> TicketPageOut:
    found = await _existing(helpdesk, ticket_id)
    now = utcnow()
    participant = found.participant_id
    line_user = found.line_user_id
    if line_user and not participant:
        participant = await helpdesk.context.participant_of(line_user)
    if participant and not line_user:
        line_user = await helpdesk.context.line_user_of(participant)
    context = TicketContextOut(
        participant_id=participant,
        line_user_id=line_user,
        loans=[_loan_view(loan, now) for loan in await helpdesk.context.loans_of(participant)]
        if participant
        else [],
        sessions=await helpdesk.context.sessions_of(participant) if participant else [],
        conversation=await helpdesk.context.recent_turns(
            line_user, limit=helpdesk.settings.context_messages
        )
        if line_user
        else [],
    )
    await helpdesk.audit.record(
        actor=claims.sub,
        action="ticket.read",
        subject=ticket_id,
        details={"number": found.number},
    )
    for subject in filter(None, (participant, line_user)):
        await helpdesk.audit.record(
            actor=claims.sub,
            action="senior.context.read",
            subject=subject,
            details={"ticket": ticket_id},
        )
    await helpdesk.presence.here(
        ticket_id=ticket_id,
        staff_id=claims.sub,
        name=claims.name,
        now=now,
        ttl=timedelta(seconds=helpdesk.settings.presence_seconds),
    )
    viewers = await helpdesk.presence.viewers(ticket_id, now=now)
    return TicketPageOut(
        **dict(views.detail(found)), context=context, viewers=[Viewer(**v) for v in viewers]
    )


def _loan_view(loan: dict[str, Any], now: datetime) -> dict[str, Any]:
    view = {k: v for k, v in loan.items() if k != "_id"}
    view["loan_id"] = loan["_id"]
    due = loan.get("due_on")
    if due and loan.get("state") in ("active", "overdue"):
        days = (now.date() - date.fromisoformat(due)).days
        view["overdue"] = days > 0
        view["days_overdue"] = max(days, int(loan.get("days_overdue") or 0), 0)
    else:
        view["overdue"] = False
    return view


@router.post(
    "/tickets/{ticket_id}/claim", summary="Claim (one of two at once wins; 409 names who has it)"
)
async def claim(
    ticket_id: str, body: Versioned, claims: Worker, helpdesk: HelpdeskDep
) -> TicketDetailOut:
    return views.detail(
        await helpdesk.staff.claim(ticket_id, actor=actor_of(claims), version=body.version)
    )


@router.post("/tickets/{ticket_id}/release", summary="Give a claimed ticket back to the queue")
async def release(
    ticket_id: str, body: Versioned, claims: Worker, helpdesk: HelpdeskDep
) -> TicketDetailOut:
    return views.detail(
        await helpdesk.staff.release(ticket_id, actor=actor_of(claims), version=body.version)
    )


@router.post("/tickets/{ticket_id}/assign", summary="Give the ticket to someone (supervisor)")
async def assign(
    ticket_id: str, body: AssignIn, claims: Supervisor, helpdesk: HelpdeskDep
) -> TicketDetailOut:
    assignee = None
    if body.assignee_id:
        account = await helpdesk.accounts.get(body.assignee_id)
        if account is None or not account.active:
            raise HTTPException(422, "No such active staff account.")
        assignee = Actor(id=account.id, name=account.display_name)
    return views.detail(
        await helpdesk.staff.assign(
            ticket_id, actor=actor_of(claims), version=body.version, assignee=assignee
        )
    )


@router.post(
    "/tickets/{ticket_id}/replies",
    summary="A public reply (sent to the senior on LINE, or by mail on an e-mail ticket)",
)
async def reply(ticket_id: str, body: ReplyIn, claims: Worker, helpdesk: HelpdeskDep) -> ReplyOut:
    ticket, sent_now = await helpdesk.staff.reply(
        ticket_id,
        actor=actor_of(claims),
        version=body.version,
        text=body.text,
        client_reply_id=body.client_reply_id,
        then_wait=body.then_wait,
    )
    return ReplyOut(**dict(views.detail(ticket)), duplicate=not sent_now)


@router.post("/tickets/{ticket_id}/notes", summary="An internal note (never sent to the senior)")
async def note(
    ticket_id: str, body: NoteIn, claims: Worker, helpdesk: HelpdeskDep
) -> TicketDetailOut:
    return views.detail(
        await helpdesk.staff.note(
            ticket_id, actor=actor_of(claims), version=body.version, text=body.text
        )
    )


@router.post("/tickets/{ticket_id}/status", summary="Open, wait on the senior, reopen or close")
async def set_status(
    ticket_id: str, body: StatusIn, claims: Worker, helpdesk: HelpdeskDep
) -> TicketDetailOut:
    if body.status == "closed" and not claims.has_any("supervisor"):
        raise HTTPException(403, "Closing a ticket by hand needs the supervisor role.")
    return views.detail(
        await helpdesk.staff.set_status(
            ticket_id,
            actor=actor_of(claims),
            version=body.version,
            status=TicketStatus(body.status),
        )
    )


@router.patch("/tickets/{ticket_id}", summary="Change priority, category or tags")
async def update(
    ticket_id: str, body: FieldsIn, claims: Worker, helpdesk: HelpdeskDep
) -> TicketDetailOut:
    return views.detail(
        await helpdesk.staff.update_fields(
            ticket_id,
            actor=actor_of(claims),
            version=body.version,
            priority=body.priority,
            category=body.category,
            tags=body.tags,
        )
    )


@router.post(
    "/tickets/{ticket_id}/resolve", summary="Resolve; a LINE conversation goes back to Dai-chan"
)
async def resolve(
    ticket_id: str, body: ResolveIn, claims: Worker, helpdesk: HelpdeskDep
) -> TicketDetailOut:
    return views.detail(
        await helpdesk.staff.resolve(
            ticket_id,
            actor=actor_of(claims),
            version=body.version,
            ask_csat=body.ask_csat,
            closing=body.closing_message,
        )
    )


@router.post("/tickets/{ticket_id}/conversation", summary="Take the senior's LINE conversation")
async def take_conversation(
    ticket_id: str, body: Versioned, claims: Worker, helpdesk: HelpdeskDep
) -> TicketDetailOut:
    return views.detail(
        await helpdesk.staff.take_conversation(
            ticket_id, actor=actor_of(claims), version=body.version
        )
    )


@router.post("/tickets/{ticket_id}/handback", summary="Hand the LINE conversation back to Dai-chan")
async def hand_back(
    ticket_id: str, body: Versioned, claims: Worker, helpdesk: HelpdeskDep
) -> TicketDetailOut:
    return views.detail(
        await helpdesk.staff.hand_back(ticket_id, actor=actor_of(claims), version=body.version)
    )


async def _existing(helpdesk: Helpdesk, ticket_id: str) -> Ticket:
    found = await helpdesk.tickets.get(ticket_id)
    if found is None:
        raise HTTPException(404, "No such ticket.")
    return found


@router.post("/tickets/{ticket_id}/presence", summary="I am looking at this ticket (heartbeat)")
async def presence(ticket_id: str, claims: Worker, helpdesk: HelpdeskDep) -> ViewersOut:
    await _existing(helpdesk, ticket_id)
    now = utcnow()
    await helpdesk.presence.here(
        ticket_id=ticket_id,
        staff_id=claims.sub,
        name=claims.name,
        now=now,
        ttl=timedelta(seconds=helpdesk.settings.presence_seconds),
    )
    return _viewers(await helpdesk.presence.viewers(ticket_id, now=now))


@router.get("/tickets/{ticket_id}/presence", summary="Who is looking at this ticket")
async def viewers(ticket_id: str, claims: Worker, helpdesk: HelpdeskDep) -> ViewersOut:
    del claims
    await _existing(helpdesk, ticket_id)
    return _viewers(await helpdesk.presence.viewers(ticket_id, now=utcnow()))


@router.delete("/tickets/{ticket_id}/presence", summary="I left this ticket")
async def left(ticket_id: str, claims: Worker, helpdesk: HelpdeskDep) -> LeftOut:
    await _existing(helpdesk, ticket_id)
    await helpdesk.presence.gone(ticket_id=ticket_id, staff_id=claims.sub)
    return LeftOut()


@router.get("/tickets/{ticket_id}/audit", summary="Who read or changed this ticket (supervisor)")
async def audit(ticket_id: str, claims: Supervisor, helpdesk: HelpdeskDep) -> AuditOut:
    del claims
    # Only this ticket's own entries: the path is not a way to read any subject's trail (a
    # participant's or a LINE user's), which a ticket id can never be (tickets are UUIDs).
    await _existing(helpdesk, ticket_id)
    return AuditOut(entries=await helpdesk.audit.for_subject(ticket_id))


@router.get("/stream", summary="Server-sent events: ticket and presence changes")
async def stream(claims: Worker, helpdesk: HelpdeskDep) -> StreamingResponse:
    del claims
    return StreamingResponse(
        helpdesk.broadcaster.stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
