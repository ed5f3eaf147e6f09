"""A senior's contact card for the helpdesk, and the names on its queue: whom staff help.

Only the helpdesk's on-behalf-of token opens it (services.common.auth.delegation): the staff
member is the token's subject, the helpdesk the acting party. Lending staff sessions are refused
here, and the delegation token is refused everywhere else (its key is not the session key). Each
card shown is audited as a read of personal data with the helpdesk's staff member as the actor and
the helpdesk as the channel. The queue's names come in one call per queue page (the participant
ids on it, a token with the names scope only) and each participant named is audited the same way.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import BaseModel, Field, StringConstraints

from services.common.auth import delegation, web
from services.common.paging import MAX_LIMIT
from services.tablet_lending.api.deps import AuthRefused, LendingDep, get_lending
from services.tablet_lending.domain.errors import NotFound
from services.tablet_lending.usecases.enrolment import participant_or_404

router = APIRouter(tags=["contact card"])


def _lending_secret(request: Request) -> str:
    return get_lending(request).settings.lending_contact_secret


def _refused(reason: str, message: str) -> AuthRefused:
    return AuthRefused(
        401, reason, message, "ヘルプデスクからの問い合わせとして確認できませんでした。"
    )


def _on_behalf_of_staff(scope: str) -> Callable[[Request], Awaitable[delegation.Delegation]]:
    """The helpdesk's token for one of lending's scopes; both scopes count under one surface."""
    return web.on_behalf_of(
        audience=delegation.LENDING,
        scope=scope,
        secret=_lending_secret,
        surface="lending.contact_card",
        refuse=_refused,
    )


on_behalf_of_staff = _on_behalf_of_staff(delegation.CONTACT_CARD_SCOPE)
on_behalf_of_staff_for_names = _on_behalf_of_staff(delegation.NAMES_SCOPE)


OnBehalfOf = Annotated[delegation.Delegation, Depends(on_behalf_of_staff)]
OnBehalfOfForNames = Annotated[delegation.Delegation, Depends(on_behalf_of_staff_for_names)]
ParticipantId = Annotated[str, Path(min_length=1, max_length=64)]
# A queue page holds at most this many tickets (the helpdesk queue's limit, services.common.paging).
MAX_NAMES = MAX_LIMIT


class CurrentLoan(BaseModel):
    device_model: str
    issued_on: date
    due_on: date
    overdue: bool


class ContactCardOut(BaseModel):
    participant_id: str
    family_name: str
    given_name: str
    family_name_kana: str
    given_name_kana: str
    phone: str | None = Field(description="as registered; null when none was given")
    area_code: str
    area_name: str
    status: str
    loan: CurrentLoan | None = Field(description="the tablet the senior has now, if any")


@router.get(
    "/participants/{participant_id}/contact",
    summary="A senior's contact card, for the helpdesk on behalf of a staff member (audited)",
    responses={
        401: {"description": "No helpdesk on-behalf-of token, or one that is refused"},
        404: {"description": "No such participant, or their personal data has been erased"},
    },
)
async def contact_card(
    participant_id: ParticipantId,
    asking: OnBehalfOf,
    lending: LendingDep,
    response: Response,
) -> ContactCardOut:
    participant = await participant_or_404(lending.db, participant_id)
    personal = participant.personal
    if personal is None:
        raise NotFound(
            "erased",
            f"The personal data of participant {participant_id} has been erased.",
            "この参加者の個人情報は消去されています。",
        )
    loan = await lending.db.loans.active_for(participant_id)
    await lending.audit.record(
        actor=asking.staff_id,
        action="participant.contact.read",
        subject=participant_id,
        details={
            "channel": asking.actor,
            "staff_name": asking.staff_name,
            "purpose": asking.purpose,
            "token_id": asking.token_id,
        },
    )
    # Personal data: no cache between here and the staff member's screen may keep it.
    response.headers["cache-control"] = "no-store"
    return ContactCardOut(
        participant_id=participant_id,
        family_name=personal.family_name,
        given_name=personal.given_name,
        family_name_kana=personal.family_name_kana,
        given_name_kana=personal.given_name_kana,
        phone=personal.phone,
        area_code=participant.area_code,
        area_name=participant.area_name,
        status=participant.status.value,
        loan=CurrentLoan(
            device_model=loan.device_model,
            issued_on=loan.issued_on,
            due_on=loan.due_on,
            overdue=loan.due_on < lending.clock.today(),
        )
        if loan is not None
        else None,
    )


class NamesIn(BaseModel):
    participant_ids: list[Annotated[str, StringConstraints(min_length=1, max_length=64)]] = Field(
        min_length=1, max_length=MAX_NAMES
    )


class RegisteredName(BaseModel):
    participant_id: str
    family_name: str
    given_name: str


class NamesOut(BaseModel):
    names: list[RegisteredName] = Field(
        description="the participants asked for who have personal data; unknown and erased left out"
    )


@router.post(
    "/participants/names",
    summary="Registered names of the participants on a helpdesk queue page (audited, each)",
    responses={401: {"description": "No helpdesk on-behalf-of token for names, or refused"}},
)
async def names(
    body: NamesIn, asking: OnBehalfOfForNames, lending: LendingDep, response: Response
) -> NamesOut:
    wanted = list(dict.fromkeys(body.participant_ids))
    found = [
        participant
        for participant in await lending.db.participants.get_many(None, wanted)
        if participant.personal is not None
    ]
    details: dict[str, Any] = {
        "channel": asking.actor,
        "staff_name": asking.staff_name,
        "purpose": asking.purpose,
        "token_id": asking.token_id,
    }
    await lending.audit.record_many(
        [
            {
                "actor": asking.staff_id,
                "action": "participant.name.read",
                "subject": participant.participant_id,
                "details": details,
            }
            for participant in found
        ]
    )
    response.headers["cache-control"] = "no-store"
    return NamesOut(
        names=[
            RegisteredName(
                participant_id=participant.participant_id,
                family_name=participant.personal.family_name,
                given_name=participant.personal.given_name,
            )
            for participant in found
            if participant.personal is not None
        ]
    )
