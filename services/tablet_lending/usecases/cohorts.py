"""Cohort rules: saving a cohort publishes it, and saving the same cohort again changes nothing."""

from __future__ import annotations

from services.common.store import Tx
from services.common.usecases import transactional
from services.tablet_lending.domain.cohorts import Cohort
from services.tablet_lending.domain.errors import Conflict
from services.tablet_lending.store import LendingDb
from services.tablet_lending.usecases.outbox import publish


@transactional
async def save_cohort(db: LendingDb, tx: Tx, *, cohort: Cohort) -> bool:
    """Create or update a cohort; returns False (and publishes nothing) if nothing changed."""
    if await db.cohorts.get(cohort.cohort_id, tx) == cohort:
        return False
    await _write(tx, db=db, cohort=cohort)
    return True


@transactional
async def create_cohort(db: LendingDb, tx: Tx, *, cohort: Cohort) -> Cohort:
    """A new phase from the admin API; an existing id is refused, never overwritten."""
    if await db.cohorts.get(cohort.cohort_id, tx) is not None:
        raise Conflict(
            "cohort_exists",
            f"Cohort {cohort.cohort_id} already exists.",
            f"期「{cohort.cohort_id}」はすでにあります。",
        )
    await _write(tx, db=db, cohort=cohort)
    return cohort


async def _write(tx: Tx, *, db: LendingDb, cohort: Cohort) -> None:
    await db.cohorts.save(tx, cohort)
    await publish(tx, key=cohort.cohort_id, data=cohort.published())
