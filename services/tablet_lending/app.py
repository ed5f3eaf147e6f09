"""tablet_lending's process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.common.logging import get_logger
from services.common.runtime import platform_runtime
from services.common.web import create_service_app
from services.tablet_lending.api import cohorts as cohorts_api
from services.tablet_lending.domain.cohort_service import save_cohort
from services.tablet_lending.domain.cohorts import seed_cohorts
from services.tablet_lending.settings import TabletLendingSettings
from services.tablet_lending.store import CohortRepository

SERVICE = "tablet_lending"
log = get_logger(__name__)


def create_app(settings: TabletLendingSettings | None = None) -> FastAPI:
    settings = settings or TabletLendingSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with platform_runtime(
            service=SERVICE, settings=settings, indexes=[CohortRepository.indexes()]
        ) as runtime:
            cohorts = CohortRepository(runtime.store)
            app.state.cohorts = cohorts
            if settings.seed_cohorts:
                for cohort in seed_cohorts():
                    if await save_cohort(store=runtime.store, cohorts=cohorts, cohort=cohort):
                        log.info("seeded cohort", cohort_id=cohort.cohort_id)
            async with runtime.serving(app):
                yield

    return create_service_app(
        service=SERVICE,
        title="tablet_lending",
        description="Cohorts, participants, devices, six-month loans and sessions.",
        lifespan=lifespan,
        routers=[cohorts_api.router],
    )
