"""The service's clock: real time, or (in tests) real time shifted to start at a chosen instant.

Every rule that depends on "today" (due dates, reminders, retention) reads this clock, so a test
can move the service into the future without touching the machine's clock. Reply tokens and
staff sessions are about real time and do not use it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from services.common.time import JST, utcnow


class Clock:
    def __init__(self, *, start: datetime | None = None) -> None:
        self._offset = (start - utcnow()) if start is not None else timedelta(0)

    @property
    def shifted(self) -> bool:
        return self._offset != timedelta(0)

    def now(self) -> datetime:
        return utcnow() + self._offset

    def today(self) -> date:
        """Today in Japan, where the programme's dates are."""
        return self.now().astimezone(JST).date()
