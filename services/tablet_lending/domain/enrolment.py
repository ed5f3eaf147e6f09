"""From application to participant: eligibility, the draw, the waiting list, withdrawal.

A cohort first collects applications (status `applied`). A supervisor then draws: when there are
no more eligible applicants than seats everyone is enrolled, otherwise a seeded, recorded draw
decides who is enrolled and in which order the others wait. After the draw, a new eligible
applicant is enrolled while seats remain and waits otherwise; a seat freed by a withdrawal goes to
the first on the waiting list at once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel, ConfigDict

from services.common.events.contracts.lending import Area
from services.tablet_lending.domain.cohorts import Allocation, Cohort
from services.tablet_lending.domain.eligibility import check_eligibility
from services.tablet_lending.domain.errors import Conflict
from services.tablet_lending.domain.participants import ApplicationIn, ParticipantStatus

LOTTERY_ALGORITHM = "sort entrants by sha256(seed + ':' + participant_id) as hex, ascending"


def lottery_order(*, seed: str, entrants: list[str]) -> list[str]:
    """The draw: reproducible by anyone from the seed and the entrants' ids alone."""
    return sorted(entrants, key=lambda pid: hashlib.sha256(f"{seed}:{pid}".encode()).hexdigest())


@dataclass(frozen=True)
class Screened:
    """An application that passed every check that does not depend on seats."""

    application: ApplicationIn
    area: Area
    natural_key: str | None
    person_key: str


@dataclass
class TakenKeys:
    """Application and person keys already used in a cohort, loaded in one query per kind for
    every application at hand (`usecases/enrolment.load_taken_keys`), and grown as applications
    are accepted in this transaction."""

    natural: set[str]
    person: set[str]


def screen(
    *, cohort: Cohort, application: ApplicationIn, taken: TakenKeys, today: date
) -> Screened:
    """Eligibility and duplicates, without a query; raises `Refused` or `Conflict`, otherwise
    reserves the application's keys in `taken`."""
    area = check_eligibility(cohort=cohort, application=application, today=today)
    natural_key = application.natural_key(cohort.cohort_id)
    if natural_key and natural_key in taken.natural:
        raise Conflict(
            "already_received",
            f"Application {application.application_number} was already received.",
            f"申込番号 {application.application_number} はすでに受け付けています。",
        )
    person_key = application.personal.person_key(cohort.cohort_id)
    if person_key in taken.person:
        raise Conflict(
            "duplicate_person",
            "The same person (kana and birthdate) has already applied to this cohort.",
            f"同じ方（フリガナと生年月日が同じ）の{cohort.name}への申込がすでにあります。",
        )
    if natural_key:
        taken.natural.add(natural_key)
    taken.person.add(person_key)
    return Screened(
        application=application, area=area, natural_key=natural_key, person_key=person_key
    )


class Seats:
    """A cohort's allocation as one transaction changes it: read (and locked) once, written once.

    Writing the allocation document once per application would also be correct, but thousands
    of updates to one document in one transaction (a large file) slow MongoDB down
    quadratically; a file is placed in memory and the document written at the end.
    """

    def __init__(self, cohort: Cohort, allocation: Allocation) -> None:
        self._capacity = cohort.capacity
        self.drawn = allocation.drawn
        self.enrolled_before = allocation.enrolled
        self.enrolled = allocation.enrolled
        self.last_position = allocation.last_position

    def place(self) -> tuple[ParticipantStatus, int | None]:
        if not self.drawn:
            return ParticipantStatus.APPLIED, None
        if self.enrolled < self._capacity:
            self.enrolled += 1
            return ParticipantStatus.ENROLLED, None
        self.last_position += 1
        return ParticipantStatus.WAITLISTED, self.last_position

    @property
    def enrolled_delta(self) -> int:
        return self.enrolled - self.enrolled_before


class PersonalUpdate(BaseModel):
    """Corrections staff make (a new phone number, a misspelt name); unset fields stay."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    family_name: str | None = None
    given_name: str | None = None
    family_name_kana: str | None = None
    given_name_kana: str | None = None
    birthdate: date | None = None
    address: str | None = None
    postal_code: str | None = None
    phone: str | None = None
