"""Cohort endpoints. Cohorts are public programme facts (areas, dates), not personal data."""

from __future__ import annotations

from fastapi import APIRouter, Request

from services.tablet_lending.domain.cohorts import Cohort
from services.tablet_lending.store import CohortRepository

router = APIRouter(prefix="/cohorts", tags=["cohorts"])


@router.get("", summary="List lending cohorts (phases)")
async def list_cohorts(request: Request) -> list[Cohort]:
    repository: CohortRepository = request.app.state.cohorts
    return await repository.list()
