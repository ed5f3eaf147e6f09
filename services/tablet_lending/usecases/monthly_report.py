"""The monthly report the programme office hands to the council (no personal data).

Two kinds of figures, labelled as such on the sheet: what happened *in the month* (applications,
enrolments, withdrawals, loans issued and closed, sessions held) counted from the dates the
records keep, and where things stand *when the report is made* (participants by status, active
and overdue loans, tablets by state), from the same functions as `/reports`, so the report and
the console's charts never disagree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from services.common.time import JST
from services.tablet_lending.domain.errors import Refused
from services.tablet_lending.domain.loans import LoanStatus
from services.tablet_lending.store import LendingDb
from services.tablet_lending.usecases import reports

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")

FLOW_COLUMNS = [
    "cohort_id",
    "applications",
    "enrolled",
    "withdrawn",
    "loans_issued",
    "loans_returned",
    "loans_damaged",
    "loans_lost",
]


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        match = _MONTH.match(text)
        # Bounded years: 9999-12 would need a first day of year 10000, which no date has.
        if not match or not 1 <= int(match[2]) <= 12 or not 2000 <= int(match[1]) <= 2100:
            raise Refused(
                "invalid_month",
                "A month is written YYYY-MM, e.g. 2026-04.",
                "月は 2026-04 のように 年-月 で指定してください。",
            )
        return cls(int(match[1]), int(match[2]))

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def next_first_day(self) -> date:
        return date(self.year + self.month // 12, self.month % 12 + 1, 1)

    def starts_at(self) -> datetime:
        return datetime.combine(self.first_day, datetime.min.time(), JST)

    def ends_at(self) -> datetime:
        return datetime.combine(self.next_first_day, datetime.min.time(), JST)

    @property
    def label_ja(self) -> str:
        return f"{self.year}年{self.month}月"

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True)
class MonthlyReport:
    month: Month
    made_at: datetime
    cohorts: list[dict[str, Any]]
    flows: list[dict[str, Any]]
    participation: list[dict[str, Any]]
    loans: list[dict[str, Any]]
    sessions: list[dict[str, Any]]
    devices: dict[str, int]


async def monthly_report(
    db: LendingDb,
    *,
    month: Month,
    now: datetime,
    today: date,
    due_soon_days: int,
    cohort_id: str | None = None,
) -> MonthlyReport:
    base: dict[str, Any] = {"cohort_id": cohort_id} if cohort_id else {}
    instants = {"$gte": month.starts_at(), "$lt": month.ends_at()}
    days = {"$gte": month.first_day.isoformat(), "$lt": month.next_first_day.isoformat()}
    flows: dict[str, dict[str, Any]] = {}

    def add(cohort: str, column: str, count: int) -> None:
        row = flows.setdefault(cohort, {name: 0 for name in FLOW_COLUMNS} | {"cohort_id": cohort})
        row[column] += count

    for column, field in (
        ("applications", "applied_at"),
        ("enrolled", "enrolled_at"),
        ("withdrawn", "withdrawn_at"),
    ):
        for row in await db.participants.count_by("cohort_id", match={**base, field: instants}):
            add(row["cohort_id"], column, row["count"])
    for row in await db.loans.count_by("cohort_id", match={**base, "issued_on": days}):
        add(row["cohort_id"], "loans_issued", row["count"])
    closed = {**base, "closed_on": days}
    for row in await db.loans.count_by("cohort_id", "status", "outcome", match=closed):
        if row["status"] == LoanStatus.LOST.value:
            add(row["cohort_id"], "loans_lost", row["count"])
        elif row.get("outcome") == "damaged":
            add(row["cohort_id"], "loans_damaged", row["count"])
        else:
            add(row["cohort_id"], "loans_returned", row["count"])

    cohorts = [
        {
            "cohort_id": cohort.cohort_id,
            "name": cohort.name,
            "areas": cohort.area_names_ja(),
            "lending_starts_on": cohort.lending_starts_on.isoformat(),
            "lending_ends_on": cohort.lending_ends_on.isoformat(),
            "capacity": cohort.capacity,
        }
        for cohort in await db.cohorts.list()
        if not cohort_id or cohort.cohort_id == cohort_id
    ]
    held = [
        row
        for row in await reports.sessions(db, now=now, cohort_id=cohort_id)
        if month.starts_at() <= datetime.fromisoformat(row["starts_at"]) < month.ends_at()
    ]
    return MonthlyReport(
        month=month,
        made_at=now,
        cohorts=cohorts,
        flows=[flows[key] for key in sorted(flows)],
        participation=await reports.participation(db, cohort_id=cohort_id),
        loans=await reports.loans(
            db, today=today, due_soon_days=due_soon_days, cohort_id=cohort_id
        ),
        sessions=held,
        devices=await reports.devices(db),
    )
