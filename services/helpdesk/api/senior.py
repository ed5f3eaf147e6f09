"""Whom the staff member is helping: the senior's contact card, from tablet_lending, on opening.

The page asks for it beside the ticket; the helpdesk asks tablet_lending (the owner of that data)
as the staff member who asked, and passes the answer through without keeping it anywhere: no
MongoDB, no Kafka, no log line with a value, `Cache-Control: no-store` to the browser. The
helpdesk's own audit log records that this staff member looked (tablet_lending records the read
too, with the same staff member). What tablet_lending cannot answer is said in Japanese for the
page, beside the English message for API clients.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from fastapi import APIRouter, HTTPException, Response
from pydantic import BaseModel, ValidationError

from services.common.auth.delegation import NotAllowed
from services.helpdesk.api.deps import HelpdeskDep, Worker
from services.helpdesk.clients.lending import Card, Missing, Unavailable
from services.helpdesk.metrics import CONTACT_CARDS

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


class SeniorOut(BaseModel):
    status: Literal["found", "not_linked", "not_found", "unavailable"]
    participant_id: str | None
    card: SeniorCard | None = None
    message: str | None = None
    message_ja: str | None = None


def _answer(senior: SeniorOut) -> SeniorOut:
    CONTACT_CARDS.labels(senior.status).inc()
    return senior


@router.get(
    "/tickets/{ticket_id}/senior",
    summary="The senior's name, phone and area, read from tablet_lending as you (audited there)",
)
async def senior(
    ticket_id: str, claims: Worker, helpdesk: HelpdeskDep, response: Response
) -> SeniorOut:
    found = await helpdesk.tickets.get(ticket_id)
    if found is None:
        raise HTTPException(404, "No such ticket.")
    response.headers["cache-control"] = "no-store"
    participant = found.participant_id
    if not participant and found.line_user_id:
        participant = await helpdesk.context.participant_of(found.line_user_id)
    if not participant:
        return _answer(
            SeniorOut(
                status="not_linked",
                participant_id=None,
                message="This ticket's senior is not linked to a lending participant.",
                message_ja=NOT_LINKED_JA,
            )
        )
    await helpdesk.audit.record(
        actor=claims.sub,
        action="senior.contact.read",
        subject=participant,
        details={"ticket": ticket_id},
    )
    try:
        answer = await helpdesk.lending.card(
            participant,
            staff_id=claims.sub,
            staff_name=claims.name,
            roles=claims.roles,
            purpose=f"ticket:{ticket_id}",
        )
    except NotAllowed as exc:
        raise HTTPException(403, "Reading a senior's contact card needs a helpdesk role.") from exc
    if isinstance(answer, Card):
        try:
            card = SeniorCard.model_validate(answer.values)
        except ValidationError:
            answer = Unavailable("malformed")
        else:
            return _answer(SeniorOut(status="found", participant_id=participant, card=card))
    if isinstance(answer, Missing):
        return _answer(
            SeniorOut(
                status="not_found",
                participant_id=participant,
                message="tablet_lending holds no personal data for this participant.",
                message_ja=NOT_FOUND_JA,
            )
        )
    return _answer(
        SeniorOut(
            status="unavailable",
            participant_id=participant,
            message="tablet_lending did not answer; try again in a moment.",
            message_ja=UNAVAILABLE_JA,
        )
    )
