"""Sessions: scheduling, bookings by staff, attendance. Seniors book follow-ups from LINE."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from pydantic import AwareDatetime, BaseModel

from services.common.events.contracts.lending import SessionKind
from services.tablet_lending.api.deps import LendingDep, Operator, Staff
from services.tablet_lending.domain.sessions import Registration, Session, SessionIn
from services.tablet_lending.usecases import sessions as session_cases

router = APIRouter(prefix="/sessions", tags=["sessions"])


class SessionOut(BaseModel):
    """A session as every endpoint answers it: the resource itself, flat like the other creates
    (cohorts, devices, loans), with the seats still free."""

    session_id: str
    cohort_id: str
    kind: SessionKind
    title: str
    venue: str
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    capacity: int
    booked: int
    cancelled: bool
    seats_left: int
    area_code: str | None = None


def _out(session: Session) -> SessionOut:
    return SessionOut(**session.model_dump(), seats_left=session.seats_left)


@router.post("", status_code=201, summary="Schedule an explanatory or follow-up session")
async def schedule(session_in: SessionIn, staff: Operator, lending: LendingDep) -> SessionOut:
    session = await session_cases.schedule_session(
        lending.db, session_in=session_in, actor=staff.sub, now=lending.clock.now()
    )
    return _out(session)


@router.get("", summary="Sessions (no personal data)")
async def list_sessions(
    staff: Staff,
    lending: LendingDep,
    cohort_id: str | None = None,
    kind: SessionKind | None = None,
) -> list[SessionOut]:
    return [_out(s) for s in await lending.db.sessions.find(cohort_id=cohort_id, kind=kind)]


@router.get("/{session_id}", summary="One session")
async def get_session(session_id: str, staff: Staff, lending: LendingDep) -> SessionOut:
    return _out(await session_cases.session_or_404(lending.db, session_id))


@router.post("/{session_id}/cancel", summary="Call a session off (booked LINE users are told)")
async def cancel(session_id: str, staff: Operator, lending: LendingDep) -> SessionOut:
    session = await session_cases.cancel_session(
        lending.db, session_id=session_id, actor=staff.sub, now=lending.clock.now()
    )
    return _out(session)


class RegistrationIn(BaseModel):
    participant_id: str


@router.post("/{session_id}/registrations", status_code=201, summary="Book a seat for someone")
async def book(
    session_id: str, body: RegistrationIn, staff: Operator, lending: LendingDep
) -> Registration:
    return await session_cases.book_session(
        lending.db,
        session_id=session_id,
        participant_id=body.participant_id,
        actor=staff.sub,
        now=lending.clock.now(),
    )


@router.delete(
    "/{session_id}/registrations/{participant_id}", status_code=204, summary="Cancel a booking"
)
async def cancel_booking(
    session_id: str, participant_id: str, staff: Operator, lending: LendingDep
) -> Response:
    await session_cases.cancel_booking(
        lending.db,
        session_id=session_id,
        participant_id=participant_id,
        actor=staff.sub,
        now=lending.clock.now(),
    )
    return Response(status_code=204)


@router.get("/{session_id}/registrations", summary="The roster, with names (audited)")
async def roster(session_id: str, staff: Operator, lending: LendingDep) -> list[dict[str, Any]]:
    await session_cases.session_or_404(lending.db, session_id)
    rows = []
    for registration in await lending.db.registrations.of_session(session_id):
        participant = await lending.db.participants.get(registration.participant_id)
        personal = participant.personal if participant else None
        if personal is not None:
            await lending.audit.record(
                actor=staff.sub,
                action="participant.roster",
                subject=registration.participant_id,
                details={"session_id": session_id},
            )
        rows.append(
            {
                **registration.model_dump(),
                "name": f"{personal.family_name} {personal.given_name}" if personal else None,
                "kana": (
                    f"{personal.family_name_kana} {personal.given_name_kana}" if personal else None
                ),
            }
        )
    return rows


class AttendanceIn(BaseModel):
    participant_id: str
    attended: bool = True


@router.post("/{session_id}/attendance", summary="Record who came (a walk-in is fine)")
async def attendance(
    session_id: str, body: AttendanceIn, staff: Operator, lending: LendingDep
) -> Registration:
    return await session_cases.record_attendance(
        lending.db,
        session_id=session_id,
        participant_id=body.participant_id,
        attended=body.attended,
        actor=staff.sub,
        now=lending.clock.now(),
    )
