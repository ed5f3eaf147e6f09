"""ai_chat's read model of `lending.events`, driven by the real handlers; whose programme it is
comes from the participant line_gateway stamps on each message (`Harness.links`)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import uuid4

from services.ai_chat.domain import templates
from services.ai_chat.domain.programme import loan_answer, sessions_answer
from services.ai_chat.usecases.programme import load_programme
from services.common.events.contracts.lending import (
    CohortPublished,
    LoanClosed,
    LoanIssued,
    LoanOutcome,
    LoanOverdue,
    ParticipantEnrolled,
    ParticipantErased,
    SessionBooked,
    SessionBookingCancelled,
    SessionKind,
    SessionScheduled,
)
from services.common.events.envelope import Contract, new_event
from services.common.programme.handlers import ProgrammeHandlers
from services.common.time import utcnow
from tests.ai_chat.support import Harness
from tests.fixtures.line import new_user_id


async def feed(harness: Harness, handler: Any, data: Contract, *, occurred_at: Any = None) -> None:
    envelope = new_event(data, source="test", occurred_at=occurred_at)
    await harness.handling.apply(envelope, handler)


def handlers(harness: Harness) -> ProgrammeHandlers:
    return ProgrammeHandlers(projection=harness.programme, also_erase=[harness.seniors])


async def test_a_loan_from_issue_to_overdue_to_returned(offline: Harness) -> None:
    lending = handlers(offline)
    user, participant = new_user_id(), f"P-{uuid4().hex[:8]}"
    today = date(2026, 11, 1)
    offline.links[user] = participant
    issued = LoanIssued(
        loan_id="L1",
        participant_id=participant,
        cohort_id="C3",
        device_model="tab",
        issued_on=date(2026, 5, 1),
        due_on=date(2026, 10, 31),
    )
    await feed(offline, lending.on_loan_issued, issued)
    await feed(
        offline,
        lending.on_loan_overdue,
        LoanOverdue(
            loan_id="L1",
            participant_id=participant,
            cohort_id="C3",
            due_on=date(2026, 10, 31),
            days_overdue=1,
            stage="first",
        ),
    )
    facts = await load_programme(
        programme=offline.programme, participant_id=participant, now=utcnow()
    )
    text, _ = loan_answer(facts, today=today)
    assert "2026年10月31日（土）" in text
    assert "過ぎてる" in text
    assert facts.active_loan is not None
    assert facts.active_loan.days_overdue == 1

    await feed(
        offline,
        lending.on_loan_closed,
        LoanClosed(
            loan_id="L1",
            participant_id=participant,
            cohort_id="C3",
            outcome=LoanOutcome.RETURNED,
            closed_on=date(2026, 11, 2),
        ),
    )
    # A late overdue notice about a returned tablet changes nothing.
    await feed(
        offline,
        lending.on_loan_overdue,
        LoanOverdue(
            loan_id="L1",
            participant_id=participant,
            cohort_id="C3",
            due_on=date(2026, 10, 31),
            days_overdue=3,
            stage="second",
        ),
    )
    facts = await load_programme(
        programme=offline.programme, participant_id=participant, now=utcnow()
    )
    assert facts.active_loan is None
    assert "もう 返してもらってる" in loan_answer(facts, today=today)[0]


async def test_sessions_keep_their_latest_version_and_bookings_can_be_cancelled(
    offline: Harness,
) -> None:
    lending = handlers(offline)
    user, participant, cohort = new_user_id(), f"P-{uuid4().hex[:8]}", f"C-{uuid4().hex[:6]}"
    now = utcnow().replace(microsecond=0)
    offline.links[user] = participant
    await feed(
        offline,
        lending.on_cohort_published,
        CohortPublished(
            cohort_id=cohort,
            name="第3期",
            areas=[],
            lending_starts_on=date(2026, 9, 5),
            lending_ends_on=date(2027, 2, 28),
            minimum_age=50,
            capacity=800,
        ),
    )
    await feed(
        offline,
        lending.on_loan_issued,
        LoanIssued(
            loan_id=f"L-{participant}",
            participant_id=participant,
            cohort_id=cohort,
            device_model="tab",
            issued_on=date(2026, 9, 5),
            due_on=date(2027, 2, 28),
        ),
    )

    def session(title: str, days: int) -> SessionScheduled:
        starts = now + timedelta(days=days)
        return SessionScheduled(
            session_id="S1",
            cohort_id=cohort,
            kind=SessionKind.FOLLOW_UP,
            title=title,
            venue="阿倍野",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            capacity=20,
            seats_left=5,
        )

    await feed(offline, lending.on_session_scheduled, session("新しい題", 9), occurred_at=now)
    # An older version arriving late does not overwrite the newer one.
    await feed(
        offline,
        lending.on_session_scheduled,
        session("古い題", 7),
        occurred_at=now - timedelta(hours=1),
    )
    await feed(
        offline,
        lending.on_session_booked,
        SessionBooked(session_id="S1", participant_id=participant, booked_at=now),
    )
    facts = await load_programme(programme=offline.programme, participant_id=participant, now=now)
    text, choices = sessions_answer(facts)
    assert "新しい題" in text
    assert "古い題" not in text
    assert facts.cohort is not None
    assert facts.cohort.name == "第3期"
    assert [c.data for c in choices] == ["lending:cancel?session=S1"]  # type: ignore[union-attr]

    await feed(
        offline,
        lending.on_booking_cancelled,
        SessionBookingCancelled(
            session_id="S1", participant_id=participant, cancelled_at=now + timedelta(minutes=1)
        ),
    )
    _, choices = sessions_answer(
        await load_programme(programme=offline.programme, participant_id=participant, now=now)
    )
    assert [c.data for c in choices] == ["lending:book?session=S1"]  # type: ignore[union-attr]


async def test_unlinking_and_erasure_forget_the_participant(offline: Harness) -> None:
    lending = handlers(offline)
    erased_user, unlinked_user = new_user_id(), new_user_id()
    erased, unlinked = f"P-{uuid4().hex[:8]}", f"P-{uuid4().hex[:8]}"
    for user, participant in ((erased_user, erased), (unlinked_user, unlinked)):
        offline.links[user] = participant
        await feed(
            offline,
            lending.on_loan_issued,
            LoanIssued(
                loan_id=f"L-{participant}",
                participant_id=participant,
                cohort_id="C",
                device_model="t",
                issued_on=date(2026, 5, 1),
                due_on=date(2026, 10, 31),
            ),
        )
        await offline.say(user, "こんにちは")
        # Recorded from the message's stamp, for the friendly call about the silence after it.
        assert (await offline.senior(user)).participant_id == participant

    await feed(
        offline,
        lending.on_participant_erased,
        ParticipantErased(participant_id=erased, erased_at=utcnow()),
    )
    # line_gateway unlinks both (erasure, staff), and stamps nothing on their next messages.
    del offline.links[erased_user], offline.links[unlinked_user]
    unlinked_answer = await offline.tap(unlinked_user, "daichan:my_loan")

    assert unlinked_answer.texts == [templates.LINK_HOW_TO_TEXT]
    assert (await offline.senior(erased_user)).participant_id is None
    assert (await offline.senior(unlinked_user)).participant_id is None
    assert await offline.programme.loans_of(erased) == []
    answer = await offline.tap(erased_user, "daichan:my_loan")
    assert answer.texts == [templates.LINK_HOW_TO_TEXT]


async def test_sessions_in_the_seniors_enrolled_area_are_listed_first(offline: Harness) -> None:
    lending = handlers(offline)
    participant, cohort = f"P-{uuid4().hex[:8]}", f"C-{uuid4().hex[:6]}"
    now = utcnow().replace(microsecond=0)
    await feed(
        offline,
        lending.on_participant_enrolled,
        ParticipantEnrolled(
            participant_id=participant, cohort_id=cohort, area_code="27116", enrolled_at=now
        ),
    )
    # The loan, issued later, carries no area and must not forget the enrolment's.
    await feed(
        offline,
        lending.on_loan_issued,
        LoanIssued(
            loan_id=f"L-{participant}",
            participant_id=participant,
            cohort_id=cohort,
            device_model="tab",
            issued_on=date(2026, 9, 5),
            due_on=date(2027, 2, 28),
        ),
    )
    for number, (days, area) in enumerate([(2, "27119"), (3, None), (4, "27119"), (9, "27116")]):
        starts = now + timedelta(days=days)
        await feed(
            offline,
            lending.on_session_scheduled,
            SessionScheduled(
                session_id=f"S{number}",
                cohort_id=cohort,
                kind=SessionKind.FOLLOW_UP,
                title=f"講座{number}",
                venue="区民センター",
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
                capacity=20,
                seats_left=5,
                area_code=area,
            ),
        )
    facts = await load_programme(programme=offline.programme, participant_id=participant, now=now)
    assert facts.area_code == "27116"
    assert [s.session_id for s in facts.sessions] == ["S3", "S0", "S1"]
    assert await offline.programme.enrolment_of(f"P-{uuid4().hex[:8]}") is None
