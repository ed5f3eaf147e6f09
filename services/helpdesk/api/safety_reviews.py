"""Staff close the loop on Dai-chan's safety routing: a senior's message marked as a missed
danger (no route, or the wrong one) or a false alarm (a route it did not need).

The mark names a message of the ticket's senior shown in its context, never free text, so what
is kept is exactly what the senior wrote; `python -m eval.export_reviews` turns the marks into
candidate training rows for a person to check.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from services.common.time import utcnow
from services.helpdesk.api.deps import HelpdeskDep, Worker
from services.helpdesk.metrics import SAFETY_REVIEWS

router = APIRouter(prefix="/staff/api", tags=["safety reviews"])

SafetyRoute = Literal["emergency", "self_harm", "fraud", "person"]


class SafetyReviewIn(BaseModel):
    turn_id: str = Field(min_length=1, max_length=200, description="A message in the context")
    label: Literal["missed", "false_alarm"]
    route: SafetyRoute = Field(description="The route that was missed, or that fired wrongly")


class SafetyReviewOut(BaseModel):
    recorded: bool = Field(description="False when the same mark was already there")


@router.post(
    "/tickets/{ticket_id}/safety-reviews",
    summary="Mark a message of the ticket's senior as a missed danger or a false alarm",
)
async def mark_message(
    ticket_id: str, body: SafetyReviewIn, claims: Worker, helpdesk: HelpdeskDep
) -> SafetyReviewOut:
    ticket = await helpdesk.tickets.get(ticket_id)
    if ticket is None:
        raise HTTPException(404, "No such ticket.")
    line_user = ticket.line_user_id
    if line_user is None and ticket.participant_id:
        line_user = await helpdesk.context.line_user_of(ticket.participant_id)
    turn = await helpdesk.context.turn(body.turn_id)
    if turn is None or line_user is None or turn.get("line_user_id") != line_user:
        raise HTTPException(404, "No such message in this ticket's conversation.")
    if turn.get("role") != "senior":
        raise HTTPException(422, "Only the senior's own messages can be marked.")
    recorded = await helpdesk.reviews.mark(
        turn_id=body.turn_id,
        text=str(turn.get("text", "")),
        label=body.label,
        route=body.route,
        ticket_id=ticket_id,
        staff_id=claims.sub,
        at=utcnow(),
    )
    if recorded:
        SAFETY_REVIEWS.labels(body.label, body.route).inc()
        await helpdesk.audit.record(
            actor=claims.sub,
            action="safety_review.marked",
            subject=ticket_id,
            details={"label": body.label, "route": body.route},
        )
    return SafetyReviewOut(recorded=recorded)
