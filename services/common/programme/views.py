"""What the programme projection reads back: ids, dates and areas, never names or addresses."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class _View(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class LoanView(_View):
    loan_id: str
    participant_id: str
    cohort_id: str
    device_model: str | None = None
    issued_on: date | None = None
    due_on: date | None = None
    status: str = "active"  # active, returned, lost, damaged
    closed_on: date | None = None
    days_overdue: int = 0
    # The reminder stage of the last overdue notice (None: never overdue).
    overdue_stage: str | None = None


class SessionView(_View):
    session_id: str
    cohort_id: str
    kind: str
    title: str
    venue: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    seats_left: int
    cancelled: bool = False
    area_code: str | None = None


class BookingView(_View):
    session_id: str
    participant_id: str
    booked: bool = False
    # booked, cancelled, attended or absent: the last thing that happened to the booking.
    booking: str
    booked_at: datetime | None = None


class AreaView(_View):
    """A target area of a cohort: its JIS code and the name seniors know it by (「堺市」)."""

    code: str
    name: str


class EnrolmentView(_View):
    """Which cohort a participant is in, and the code of their area if the enrolment said."""

    participant_id: str
    cohort_id: str
    area_code: str | None = None


class CohortView(_View):
    cohort_id: str
    name: str
    lending_starts_on: date
    lending_ends_on: date
    # Documents written before the areas were kept read as a cohort with none.
    areas: list[AreaView] = Field(default_factory=list)
