"""When a reminder is due: pure rules over dates, tested without a clock or a database.

Loans: before the due date a reminder at each of `days_before` (14, 7, 1 days); after it, an
escalation in stages: a message (LINE, or a call task without LINE) from the first day, a phone
call from `call_after` days, a visit from `visit_after` days. Only the latest stage reached is
sent: after a pause (the service was down) a senior gets today's reminder, not a backlog.

Sessions: the day before, for bookings made before today (a booking made today has just been
confirmed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from services.common.time import JST
from services.tablet_lending.domain.loans import OverdueStage


@dataclass(frozen=True)
class LoanStage:
    name: str  # "due_7", "overdue_call", ... (part of the reminder id, so never renamed)
    overdue: OverdueStage | None
    days: int  # days left (0 on the due date) or days overdue


def loan_stage(
    *,
    due_on: date,
    today: date,
    days_before: tuple[int, ...],
    call_after: int,
    visit_after: int,
) -> LoanStage | None:
    if today <= due_on:
        left = (due_on - today).days
        reached = [days for days in days_before if left <= days]
        if not reached:
            return None
        return LoanStage(f"due_{min(reached)}", None, left)
    overdue = (today - due_on).days
    if overdue >= visit_after:
        stage = OverdueStage.VISIT
    elif overdue >= call_after:
        stage = OverdueStage.CALL
    else:
        stage = OverdueStage.MESSAGE
    return LoanStage(f"overdue_{stage.value}", stage, overdue)


def loan_reminder_id(loan_id: str, stage: LoanStage) -> str:
    return f"loan:{loan_id}:{stage.name}"


def session_reminder_id(session_id: str, participant_id: str) -> str:
    return f"session:{session_id}:{participant_id}:day_before"


def within_hours(now: datetime, hours: tuple[int, int]) -> bool:
    """Seniors are messaged and called only in the day (Japan time)."""
    start, end = hours
    return start <= now.astimezone(JST).hour < end


def day_in_japan(day: date) -> tuple[datetime, datetime]:
    """The instants a Japanese calendar day starts and ends."""
    start = datetime.combine(day, time(0), tzinfo=JST)
    return start, start + timedelta(days=1)


def session_reminder_due(*, starts_at: datetime, booked_at: datetime, today: date) -> bool:
    tomorrow = today + timedelta(days=1)
    return starts_at.astimezone(JST).date() == tomorrow and booked_at.astimezone(JST).date() < today
