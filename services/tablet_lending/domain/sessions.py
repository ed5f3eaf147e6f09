"""Explanatory (説明会) and follow-up (フォローアップ) sessions and their registrations."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from services.common.events.contracts.lending import SessionKind, SessionScheduled
from services.common.wording import SESSION_KIND_JA

__all__ = ["Registration", "RegistrationStatus", "Session", "SessionIn", "SessionKind"]

# The programme's names, said the same by every service (`services.common.wording`).
KIND_JA = {kind: SESSION_KIND_JA[kind.value] for kind in SessionKind}


class SessionIn(BaseModel):
    """A session as staff schedule it."""

    model_config = ConfigDict(frozen=True)

    cohort_id: str
    kind: SessionKind
    title: str = Field(min_length=1, max_length=80)
    venue: str = Field(min_length=1, max_length=120)
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    capacity: int = Field(ge=1, le=10_000)
    # Which of the cohort's areas the venue is in (JIS code): Dai-chan lists a senior's own first.
    area_code: str | None = Field(default=None, pattern=r"^\d{5,6}$")

    @model_validator(mode="after")
    def _ends_after_start(self) -> SessionIn:
        # Checked on the request too (a 422 naming the field), not only inside the transaction.
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


class Session(SessionIn):
    session_id: str
    booked: int = Field(default=0, ge=0)
    cancelled: bool = False

    def booking(
        self, participant_id: str, *, via: str, at: datetime, walk_in: bool = False
    ) -> Registration:
        """A seat booked for the participant, or, for a walk-in, attendance without one."""
        return Registration(
            session_id=self.session_id,
            participant_id=participant_id,
            cohort_id=self.cohort_id,
            kind=self.kind,
            status=RegistrationStatus.BOOKED,
            via=via,
            booked_at=at,
            walk_in=walk_in,
        )

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.booked, 0)

    def scheduled(self) -> SessionScheduled:
        return SessionScheduled(
            session_id=self.session_id,
            cohort_id=self.cohort_id,
            kind=self.kind,
            title=self.title,
            venue=self.venue,
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            capacity=self.capacity,
            seats_left=self.seats_left,
            cancelled=self.cancelled,
            area_code=self.area_code,
        )


class RegistrationStatus(StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"


class Registration(BaseModel):
    model_config = ConfigDict(frozen=True)

    session_id: str
    participant_id: str
    cohort_id: str
    kind: SessionKind
    status: RegistrationStatus
    via: str  # "line" or "staff"
    booked_at: AwareDatetime
    cancelled_at: AwareDatetime | None = None
    attended: bool | None = None
    # Recorded without a booking (a walk-in), so it never took a seat.
    walk_in: bool = False
