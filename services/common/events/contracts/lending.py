"""Contracts on `lending.events`: what other services need to know about the lending programme.

They carry ids, dates and areas, never names, addresses, phone numbers or birthdates.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from services.common.events.envelope import Contract
from services.common.events.registry import contract


class Area(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str = Field(pattern=r"^\d{5,6}$", description="JIS local government code")
    name: str


@contract
class CohortPublished(Contract):
    """A lending phase (cohort) was created or changed."""

    event_type = "lending.cohort.published"

    cohort_id: str
    name: str
    areas: list[Area]
    lending_starts_on: date
    lending_ends_on: date
    minimum_age: int = Field(ge=0)
    capacity: int = Field(ge=0)


@contract
class ParticipantEnrolled(Contract):
    """An applicant became a participant of a cohort."""

    event_type = "lending.participant.enrolled"

    participant_id: str
    cohort_id: str
    area_code: str
    enrolled_at: AwareDatetime


@contract
class ParticipantWithdrawn(Contract):
    """A participant left the programme (their seat may go to the next on the waiting list)."""

    event_type = "lending.participant.withdrawn"

    participant_id: str
    cohort_id: str
    withdrawn_at: AwareDatetime


@contract
class ParticipantErased(Contract):
    """A participant's personal data was deleted (retention or request): forget them too."""

    event_type = "lending.participant.erased"

    participant_id: str
    erased_at: AwareDatetime


@contract
class LoanIssued(Contract):
    event_type = "lending.loan.issued"

    loan_id: str
    participant_id: str
    cohort_id: str
    device_model: str
    issued_on: date
    due_on: date


class LoanOutcome(StrEnum):
    RETURNED = "returned"
    LOST = "lost"
    DAMAGED = "damaged"


@contract
class LoanClosed(Contract):
    """A loan ended: the tablet came back (possibly damaged) or was lost."""

    event_type = "lending.loan.closed"

    loan_id: str
    participant_id: str
    cohort_id: str
    outcome: LoanOutcome
    closed_on: date


@contract
class LoanOverdue(Contract):
    event_type = "lending.loan.overdue"

    loan_id: str
    participant_id: str
    cohort_id: str
    due_on: date
    days_overdue: int = Field(ge=1)
    stage: str = Field(max_length=32)


class DeviceState(StrEnum):
    IN_STOCK = "in_stock"
    ON_LOAN = "on_loan"
    IN_REPAIR = "in_repair"
    LOST = "lost"
    RETIRED = "retired"


@contract
class DeviceStateChanged(Contract):
    """A tablet changed state (stock, loan, repair, lost, retired); keyed by device id."""

    event_type = "lending.device.state_changed"

    device_id: str
    model: str
    from_state: DeviceState | None = None
    state: DeviceState
    condition: str = Field(max_length=32)
    at: AwareDatetime


class SessionKind(StrEnum):
    EXPLANATORY = "explanatory"  # 説明会
    FOLLOW_UP = "follow_up"  # フォローアップ説明会


@contract
class SessionScheduled(Contract):
    """A session was scheduled or changed (also carries how many seats are left)."""

    event_type = "lending.session.scheduled"

    session_id: str
    cohort_id: str
    kind: SessionKind
    title: str
    venue: str
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    capacity: int = Field(ge=0)
    seats_left: int = Field(ge=0)
    cancelled: bool = False
    # The cohort area the venue is in, so a reader can put a senior's own area first; None for a
    # session scheduled without one. A code, like the enrolment's, never the venue's address.
    area_code: str | None = Field(default=None, pattern=r"^\d{5,6}$")


@contract
class SessionBooked(Contract):
    event_type = "lending.session.booked"

    session_id: str
    participant_id: str
    booked_at: AwareDatetime


@contract
class SessionBookingCancelled(Contract):
    event_type = "lending.session.booking_cancelled"

    session_id: str
    participant_id: str
    cancelled_at: AwareDatetime


@contract
class SessionAttended(Contract):
    event_type = "lending.session.attended"

    session_id: str
    participant_id: str
    attended: bool


@contract
class LinkCodeIssued(Contract):
    """A one-time code that lets a participant link their LINE account (verified by line_gateway).

    Only a salted hash of the code travels; the code itself is given to the senior on paper or by
    phone.
    """

    event_type = "lending.link_code.issued"

    participant_id: str
    code_sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="sha256(salt + code), hex")
    salt: str = Field(min_length=8)
    expires_at: AwareDatetime


@contract
class LinkCodeIssuedV2(Contract):
    """A one-time code that lets a participant link their LINE account (verified by line_gateway).

    Version 2 carries a keyed digest (services.common.link_codes: HMAC-SHA256 under the secret
    only tablet_lending and line_gateway hold) instead of v1's salted sha256, which anyone who
    can read the topic could reverse by trying all 10^8 codes. v1 events are still decoded, but
    the gateway no longer honours their codes (they were exposed); reissue them.
    """

    event_type = "lending.link_code.issued"
    version = 2

    participant_id: str
    code_digest: str = Field(
        pattern=r"^[0-9a-f]{64}$", description="HMAC-SHA256(LINK_CODE_SECRET, code), hex"
    )
    expires_at: AwareDatetime
