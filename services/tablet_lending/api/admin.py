"""Operations: run the scheduler now, and see the service's clock."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from services.tablet_lending.api.deps import LendingDep, Staff, Supervisor

router = APIRouter(prefix="/admin", tags=["operations"])


@router.post(
    "/scheduler/run",
    summary="Run a scheduler round now (reminders, escalations, retention); safe to repeat",
)
async def run_scheduler(staff: Supervisor, lending: LendingDep) -> dict[str, Any]:
    return await lending.scheduler.run_once()


class ClockOut(BaseModel):
    now: datetime
    today: date
    shifted: bool


@router.get("/clock", summary="The service's clock (shifted only in tests)")
async def clock(staff: Staff, lending: LendingDep) -> ClockOut:
    return ClockOut(
        now=lending.clock.now(), today=lending.clock.today(), shifted=lending.clock.shifted
    )
