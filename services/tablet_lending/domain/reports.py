"""Aggregate reports (no personal data): the tables built from counts, one function a report.

`usecases/reports.py` reads the counts; the same tables feed the `/reports` endpoints, their CSV
exports and the Prometheus gauges, so a dashboard and a report never disagree.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from services.tablet_lending.domain.loans import LoanStatus
from services.tablet_lending.domain.participants import ParticipantStatus
from services.tablet_lending.domain.sessions import Session

PARTICIPATION_COLUMNS = ["cohort_id", "area_code", "area_name", *map(str, ParticipantStatus)]
LOAN_COLUMNS = [
    "cohort_id",
    "active",
    "due_soon",
    "overdue",
    "visit_required",
    "returned",
    "damaged",
    "lost",
]
SESSION_COLUMNS = [
    "session_id",
    "cohort_id",
    "kind",
    "title",
    "starts_at",
    "cancelled",
    "capacity",
    "booked",
    "walk_ins",
    "attended",
    "fill_ratio",
    "attendance_ratio",
]


def participation_table(counts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Participants by cohort and area, a column per status, from counts by all four."""
    table: dict[tuple[str, str], dict[str, Any]] = {}
    for row in counts:
        key = (row["cohort_id"], row["area_code"])
        entry = table.setdefault(
            key,
            {
                "cohort_id": row["cohort_id"],
                "area_code": row["area_code"],
                "area_name": row["area_name"],
                **{status.value: 0 for status in ParticipantStatus},
            },
        )
        entry[row["status"]] += row["count"]
    return [table[key] for key in sorted(table)]


def loan_table(
    by_outcome: list[dict[str, Any]], by_flag: dict[str, list[dict[str, Any]]]
) -> list[dict[str, Any]]:
    """Loans by cohort: counts by status and outcome, then each flag's (overdue, due soon,
    visit required) counts of active loans."""
    table: dict[str, dict[str, Any]] = defaultdict(dict)

    def entry(cohort: str) -> dict[str, Any]:
        row = table[cohort]
        if not row:
            row.update({column: 0 for column in LOAN_COLUMNS})
            row["cohort_id"] = cohort
        return row

    for row in by_outcome:
        if row["status"] == LoanStatus.ACTIVE.value:
            entry(row["cohort_id"])["active"] += row["count"]
        elif row["status"] == LoanStatus.LOST.value:
            entry(row["cohort_id"])["lost"] += row["count"]
        elif row.get("outcome") == "damaged":
            entry(row["cohort_id"])["damaged"] += row["count"]
        else:
            entry(row["cohort_id"])["returned"] += row["count"]
    for field, rows in by_flag.items():
        for row in rows:
            entry(row["cohort_id"])[field] += row["count"]
    return [table[cohort] for cohort in sorted(table)]


def session_table(
    sessions: list[Session], counts: dict[str, dict[str, int]], *, now: datetime
) -> list[dict[str, Any]]:
    """Fill counts every seat taken (bookings and walk-ins); attendance is over those who
    registered, for sessions that have started."""
    rows = []
    for session in sessions:
        summary = counts.get(session.session_id, {})
        walk_ins, attended = summary.get("walk_ins", 0), summary.get("attended", 0)
        taken = session.booked + walk_ins
        started = session.starts_at <= now
        rows.append(
            {
                "session_id": session.session_id,
                "cohort_id": session.cohort_id,
                "kind": session.kind.value,
                "title": session.title,
                "starts_at": session.starts_at.isoformat(),
                "cancelled": session.cancelled,
                "capacity": session.capacity,
                "booked": session.booked,
                "walk_ins": walk_ins,
                "attended": attended,
                "fill_ratio": round(taken / session.capacity, 3),
                "attendance_ratio": round(attended / taken, 3) if started and taken else None,
            }
        )
    return rows


def session_totals_by_cohort(rows: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Fill over the sessions that are not cancelled; attendance over those that started."""
    totals: dict[str, dict[str, float]] = defaultdict(
        lambda: {"capacity": 0, "taken": 0, "started_taken": 0, "attended": 0}
    )
    for row in rows:
        if row["cancelled"]:
            continue
        total = totals[row["cohort_id"]]
        taken = row["booked"] + row["walk_ins"]
        total["capacity"] += row["capacity"]
        total["taken"] += taken
        if row["attendance_ratio"] is not None:
            total["started_taken"] += taken
            total["attended"] += row["attended"]
    return {
        cohort: {
            "fill_ratio": total["taken"] / total["capacity"] if total["capacity"] else 0.0,
            "attendance_ratio": (
                total["attended"] / total["started_taken"] if total["started_taken"] else 0.0
            ),
        }
        for cohort, total in totals.items()
    }
