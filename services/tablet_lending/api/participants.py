"""Applications, participants and their personal data (operators and supervisors only).

Every response that shows personal data writes an audit entry (who, which participant, why);
lists are paged so that each page's reads are recorded.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from services.common.logging import get_logger, user_ref
from services.common.paging import Limit, Skip
from services.tablet_lending.api.deps import LendingDep, Operator, Supervisor
from services.tablet_lending.domain.dates import normalise
from services.tablet_lending.domain.enrolment import PersonalUpdate
from services.tablet_lending.domain.participants import (
    ApplicationIn,
    ApplicationSource,
    Participant,
    ParticipantStatus,
)
from services.tablet_lending.usecases import enrolment
from services.tablet_lending.usecases.link_codes import issue_link_code
from services.tablet_lending.usecases.retention import erase_participant

router = APIRouter(tags=["participants"])
log = get_logger(__name__)


class ApplicationOut(BaseModel):
    participant_id: str
    cohort_id: str
    status: ParticipantStatus
    waitlist_position: int | None
    area_code: str
    area_name: str


def _application_out(participant: Participant) -> ApplicationOut:
    return ApplicationOut(
        participant_id=participant.participant_id,
        cohort_id=participant.cohort_id,
        status=participant.status,
        waitlist_position=participant.waitlist_position,
        area_code=participant.area_code,
        area_name=participant.area_name,
    )


@router.post(
    "/cohorts/{cohort_id}/applications",
    status_code=201,
    summary="Enter an application on someone's behalf (from paper or the phone)",
    responses={
        422: {"description": "Not eligible (reason, message, message_ja); nothing is stored"},
        409: {"description": "Already received, or the same person applied already"},
    },
)
async def apply(
    cohort_id: str, application: ApplicationIn, staff: Operator, lending: LendingDep
) -> ApplicationOut:
    participant = await enrolment.apply(
        lending.db,
        audit=lending.audit,
        cohort_id=cohort_id,
        application=application,
        source=ApplicationSource.STAFF,
        actor=staff.sub,
        now=lending.clock.now(),
        today=lending.clock.today(),
    )
    log.info(
        "application recorded",
        ref=user_ref(participant.participant_id),
        status=participant.status,
        cohort_id=cohort_id,
    )
    return _application_out(participant)


def search_words(text: str | None) -> tuple[str, ...]:
    """What was typed, as the records keep it: NFKC (full-width digits, half-width kana),
    hiragana as katakana (kana are stored in katakana), split on spaces."""
    if not text:
        return ()
    folded = "".join(chr(ord(ch) + 0x60) if "ぁ" <= ch <= "ゖ" else ch for ch in normalise(text))
    return tuple(folded.split())[:5]


Search = Annotated[
    str | None,
    Query(
        max_length=100,
        description="words that must each appear in the name, kana, phone, application number "
        "or id (hiragana finds katakana)",
    ),
]


class ParticipantRow(Participant):
    # The console's list marks who can be reached on LINE without opening each detail.
    line_linked: bool


@router.get("/participants", summary="Participants of a cohort, with names (audited)")
async def list_participants(
    *,
    staff: Operator,
    lending: LendingDep,
    cohort_id: str | None = None,
    status: ParticipantStatus | None = None,
    q: Search = None,
    limit: Limit = 100,
    skip: Skip = 0,
) -> list[ParticipantRow]:
    found = await lending.db.participants.page(
        cohort_id=cohort_id, status=status, words=search_words(q), limit=limit, skip=skip
    )
    await lending.audit.record_many(
        [
            {"actor": staff.sub, "action": "participant.list", "subject": p.participant_id}
            for p in found
            if p.personal is not None
        ]
    )
    linked = await lending.db.links.linked([p.participant_id for p in found])
    return [ParticipantRow(**p.model_dump(), line_linked=p.participant_id in linked) for p in found]


class ParticipantDetail(BaseModel):
    participant: Participant
    line_linked: bool
    link_code_expires_at: datetime | None
    loans: list[dict[str, Any]]
    registrations: list[dict[str, Any]]
    reminders: list[dict[str, Any]]


@router.get("/participants/{participant_id}", summary="One participant in full (audited)")
async def get_participant(
    participant_id: str, staff: Operator, lending: LendingDep
) -> ParticipantDetail:
    participant = await enrolment.participant_or_404(lending.db, participant_id)
    await lending.audit.record(actor=staff.sub, action="participant.read", subject=participant_id)
    code = await lending.db.link_codes.get(participant_id)
    return ParticipantDetail(
        participant=participant,
        line_linked=await lending.db.links.user_of(participant_id) is not None,
        link_code_expires_at=code["expires_at"] if code else None,
        loans=[loan.model_dump() for loan in await lending.db.loans.of_participant(participant_id)],
        registrations=[
            registration.model_dump()
            for registration in await lending.db.registrations.of_participant(participant_id)
        ],
        reminders=[
            {key: value for key, value in reminder.items() if key != "_id"}
            | {"reminder_id": reminder["_id"]}
            for reminder in await lending.db.reminders.of_participant(participant_id)
        ],
    )


@router.patch("/participants/{participant_id}", summary="Correct personal data (audited)")
async def correct(
    participant_id: str,
    update: PersonalUpdate,
    staff: Operator,
    lending: LendingDep,
) -> Participant:
    return await enrolment.update_personal(
        lending.db,
        audit=lending.audit,
        participant_id=participant_id,
        update=update,
        actor=staff.sub,
        now=lending.clock.now(),
    )


class Reason(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


@router.post(
    "/participants/{participant_id}/withdraw",
    summary="Withdraw; a freed seat goes to the first on the waiting list",
)
async def withdraw(
    participant_id: str, body: Reason, staff: Operator, lending: LendingDep
) -> ApplicationOut:
    participant = await enrolment.withdraw(
        lending.db,
        participant_id=participant_id,
        reason=body.reason,
        actor=staff.sub,
        now=lending.clock.now(),
        today=lending.clock.today(),
    )
    await lending.audit.record(
        actor=staff.sub, action="participant.withdraw", subject=participant_id
    )
    return _application_out(participant)


class Erased(BaseModel):
    participant_id: str
    erased: bool


@router.post(
    "/participants/{participant_id}/erase",
    summary="Erase a participant's personal data now (on request); counts are kept",
)
async def erase(
    participant_id: str, body: Reason, staff: Supervisor, lending: LendingDep
) -> Erased:
    erased = await erase_participant(
        lending.db,
        audit=lending.audit,
        participant_id=participant_id,
        actor=staff.sub,
        trigger="request",
        now=lending.clock.now(),
    )
    log.info("participant erased on request", ref=user_ref(participant_id), erased=erased)
    return Erased(participant_id=participant_id, erased=erased)


class LinkCodeOut(BaseModel):
    participant_id: str
    code: str = Field(description="shown once: give it to the senior; it is not stored")
    expires_at: datetime


@router.post(
    "/participants/{participant_id}/link-code",
    status_code=201,
    summary="Issue a one-time 8-digit LINE link code (replaces the previous one)",
)
async def link_code(participant_id: str, staff: Operator, lending: LendingDep) -> LinkCodeOut:
    issued = await issue_link_code(
        lending.db,
        audit=lending.audit,
        participant_id=participant_id,
        actor=staff.sub,
        now=lending.clock.now(),
        ttl=timedelta(days=lending.settings.link_code_ttl_days),
        secret=lending.settings.link_code_secret,
    )
    return LinkCodeOut(
        participant_id=issued.participant_id, code=issued.code, expires_at=issued.expires_at
    )


@router.get("/participants/{participant_id}/history", summary="Every change, oldest first")
async def history(
    participant_id: str, staff: Operator, lending: LendingDep
) -> list[dict[str, Any]]:
    await enrolment.participant_or_404(lending.db, participant_id)
    return await lending.db.history.of(f"participant:{participant_id}")


@router.get("/participants/{participant_id}/audit", summary="Who saw or changed this participant")
async def audit_trail(
    participant_id: str, staff: Supervisor, lending: LendingDep
) -> list[dict[str, Any]]:
    # A participant's trail only: the path is not a way to read any subject's entries.
    await enrolment.participant_or_404(lending.db, participant_id)
    return await lending.audit.for_subject(participant_id)
