"""The helpdesk's calendar as both services read it: open now, and when it next opens."""

from __future__ import annotations

from datetime import datetime

import pytest

from services.common.calendar import BusinessCalendar
from services.common.time import JST

DESK = BusinessCalendar()  # 09:00-17:00 JST, Monday to Friday, holidays closed


def jst(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=JST)


@pytest.mark.parametrize(
    ("at", "is_open"),
    [
        (jst(2026, 12, 2, 10, 0), True),  # Wednesday morning
        (jst(2026, 12, 2, 9, 0), True),  # the opening minute counts
        (jst(2026, 12, 2, 8, 59), False),
        (jst(2026, 12, 2, 17, 0), False),  # the closing minute does not
        (jst(2026, 12, 5, 11, 0), False),  # Saturday
        (jst(2026, 11, 23, 11, 0), False),  # 勤労感謝の日, a Monday
        (jst(2026, 12, 30, 11, 0), False),  # the year-end break
    ],
)
def test_open_at_a_moment(at: datetime, is_open: bool) -> None:
    assert DESK.is_open(at) is is_open


@pytest.mark.parametrize(
    ("at", "opens"),
    [
        (jst(2026, 12, 2, 10, 0), jst(2026, 12, 2, 10, 0)),  # open: now
        (jst(2026, 12, 2, 3, 20), jst(2026, 12, 2, 9, 0)),  # before dawn: this morning
        (jst(2026, 12, 2, 17, 0), jst(2026, 12, 3, 9, 0)),  # after closing: tomorrow
        (jst(2026, 12, 4, 17, 30), jst(2026, 12, 7, 9, 0)),  # Friday evening: Monday
        (jst(2026, 11, 21, 18, 0), jst(2026, 11, 24, 9, 0)),  # Saturday, Monday a holiday
        (jst(2026, 12, 28, 18, 0), jst(2027, 1, 4, 9, 0)),  # over the year-end break
    ],
)
def test_next_opening(at: datetime, opens: datetime) -> None:
    assert DESK.next_opening(at) == opens


def test_a_desk_that_never_closes_is_always_open() -> None:
    always = BusinessCalendar.from_settings("00:00-24:00", "mon-sun", observe_holidays=False)
    moment = jst(2027, 1, 1, 3, 0)
    assert always.is_open(moment)
    assert always.next_opening(moment) == moment


def test_holidays_not_observed_leave_the_weekday_open() -> None:
    desk = BusinessCalendar.from_settings("09:00-17:00", "mon-fri", observe_holidays=False)
    assert desk.is_open(jst(2026, 11, 23, 11, 0))
