"""The senior's own programme facts, loaded from the programme projection for Dai-chan's answers."""

from __future__ import annotations

from datetime import datetime

from services.ai_chat.domain.programme import (
    MAX_SESSIONS_SHOWN,
    SESSIONS_CONSIDERED,
    ProgrammeFacts,
    sessions_near,
)
from services.common.programme.projection import ProgrammeProjection


async def load_programme(
    *, programme: ProgrammeProjection, participant_id: str | None, now: datetime
) -> ProgrammeFacts:
    if participant_id is None:
        return ProgrammeFacts(participant_id=None)
    loans = await programme.loans_of(participant_id)
    enrolment = await programme.enrolment_of(participant_id)
    cohort_id = enrolment.cohort_id if enrolment else None
    if cohort_id is None and loans:
        cohort_id = loans[-1].cohort_id
    if cohort_id is None:
        return ProgrammeFacts(participant_id=participant_id, loans=loans)
    area_code = enrolment.area_code if enrolment else None
    booked = frozenset(await programme.booked_sessions(participant_id))
    upcoming = await programme.upcoming_sessions(cohort_id, after=now, limit=SESSIONS_CONSIDERED)
    return ProgrammeFacts(
        participant_id=participant_id,
        loans=loans,
        cohort=await programme.cohort(cohort_id),
        sessions=sessions_near(
            upcoming, area_code=area_code, booked=booked, limit=MAX_SESSIONS_SHOWN
        ),
        booked=booked,
        area_code=area_code,
    )
