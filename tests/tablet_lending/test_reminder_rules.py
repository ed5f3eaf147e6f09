"""When reminders are due, and how replies use the reply token (pure rules)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from services.common.time import JST, utcnow
from services.tablet_lending.domain.loans import OverdueStage
from services.tablet_lending.domain.messages import send
from services.tablet_lending.domain.reminders import (
    loan_stage,
    session_reminder_due,
    within_hours,
)

DUE = date(2026, 6, 30)


def stage(today: date) -> tuple[str, int] | None:
    found = loan_stage(
        due_on=DUE, today=today, days_before=(14, 7, 1), call_after=7, visit_after=14
    )
    return (found.name, found.days) if found else None


@pytest.mark.parametrize(
    ("days_before_due", "expected"),
    [
        (20, None),
        (15, None),
        (14, ("due_14", 14)),
        (8, ("due_14", 8)),
        (7, ("due_7", 7)),
        (2, ("due_7", 2)),
        (1, ("due_1", 1)),
        (0, ("due_1", 0)),
        (-1, ("overdue_message", 1)),
        (-6, ("overdue_message", 6)),
        (-7, ("overdue_call", 7)),
        (-13, ("overdue_call", 13)),
        (-14, ("overdue_visit", 14)),
        (-90, ("overdue_visit", 90)),
    ],
)
def test_only_the_latest_stage_reached_is_due(
    days_before_due: int, expected: tuple[str, int] | None
) -> None:
    assert stage(DUE - timedelta(days=days_before_due)) == expected


def test_overdue_stages_name_the_escalation() -> None:
    found = loan_stage(
        due_on=DUE, today=DUE + timedelta(days=30), days_before=(7,), call_after=7, visit_after=14
    )
    assert found is not None
    assert found.overdue is OverdueStage.VISIT


def test_reminder_hours_are_japan_time() -> None:
    nine_jst = datetime(2026, 5, 1, 9, 0, tzinfo=JST)
    assert within_hours(nine_jst, (9, 19))
    assert not within_hours(nine_jst - timedelta(minutes=1), (9, 19))
    assert not within_hours(datetime(2026, 5, 1, 10, 0, tzinfo=UTC), (9, 19))  # 19:00 JST


def test_session_reminders_the_day_before_for_earlier_bookings() -> None:
    today = date(2026, 5, 11)
    starts = datetime(2026, 5, 12, 14, 0, tzinfo=JST)
    earlier = datetime(2026, 5, 1, 10, 0, tzinfo=JST)
    assert session_reminder_due(starts_at=starts, booked_at=earlier, today=today)
    booked_today = datetime(2026, 5, 11, 8, 0, tzinfo=JST)
    assert not session_reminder_due(starts_at=starts, booked_at=booked_today, today=today)
    assert not session_reminder_due(starts_at=starts, booked_at=earlier, today=date(2026, 5, 10))


def test_a_reply_token_is_used_only_while_valid() -> None:
    fresh = send(
        user_id="U1",
        text="こんにちは",
        purpose="lending.booking",
        reply_token="token",
        reply_token_expires_at=utcnow() + timedelta(seconds=30),
    )
    assert fresh.reply_token == "token"
    assert fresh.priority.value == "service"
    stale = send(
        user_id="U1",
        text="こんにちは",
        purpose="lending.booking",
        reply_token="token",
        reply_token_expires_at=utcnow() - timedelta(seconds=1),
    )
    assert stale.reply_token is None
    assert stale.reply_token_expires_at is None
