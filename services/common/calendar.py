"""The helpdesk's opening hours, in Japan time, with Japanese public holidays.

One calendar for every service that speaks of the helpdesk's hours: the helpdesk's SLA clocks
count business time with it, and Dai-chan says from it when a person will answer. Both read the
same settings (`HELPDESK_BUSINESS_HOURS`, `HELPDESK_BUSINESS_DAYS`,
`HELPDESK_OBSERVE_HOLIDAYS`), so what Dai-chan promises and what the helpdesk measures agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import jpholiday

from services.common.time import JST, parse_hours, parse_weekdays

MAX_DAYS_SCANNED = 3660


@dataclass(frozen=True)
class BusinessCalendar:
    """The helpdesk's opening hours in Japan time.

    `opens`/`closes` as minutes after midnight (closes may be 1440 for a 24-hour desk); weekdays
    0=Monday; Japanese public holidays (jpholiday) and the year-end break (12/29-1/3, the usual
    closing of Japanese offices) are closed when `observe_holidays` is set.
    """

    opens_minute: int = 9 * 60
    closes_minute: int = 17 * 60
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    observe_holidays: bool = True

    @classmethod
    def from_settings(cls, hours: str, days: str, *, observe_holidays: bool) -> BusinessCalendar:
        """From the settings' spelling ("09:00-17:00", "mon-fri"); ValueError when malformed."""
        opens, closes = parse_hours(hours)
        return cls(
            opens_minute=opens,
            closes_minute=closes,
            weekdays=parse_weekdays(days),
            observe_holidays=observe_holidays,
        )

    def is_open_day(self, day: date) -> bool:
        if day.weekday() not in self.weekdays:
            return False
        if not self.observe_holidays:
            return True
        if (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3):
            return False
        return not jpholiday.is_holiday(day)

    def _window(self, day: date) -> tuple[datetime, datetime] | None:
        if not self.is_open_day(day):
            return None
        midnight = datetime.combine(day, time(0), tzinfo=JST)
        return (
            midnight + timedelta(minutes=self.opens_minute),
            midnight + timedelta(minutes=self.closes_minute),
        )

    def is_open(self, at: datetime) -> bool:
        """Whether the desk is staffed at `at` (opening minute included, closing minute not)."""
        local = at.astimezone(JST)
        window = self._window(local.date())
        return window is not None and window[0] <= local < window[1]

    def next_opening(self, at: datetime) -> datetime:
        """`at` itself when the desk is open then, otherwise the moment it next opens (JST)."""
        return self.add(at, 0.0)

    def add(self, start: datetime, seconds: float) -> datetime:
        """The moment `seconds` of business time after `start`."""
        cursor = start.astimezone(JST)
        remaining = timedelta(seconds=max(seconds, 0.0))
        for _ in range(MAX_DAYS_SCANNED):
            window = self._window(cursor.date())
            if window is not None and cursor < window[1]:
                begin = max(cursor, window[0])
                available = window[1] - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
            cursor = datetime.combine(cursor.date() + timedelta(days=1), time(0), tzinfo=JST)
        raise ValueError("the business calendar has no open hours")

    def seconds_between(self, start: datetime, end: datetime) -> float:
        """Business seconds from `start` to `end` (0 if end is not after start)."""
        if end <= start:
            return 0.0
        start, end = start.astimezone(JST), end.astimezone(JST)
        total = 0.0
        day = start.date()
        while day <= end.date():
            window = self._window(day)
            if window is not None:
                overlap = min(end, window[1]) - max(start, window[0])
                total += max(overlap.total_seconds(), 0.0)
            day += timedelta(days=1)
        return total
