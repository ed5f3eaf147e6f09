"""Cohort rules: saving a cohort publishes it, and saving the same cohort again changes nothing."""

from __future__ import annotations

from services.common.events.envelope import new_event
from services.common.kafka.topics import LENDING_EVENTS
from services.common.store import MongoStore, Tx
from services.tablet_lending.domain.cohorts import Cohort
from services.tablet_lending.domain.errors import Conflict
from services.tablet_lending.store import CohortRepository

SOURCE = "tablet_lending"


async def save_cohort(*, store: MongoStore, cohorts: CohortRepository, cohort: Cohort) -> bool:
    """Create or update a cohort; returns False (and publishes nothing) if nothing changed."""

    async def work(tx: Tx) -> bool:
        if await cohorts.get(cohort.cohort_id, tx) == cohort:
            return False
        await cohorts.save(tx, cohort)
        await tx.emit(
            topic=LENDING_EVENTS,
            key=cohort.cohort_id,
            event=new_event(cohort.published(), source=SOURCE),
        )
        return True

    return await store.transaction(work)


async def create_cohort(*, store: MongoStore, cohorts: CohortRepository, cohort: Cohort) -> Cohort:
    """A new phase from the admin API; an existing id is refused, never overwritten."""

    async def work(tx: Tx) -> Cohort:
        if await cohorts.get(cohort.cohort_id, tx) is not None:
            raise Conflict(
                "cohort_exists",
                f"Cohort {cohort.cohort_id} already exists.",
                f"期「{cohort.cohort_id}」はすでにあります。",
            )
        await cohorts.save(tx, cohort)
        await tx.emit(
            topic=LENDING_EVENTS,
            key=cohort.cohort_id,
            event=new_event(cohort.published(), source=SOURCE),
        )
        return cohort

    return await store.transaction(work)
