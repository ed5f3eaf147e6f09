"""Whom the staff member is helping: the senior's contact card, from tablet_lending, and the
name they like to be called (呼び名), from ai_chat, on opening.

The page asks for it beside the ticket; the helpdesk asks each owner of that data (tablet_lending
for the card, ai_chat for Dai-chan's 呼び名, both at once) as the staff member who asked, and
passes the answers through without keeping them anywhere: no MongoDB, no Kafka, no log line with
a value, `Cache-Control: no-store` to the browser. The helpdesk's own audit log records that this
staff member looked (each owner records the read too, with the same staff member). What an owner
cannot answer is said in Japanese for the page, beside the English message for API clients; one
that is down leaves the other's answer standing.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Literal

from fastapi import APIRouter, HTTPException, Response
from pydantic import BaseModel, ValidationError

from services.common.auth import StaffClaims
from services.common.auth.delegation import NotAllowed
from services.helpdesk.api.deps import Helpdesk, HelpdeskDep, Worker
from services.helpdesk.clients.daichan import PreferredName
from services.helpdesk.clients.lending import Card, Missing, Unavailable
from services.helpdesk.clients.on_behalf import Staff
from services.helpdesk.domain.ticket import Ticket
from services.helpdesk.metrics import CONTACT_CARDS, PREFERRED_NAMES, QUEUE_NAMES

router = APIRouter(prefix="/staff/api", tags=["tickets"])

NOT_LINKED_JA = "この相談者は 貸出の参加者と つながっていないため、氏名と電話番号は表示できません。"
NOT_FOUND_JA = "貸出の記録に この参加者の個人情報がありません（消去済みの可能性があります）。"
UNAVAILABLE_JA = (
    "貸出システムから 氏名と電話番号を取得できませんでした。しばらくしてから 開き直してください。"
)


class SeniorLoan(BaseModel):
    device_model: str
    issued_on: date
    due_on: date
    overdue: bool


class SeniorCard(BaseModel):
    family_name: str
    given_name: str
    family_name_kana: str
    given_name_kana: str
    phone: str | None
    area_code: str
    area_name: str
    status: str
    loan: SeniorLoan | None


MAX_PARTICIPANT_ID = 64  # tablet_lending's bound on a participant id
PREFERRED_NAME_UNAVAILABLE_JA = "呼び名は 取得できませんでした（大ちゃんの記録に つながりません）。"


class PreferredNameOut(BaseModel):
    """The name the senior told Dai-chan to call them by: found, none told, no LINE user on the
    ticket (nobody to ask about), or ai_chat unavailable."""

    status: Literal["found", "none", "no_line", "unavailable"]
    name: str | None = None
    message_ja: str | None = None


class CardOut(BaseModel):
    """What tablet_lending answered for the ticket's participant."""

    status: Literal["found", "not_linked", "not_found", "unavailable"]
    participant_id: str | None
    card: SeniorCard | None = None
    message: str | None = None
    message_ja: str | None = None


class SeniorOut(CardOut):
    preferred_name: PreferredNameOut


def _answer(senior: SeniorOut) -> SeniorOut:
    CONTACT_CARDS.labels(senior.status).inc()
    PREFERRED_NAMES.labels(senior.preferred_name.status).inc()
    return senior


async def _preferred_name(
    helpdesk: Helpdesk, ticket: Ticket, claims: StaffClaims
) -> PreferredNameOut:
    line_user = ticket.line_user_id
    if not line_user:
        return PreferredNameOut(status="no_line")
    await helpdesk.audit.record(
        actor=claims.sub,
        action="senior.preferred_name.read",
        subject=line_user,
        details={"ticket": ticket.id},
    )
    answer = await helpdesk.daichan.preferred_name(
        line_user, staff=Staff(claims.sub, claims.name, claims.roles, f"ticket:{ticket.id}")
    )
    if isinstance(answer, PreferredName):
        if answer.name is None:
            return PreferredNameOut(status="none")
        return PreferredNameOut(status="found", name=answer.name)
    return PreferredNameOut(status="unavailable", message_ja=PREFERRED_NAME_UNAVAILABLE_JA)


@router.get(
    "/tickets/{ticket_id}/senior",
    summary="The senior's name, phone, area and 呼び名, read from their owners as you (audited)",
)
async def senior(
    ticket_id: str, claims: Worker, helpdesk: HelpdeskDep, response: Response
) -> SeniorOut:
    found = await helpdesk.tickets.get(ticket_id)
    if found is None:
        raise HTTPException(404, "No such ticket.")
    response.headers["cache-control"] = "no-store"
    try:
        # Both owners at once: the page waits for the slower, each within its own timeout.
        card, preferred = await asyncio.gather(
            _card(helpdesk, found, claims), _preferred_name(helpdesk, found, claims)
        )
    except NotAllowed as exc:
        raise HTTPException(403, "Reading a senior's contact card needs a helpdesk role.") from exc
    return _answer(SeniorOut(**dict(card), preferred_name=preferred))


async def _card(helpdesk: Helpdesk, found: Ticket, claims: StaffClaims) -> CardOut:
    ticket_id = found.id
    participant = found.participant_id
    if not participant and found.line_user_id:
        participant = await helpdesk.context.participant_of(found.line_user_id)
    if not participant:
        return CardOut(
            status="not_linked",
            participant_id=None,
            message="This ticket's senior is not linked to a lending participant.",
            message_ja=NOT_LINKED_JA,
        )
    await helpdesk.audit.record(
        actor=claims.sub,
        action="senior.contact.read",
        subject=participant,
        details={"ticket": ticket_id},
    )
    answer = await helpdesk.lending.card(
        participant,
        staff_id=claims.sub,
        staff_name=claims.name,
        roles=claims.roles,
        purpose=f"ticket:{ticket_id}",
    )
    if isinstance(answer, Card):
        try:
            card = SeniorCard.model_validate(answer.values)
        except ValidationError:
            answer = Unavailable("malformed")
        else:
            return CardOut(status="found", participant_id=participant, card=card)
    if isinstance(answer, Missing):
        return CardOut(
            status="not_found",
            participant_id=participant,
            message="tablet_lending holds no personal data for this participant.",
            message_ja=NOT_FOUND_JA,
        )
    return CardOut(
        status="unavailable",
        participant_id=participant,
        message="tablet_lending did not answer; try again in a moment.",
        message_ja=UNAVAILABLE_JA,
    )


class QueueNames(BaseModel):
    """The registered names of the participants on a queue page, from tablet_lending as the
    staff member (one call per page, each participant's read audited there), kept nowhere."""

    status: Literal["found", "none", "unavailable"]
    by_participant: dict[str, str] = {}


async def queue_names(helpdesk: Helpdesk, tickets: list[Ticket], claims: StaffClaims) -> QueueNames:
    """`none` when no ticket on the page names a participant (nothing is asked). Only what each
    ticket stores is used (no LINE link looked up), so a page costs one lending call, not N."""
    # An id tablet_lending could never hold (events do not bound it) must not cost the page.
    wanted = sorted(
        {
            t.participant_id
            for t in tickets
            if t.participant_id and len(t.participant_id) <= MAX_PARTICIPANT_ID
        }
    )
    if not wanted:
        return QueueNames(status="none")
    try:
        answer = await helpdesk.lending.names(
            wanted, staff=Staff(claims.sub, claims.name, claims.roles, "queue")
        )
    except NotAllowed:
        return QueueNames(status="none")
    if isinstance(answer, Unavailable):
        QUEUE_NAMES.labels("unavailable").inc()
        return QueueNames(status="unavailable")
    QUEUE_NAMES.labels("found").inc()
    return QueueNames(status="found", by_participant=answer.by_participant)
