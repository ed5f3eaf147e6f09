"""Enrolment and report rules without a database: seats, the lottery order, the report tables."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from services.common.events.contracts.lending import Area, SessionKind
from services.common.time import JST
from services.tablet_lending.domain.cohorts import Allocation, Cohort
from services.tablet_lending.domain.enrolment import Seats, lottery_order
from services.tablet_lending.domain.participants import ParticipantStatus
from services.tablet_lending.domain.reports import loan_table, participation_table, session_table
from services.tablet_lending.domain.sessions import RegistrationStatus, Session

COHORT = Cohort(
    cohort_id="c-1",
    name="試験期",
    areas=[Area(code="27116", name="大阪市生野区")],
    lending_starts_on=date(2026, 4, 1),
    lending_ends_on=date(2026, 9, 30),
    capacity=2,
)
NOW = datetime(2026, 5, 11, 10, tzinfo=JST)


def allocation(*, drawn: bool, enrolled: int = 0, last_position: int = 0) -> Allocation:
    return Allocation(
        cohort_id="c-1",
        drawn=drawn,
        lottery_id=None,
        enrolled=enrolled,
        last_position=last_position,
    )


def test_before_the_draw_every_application_waits_for_it():
    seats = Seats(COHORT, allocation(drawn=False))
    assert [seats.place() for _ in range(3)] == [(ParticipantStatus.APPLIED, None)] * 3
    assert seats.enrolled_delta == 0


def test_after_the_draw_seats_fill_then_the_waiting_list_grows_in_order():
    seats = Seats(COHORT, allocation(drawn=True, enrolled=1, last_position=4))
    assert [seats.place() for _ in range(3)] == [
        (ParticipantStatus.ENROLLED, None),
        (ParticipantStatus.WAITLISTED, 5),
        (ParticipantStatus.WAITLISTED, 6),
    ]
    assert seats.enrolled_delta == 1
    assert seats.last_position == 6


def test_the_lottery_order_depends_on_the_seed_and_the_entrants_only():
    entrants = [f"P-{n}" for n in range(20)]
    order = lottery_order(seed="s", entrants=entrants)
    assert sorted(order) == sorted(entrants)
    assert lottery_order(seed="s", entrants=list(reversed(entrants))) == order
    assert lottery_order(seed="other", entrants=entrants) != order


def test_the_participation_table_has_a_column_per_status():
    rows = participation_table(
        [
            {
                "cohort_id": "c-1",
                "area_code": "27116",
                "area_name": "生野区",
                "status": "enrolled",
                "count": 3,
            },
            {
                "cohort_id": "c-1",
                "area_code": "27116",
                "area_name": "生野区",
                "status": "waitlisted",
                "count": 1,
            },
        ]
    )
    assert len(rows) == 1
    assert rows[0]["enrolled"] == 3
    assert rows[0]["waitlisted"] == 1
    assert rows[0]["withdrawn"] == 0


def test_the_loan_table_sorts_closed_loans_by_outcome_and_adds_the_flags():
    rows = loan_table(
        [
            {"cohort_id": "c-1", "status": "active", "count": 4},
            {"cohort_id": "c-1", "status": "returned", "outcome": "damaged", "count": 1},
            {"cohort_id": "c-1", "status": "returned", "outcome": "returned", "count": 2},
            {"cohort_id": "c-1", "status": "lost", "outcome": "lost", "count": 1},
        ],
        {"overdue": [{"cohort_id": "c-1", "count": 2}], "due_soon": [], "visit_required": []},
    )
    assert rows == [
        {
            "cohort_id": "c-1",
            "active": 4,
            "due_soon": 0,
            "overdue": 2,
            "visit_required": 0,
            "returned": 2,
            "damaged": 1,
            "lost": 1,
        }
    ]


def test_a_booking_and_a_walk_in_are_registrations_for_the_session():
    session = Session(
        session_id="S-1",
        cohort_id="c-1",
        kind=SessionKind.FOLLOW_UP,
        title="使い方講座",
        venue="区民センター",
        starts_at=NOW + timedelta(days=1),
        ends_at=NOW + timedelta(days=1, hours=1),
        capacity=4,
        booked=2,
    )
    booking = session.booking("P-1", via="line", at=NOW)
    assert (booking.session_id, booking.cohort_id, booking.kind) == ("S-1", "c-1", session.kind)
    assert booking.status is RegistrationStatus.BOOKED
    assert not booking.walk_in
    assert session.booking("P-2", via="staff", at=NOW, walk_in=True).walk_in
    [row] = session_table([session], {"S-1": {"walk_ins": 1, "attended": 0}}, now=NOW)
    assert row["fill_ratio"] == 0.75  # two bookings and a walk-in in four seats
    assert row["attendance_ratio"] is None  # not started yet
