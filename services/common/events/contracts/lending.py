"""Contracts on `lending.events`: what other services need to know about the lending programme.

They carry ids, dates and areas, never names, addresses, phone numbers or birthdates.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

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
