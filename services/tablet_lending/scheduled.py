"""Periodic work inside the service: reminders and escalations, retention, metrics gauges.

The scheduler runs every `scheduler_interval_seconds` (and on demand from the admin API). Only
one instance runs it at a time (a MongoDB lease), and within an instance rounds never overlap;
even so, exactly-once does not rest on that: every reminder is guarded by its own record in the
same transaction as its event (see `usecases/reminders.py`). Schedules survive restarts
because nothing is scheduled in memory: each round recomputes what is due from the loans and
sessions in MongoDB and what was already sent.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from services.common.auth import AuditLog
from services.common.logging import get_logger
from services.common.store.outbox import Lease
from services.tablet_lending.domain.clock import Clock
from services.tablet_lending.domain.reminders import within_hours
from services.tablet_lending.domain.reports import session_totals_by_cohort
from services.tablet_lending.metrics import (
    GAUGES,
    LOANS_ACTIVE,
    LOANS_DUE_SOON,
    LOANS_LOST,
    LOANS_OVERDUE,
    LOANS_RETURNED,
    PARTICIPANTS,
    PARTICIPANTS_BY_AREA,
    SCHEDULER_RUNS,
    SESSION_ATTENDANCE,
    SESSION_FILL,
    WAITLISTED,
)
from services.tablet_lending.settings import TabletLendingSettings
from services.tablet_lending.store import LendingDb
from services.tablet_lending.usecases import reports
from services.tablet_lending.usecases.reminders import (
    ReminderPolicy,
    send_loan_reminders,
    send_session_reminders,
)
from services.tablet_lending.usecases.retention import run_retention

log = get_logger(__name__)


class Scheduler:
    def __init__(
        self,
        *,
        db: LendingDb,
        audit: AuditLog,
        clock: Clock,
        settings: TabletLendingSettings,
    ) -> None:
        self._db = db
        self._audit = audit
        self._clock = clock
        self._settings = settings
        self._policy = ReminderPolicy(
            days_before=settings.reminder_days_before,
            call_after=settings.overdue_call_after_days,
            visit_after=settings.overdue_visit_after_days,
        )
        ttl = timedelta(seconds=max(30.0, settings.scheduler_interval_seconds * 3))
        self._lease = Lease(
            db.store, name="tablet-lending-scheduler", owner=settings.instance_id, ttl=ttl
        )
        self._round = asyncio.Lock()
        self._stopping = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._every(self._settings.scheduler_interval_seconds, self._tick)),
            asyncio.create_task(
                self._every(self._settings.metrics_interval_seconds, self.refresh_metrics)
            ),
        ]

    async def stop(self) -> None:
        self._stopping.set()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        with contextlib.suppress(Exception):
            await self._lease.release()

    async def _every(self, seconds: float, job: Callable[[], Awaitable[object]]) -> None:
        while not self._stopping.is_set():
            try:
                await job()
            except Exception:
                # Logged and counted; the next round tries again (nothing is lost: every round
                # recomputes what is due).
                SCHEDULER_RUNS.labels("failed").inc()
                log.exception("scheduled job failed", job=job.__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=seconds)

    async def _tick(self) -> None:
        await self.run_once()

    async def run_once(self) -> dict[str, Any]:
        """One round: reminders (in the allowed hours), escalations, retention, gauges."""
        async with self._round:
            if not await self._lease.acquire_or_renew():
                SCHEDULER_RUNS.labels("skipped_lease").inc()
                return {"ran": False, "reason": "another instance holds the scheduler lease"}
            now, today = self._clock.now(), self._clock.today()
            report: dict[str, Any] = {"ran": True, "at": now.isoformat(), "today": str(today)}
            if within_hours(now, self._settings.reminder_hours_jst):
                report["loan_reminders"] = await send_loan_reminders(
                    db=self._db, policy=self._policy, now=now, today=today
                )
                report["session_reminders"] = await send_session_reminders(
                    db=self._db, now=now, today=today
                )
            else:
                report["reminders"] = "outside reminder hours"
            retention = await run_retention(
                db=self._db,
                audit=self._audit,
                today=today,
                now=now,
                days_after_end=self._settings.retention_days_after_cohort_end,
            )
            report["erased"], report["erasure_blocked"] = retention.erased, retention.blocked
            await self.refresh_metrics()
            SCHEDULER_RUNS.labels("ran").inc()
            return report

    async def refresh_metrics(self) -> None:
        """Gauges from MongoDB, so every instance reports the same truth (aggregate with max)."""
        now, today = self._clock.now(), self._clock.today()
        cohorts = [cohort.cohort_id for cohort in await self._db.cohorts.list()]
        enrolled: dict[str, int] = dict.fromkeys(cohorts, 0)
        waiting: dict[str, int] = dict.fromkeys(cohorts, 0)
        by_area: dict[tuple[str, str], int] = {}
        for row in await reports.participation(self._db):
            enrolled[row["cohort_id"]] = enrolled.get(row["cohort_id"], 0) + row["enrolled"]
            waiting[row["cohort_id"]] = waiting.get(row["cohort_id"], 0) + row["waitlisted"]
            key = (row["cohort_id"], row["area_name"] or row["area_code"])
            by_area[key] = by_area.get(key, 0) + row["enrolled"]
        loans = {
            row["cohort_id"]: row
            for row in await reports.loans(
                self._db, today=today, due_soon_days=self._settings.due_soon_days
            )
        }
        sessions = session_totals_by_cohort(await reports.sessions(self._db, now=now))
        for gauge in GAUGES:
            gauge.clear()
        for cohort in cohorts:
            PARTICIPANTS.labels(cohort).set(enrolled.get(cohort, 0))
            WAITLISTED.labels(cohort).set(waiting.get(cohort, 0))
            row = loans.get(cohort, {})
            LOANS_ACTIVE.labels(cohort).set(row.get("active", 0))
            LOANS_DUE_SOON.labels(cohort).set(row.get("due_soon", 0))
            LOANS_OVERDUE.labels(cohort).set(row.get("overdue", 0))
            LOANS_RETURNED.labels(cohort).set(row.get("returned", 0) + row.get("damaged", 0))
            LOANS_LOST.labels(cohort).set(row.get("lost", 0))
            totals = sessions.get(cohort, {})
            SESSION_FILL.labels(cohort).set(totals.get("fill_ratio", 0.0))
            SESSION_ATTENDANCE.labels(cohort).set(totals.get("attendance_ratio", 0.0))
        for (cohort, area), count in by_area.items():
            PARTICIPANTS_BY_AREA.labels(cohort, area).set(count)
