"""Cohorts (lending phases): who may borrow, where, and when."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.common.events.contracts.lending import Area, CohortPublished


class PlannedSessions(BaseModel):
    model_config = ConfigDict(frozen=True)

    explanatory: int = Field(ge=0, le=1000)
    follow_up: int = Field(ge=0, le=1000)


class Cohort(BaseModel):
    model_config = ConfigDict(frozen=True)

    cohort_id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,40}$")
    name: str = Field(min_length=1, max_length=40)
    areas: list[Area] = Field(min_length=1)
    lending_starts_on: date
    lending_ends_on: date
    minimum_age: int = Field(default=50, ge=0, le=120)
    # Bounded: a number past 64 bits reached MongoDB and was a 500; no cohort lends 100,000.
    capacity: int = Field(ge=1, le=100_000)
    # Each loan lasts this many calendar months, cut short by the end of the lending window.
    loan_months: int = Field(default=6, ge=1, le=24)
    # The version of the lending terms applicants of this cohort agree to.
    terms_version: str = Field(default="v1", min_length=1, max_length=40)
    planned_sessions: PlannedSessions | None = None
    source: str | None = None
    # A fictional cohort for demonstrations, never real people.
    demo: bool = False

    @model_validator(mode="after")
    def _window_is_ordered(self) -> Cohort:
        if self.lending_ends_on <= self.lending_starts_on:
            raise ValueError("lending_ends_on must be after lending_starts_on")
        codes = [area.code for area in self.areas]
        if len(set(codes)) != len(codes):
            raise ValueError("each area may appear only once")
        return self

    def area(self, code: str) -> Area | None:
        return next((area for area in self.areas if area.code == code), None)

    def area_names_ja(self) -> str:
        return "、".join(area.name for area in self.areas)

    def published(self) -> CohortPublished:
        return CohortPublished(
            cohort_id=self.cohort_id,
            name=self.name,
            areas=self.areas,
            lending_starts_on=self.lending_starts_on,
            lending_ends_on=self.lending_ends_on,
            minimum_age=self.minimum_age,
            capacity=self.capacity,
        )


def seed_cohorts() -> list[Cohort]:
    raw = resources.files("services.tablet_lending.seed").joinpath("cohorts.json").read_text()
    return [Cohort.model_validate(item) for item in json.loads(raw)]


@dataclass(frozen=True)
class Allocation:
    """A cohort's seats as drawn and taken (one document, `store/allocations.py`)."""

    cohort_id: str
    drawn: bool
    lottery_id: str | None
    enrolled: int
    last_position: int
