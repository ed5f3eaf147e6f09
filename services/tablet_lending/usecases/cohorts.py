"""Cohort rules: saving a cohort publishes it, and saving the same cohort again changes nothing."""

from __future__ import annotations

from services.common.store import MongoStore, Tx
from services.common.usecase import commit
from services.tablet_lending.domain.cohorts import Cohort
from services.tablet_lending.domain.errors import Conflict
from services.tablet_lending.store import CohortRepository
from services.tablet_lending.usecases.outbox import publish


async def save_cohort(*, store: MongoStore, cohorts: CohortRepository, cohort: Cohort) -> bool:
    """Create or update a cohort; returns False (and publishes nothing) if nothing changed."""
    return await commit(store, _save, cohorts=cohorts, cohort=cohort)


async def create_cohort(*, store: MongoStore, cohorts: CohortRepository, cohort: Cohort) -> Cohort:
    """A new phase from the admin API; an existing id is refused, never overwritten."""
    return await commit(store, _create, cohorts=cohorts, cohort=cohort)


async def _save(tx: Tx, *, cohorts: CohortRepository, cohort: Cohort) -> bool:
    if await cohorts.get(cohort.cohort_id, tx) == cohort:
        return False
    await _write(tx, cohorts=cohorts, cohort=cohort)
    return True


async def _create(tx: Tx, *, cohorts: CohortRepository, cohort: Cohort) -> Cohort:
    if await cohorts.get(cohort.cohort_id, tx) is not None:
        raise Conflict(
            "cohort_exists",
            f"Cohort {cohort.cohort_id} already exists.",
            f"期「{cohort.cohort_id}」はすでにあります。",
        )
    await _write(tx, cohorts=cohorts, cohort=cohort)
    return cohort


async def _write(tx: Tx, *, cohorts: CohortRepository, cohort: Cohort) -> None:
    await cohorts.save(tx, cohort)
    await publish(tx, key=cohort.cohort_id, data=cohort.published())
