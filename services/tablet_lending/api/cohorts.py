"""Cohort endpoints. Cohorts are public programme facts (areas, dates), not personal data."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from services.common.logging import get_logger
from services.tablet_lending.api.deps import LendingDep, Operator, Staff, Supervisor
from services.tablet_lending.domain.cohorts import Allocation, Cohort
from services.tablet_lending.domain.errors import Refused, not_found
from services.tablet_lending.store import CohortRepository
from services.tablet_lending.usecases import enrolment
from services.tablet_lending.usecases.cohorts import create_cohort

router = APIRouter(tags=["cohorts"])
log = get_logger(__name__)


@router.get("/cohorts", summary="List lending cohorts (phases)")
async def list_cohorts(request: Request) -> list[Cohort]:
    repository: CohortRepository = request.app.state.cohorts
    return await repository.list()


@router.post("/cohorts", status_code=201, summary="Create a new cohort (phase)")
async def create(cohort: Cohort, staff: Operator, lending: LendingDep) -> Cohort:
    if cohort.demo:
        raise Refused(
            "demo_cohort",
            "Demo cohorts come only from the demo seed.",
            "デモ用の期は作成できません。",
        )
    created = await create_cohort(lending.db, cohort=cohort)
    log.info("cohort created", cohort_id=cohort.cohort_id, staff_id=staff.sub)
    return created


class CohortStatus(BaseModel):
    cohort: Cohort
    drawn: bool
    lottery_id: str | None
    enrolled: int
    seats_left: int


def _status(cohort: Cohort, allocation: Allocation | None) -> CohortStatus:
    enrolled = allocation.enrolled if allocation else 0
    return CohortStatus(
        cohort=cohort,
        drawn=bool(allocation and allocation.drawn),
        lottery_id=allocation.lottery_id if allocation else None,
        enrolled=enrolled,
        seats_left=max(cohort.capacity - enrolled, 0),
    )


@router.get("/cohorts/{cohort_id}", summary="A cohort with its allocation (draw, seats)")
async def get_cohort(cohort_id: str, staff: Staff, lending: LendingDep) -> CohortStatus:
    cohort = await enrolment.cohort_or_404(lending.db, cohort_id)
    return _status(cohort, await lending.db.allocations.get(cohort_id))


@router.get(
    "/reports/cohorts",
    tags=["reports"],
    summary="Every cohort with its seats and draw state, in one answer (the console's overview)",
)
async def cohort_overview(staff: Staff, lending: LendingDep) -> list[CohortStatus]:
    allocations = await lending.db.allocations.all()
    return [
        _status(cohort, allocations.get(cohort.cohort_id))
        for cohort in await lending.db.cohorts.list()
    ]


class DrawIn(BaseModel):
    seed: str | None = Field(
        default=None,
        min_length=8,
        max_length=128,
        description="leave out for a random seed; either way it is recorded with the result",
    )


@router.post(
    "/cohorts/{cohort_id}/lottery",
    status_code=201,
    summary="Draw: enrol applicants up to capacity (by lot when oversubscribed); others wait",
)
async def draw(
    cohort_id: str, body: DrawIn, staff: Supervisor, lending: LendingDep
) -> dict[str, Any]:
    record = await enrolment.draw(
        lending.db,
        cohort_id=cohort_id,
        seed=body.seed,
        actor=staff.sub,
        now=lending.clock.now(),
    )
    log.info("lottery drawn", cohort_id=cohort_id, lottery_id=record["_id"], staff_id=staff.sub)
    return _lottery_view(record)


@router.get("/lotteries/{lottery_id}", summary="A draw's seed, entrants and order, for audit")
async def get_lottery(lottery_id: str, staff: Supervisor, lending: LendingDep) -> dict[str, Any]:
    record = await lending.db.lotteries.get(lottery_id)
    if record is None:
        raise not_found("lottery", "抽選", lottery_id)
    return _lottery_view(record)


def _lottery_view(record: dict[str, Any]) -> dict[str, Any]:
    view = {key: value for key, value in record.items() if key != "_id"}
    return {"lottery_id": record["_id"], **view}
