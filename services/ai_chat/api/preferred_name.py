"""The name a senior likes to be called (呼び名), for the helpdesk's staff, read from here.

It lives only in Dai-chan's memory (`seniors.memory.preferred_name`, told by the senior, erased
with the memory). The helpdesk asks for it when a staff member opens a ticket, with an
on-behalf-of token (services.common.auth.delegation: audience ai_chat, scope
`ai_chat.preferred_name:read`, key PREFERRED_NAME_SECRET) naming that staff member; each read is
audited here (`audit_log`, kept AI_CHAT_AUDIT_RETENTION_DAYS) with the staff member as the actor.
Nothing else of the memory is read, and the answer is `no-store`: it is cached nowhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import BaseModel, Field

from services.ai_chat.store.seniors import SeniorRepository
from services.common.auth import AuditLog, delegation, web

router = APIRouter(tags=["staff reads"])

READ_ACTION = "senior.preferred_name.read"


@dataclass(frozen=True)
class StaffReads:
    """What the staff-read endpoint needs, put on `app.state.staff_reads` by the lifespan."""

    seniors: SeniorRepository
    audit: AuditLog
    secret: str


def get_reads(request: Request) -> StaffReads:
    reads: StaffReads = request.app.state.staff_reads
    return reads


Reads = Annotated[StaffReads, Depends(get_reads)]


on_behalf_of_staff = web.on_behalf_of(
    audience=delegation.AI_CHAT,
    scope=delegation.PREFERRED_NAME_SCOPE,
    secret=lambda request: get_reads(request).secret,
    surface="ai_chat.preferred_name",
)


OnBehalfOf = Annotated[delegation.Delegation, Depends(on_behalf_of_staff)]
LineUserId = Annotated[str, Path(min_length=1, max_length=64)]


class PreferredNameOut(BaseModel):
    line_user_id: str
    preferred_name: str | None = Field(
        description="the name the senior told Dai-chan to call them by; null if none"
    )


@router.get(
    "/seniors/{line_user_id}/preferred-name",
    summary="The name a senior likes to be called, for the helpdesk on behalf of a staff member",
    responses={401: {"description": "No helpdesk on-behalf-of token, or one that is refused"}},
)
async def preferred_name(
    line_user_id: LineUserId, asking: OnBehalfOf, reads: Reads, response: Response
) -> PreferredNameOut:
    name = await reads.seniors.preferred_name(line_user_id)
    # A look is a read of personal data whether or not a name was there; the value is not kept.
    await reads.audit.record(
        actor=asking.staff_id,
        action=READ_ACTION,
        subject=line_user_id,
        details={
            "channel": asking.actor,
            "staff_name": asking.staff_name,
            "purpose": asking.purpose,
            "token_id": asking.token_id,
            "found": name is not None,
        },
    )
    response.headers["cache-control"] = "no-store"
    return PreferredNameOut(line_user_id=line_user_id, preferred_name=name)
