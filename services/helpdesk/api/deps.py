"""What the endpoints share: the service parts on `app.state`, and who is signed in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from services.common.auth import AuditLog, StaffAccounts, StaffClaims
from services.common.auth.web import StaffAuth
from services.helpdesk.api.live import Broadcaster
from services.helpdesk.clients.daichan import DaichanNames
from services.helpdesk.clients.lending import LendingContacts
from services.helpdesk.domain.parts import Actor
from services.helpdesk.domain.tickets import Role
from services.helpdesk.settings import HelpdeskSettings
from services.helpdesk.store import (
    CannedResponseRepository,
    ContextRepository,
    PresenceRepository,
    SafetyReviewRepository,
    TicketRepository,
)
from services.helpdesk.usecases.opening import Opening
from services.helpdesk.usecases.staff import StaffWork


@dataclass
class Helpdesk:
    settings: HelpdeskSettings
    staff: StaffWork
    opening: Opening
    tickets: TicketRepository
    context: ContextRepository
    canned: CannedResponseRepository
    presence: PresenceRepository
    reviews: SafetyReviewRepository
    accounts: StaffAccounts
    auth: StaffAuth
    audit: AuditLog
    broadcaster: Broadcaster
    lending: LendingContacts
    daichan: DaichanNames


def get_helpdesk(request: Request) -> Helpdesk:
    helpdesk: Helpdesk | None = getattr(request.app.state, "helpdesk", None)
    if helpdesk is None:
        raise HTTPException(503, "The helpdesk is starting. Try again in a moment.")
    return helpdesk


HelpdeskDep = Annotated[Helpdesk, Depends(get_helpdesk)]


async def signed_in(request: Request) -> StaffClaims:
    return await get_helpdesk(request).auth.authenticate(request)


def _role_check(claims: StaffClaims, *roles: Role) -> StaffClaims:
    if not claims.has_any(*(r.value for r in roles)):
        raise HTTPException(
            403, f"This needs one of these roles: {', '.join(r.value for r in roles)}."
        )
    return claims


async def any_staff(request: Request) -> StaffClaims:
    return await signed_in(request)


async def ticket_worker(request: Request) -> StaffClaims:
    return _role_check(await signed_in(request), Role.AGENT, Role.SUPERVISOR)


async def supervisor(request: Request) -> StaffClaims:
    return _role_check(await signed_in(request), Role.SUPERVISOR)


async def admin(request: Request) -> StaffClaims:
    return _role_check(await signed_in(request), Role.ADMIN)


AnyStaff = Annotated[StaffClaims, Depends(any_staff)]
Worker = Annotated[StaffClaims, Depends(ticket_worker)]
Supervisor = Annotated[StaffClaims, Depends(supervisor)]
Admin = Annotated[StaffClaims, Depends(admin)]


def actor_of(claims: StaffClaims) -> Actor:
    return Actor(id=claims.sub, name=claims.name, supervisor=claims.has_any("supervisor"))
