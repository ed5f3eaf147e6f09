"""Aggregate reports (no personal data): participation, loans, sessions, devices, read as counts.

The tables are built in `domain/reports.py`. Counts survive erasure: erasing removes personal
data, not the participant's cohort, area or status.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from services.tablet_lending.domain import reports
from services.tablet_lending.domain.loans import LoanStatus
from services.tablet_lending.store import LendingDb


async def participation(db: LendingDb, *, cohort_id: str | None = None) -> list[dict[str, Any]]:
    match = {"cohort_id": cohort_id} if cohort_id else None
    return reports.participation_table(
        await db.participants.count_by("cohort_id", "area_code", "area_name", "status", match=match)
    )


async def loans(
    db: LendingDb, *, today: date, due_soon_days: int, cohort_id: str | None = None
) -> list[dict[str, Any]]:
    base = {"cohort_id": cohort_id} if cohort_id else {}
    by_outcome = await db.loans.count_by("cohort_id", "status", "outcome", match=base or None)
    active = {**base, "status": LoanStatus.ACTIVE.value}
    soon = (today + timedelta(days=due_soon_days)).isoformat()
    by_flag = {}
    for field, match in (
        ("overdue", {**active, "due_on": {"$lt": today.isoformat()}}),
        ("due_soon", {**active, "due_on": {"$gte": today.isoformat(), "$lte": soon}}),
        ("visit_required", {**active, "visit_required": True}),
    ):
        by_flag[field] = await db.loans.count_by("cohort_id", match=match)
    return reports.loan_table(by_outcome, by_flag)


async def sessions(
    db: LendingDb, *, now: datetime, cohort_id: str | None = None
) -> list[dict[str, Any]]:
    counts = await db.registrations.summary_by_session()
    return reports.session_table(await db.sessions.find(cohort_id=cohort_id), counts, now=now)


async def devices(db: LendingDb) -> dict[str, int]:
    return await db.devices.count_by_state()
