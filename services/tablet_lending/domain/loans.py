"""Loans: one tablet to one participant, from issue to return or loss.

The due date is the earlier of `loan_months` (six) calendar months after issue and the end of the
cohort's lending window, so every tablet of a cohort is back when the cohort ends.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from services.common.events.contracts.lending import LoanOutcome
from services.tablet_lending.domain.cohorts import Cohort
from services.tablet_lending.domain.dates import add_months
from services.tablet_lending.domain.devices import Accessories, Condition


class LoanStatus(StrEnum):
    ACTIVE = "active"
    RETURNED = "returned"  # back, possibly damaged (see outcome)
    LOST = "lost"


class OverdueStage(StrEnum):
    MESSAGE = "message"  # a LINE message, or a call task without LINE
    CALL = "call"  # a phone call from the helpdesk
    VISIT = "visit"  # marked for a visit to collect the tablet


def due_date(*, cohort: Cohort, issued_on: date) -> date:
    return min(add_months(issued_on, cohort.loan_months), cohort.lending_ends_on)


class ReturnRecord(BaseModel):
    model_config = ConfigDict(frozen=True)

    returned_on: date
    condition: Condition
    data_wiped: bool
    accessories_returned: Accessories
    missing_accessories: list[str] = Field(default_factory=list)
    damage_decision: str | None = None
    note: str | None = None
    recorded_by: str


class LossRecord(BaseModel):
    model_config = ConfigDict(frozen=True)

    reported_on: date
    circumstances: str
    decision: str
    police_report_number: str | None = None
    recorded_by: str


class Loan(BaseModel):
    model_config = ConfigDict(frozen=True)

    loan_id: str
    participant_id: str
    cohort_id: str
    area_code: str
    device_id: str
    device_model: str
    accessories_issued: Accessories
    issued_on: date
    due_on: date
    status: LoanStatus
    outcome: LoanOutcome | None = None
    closed_on: date | None = None
    # Issued without an attended explanatory session: why, and which supervisor allowed it.
    session_exception: str | None = None
    exception_by: str | None = None
    overdue_stage: OverdueStage | None = None
    visit_required: bool = False
    return_record: ReturnRecord | None = None
    loss_record: LossRecord | None = None
    issued_by: str
    created_at: AwareDatetime
