"""When a person at the helpdesk will answer, as Dai-chan may honestly say it.

The helpdesk's calendar (`services.common.calendar`, the one its SLA clocks count with) and the
moment of the message give `DeskHours`: open now, or closed until a given opening. Every text that
promises a person (hand-over, emergency, self-harm, fraud, the acknowledgement while waiting)
says the one or the other (`templates.py`), never 「すぐ」 at 3 a.m.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.common.calendar import BusinessCalendar
from services.common.wording import moment_in_words


@dataclass(frozen=True)
class DeskHours:
    now: datetime
    # `now` itself while the desk is open.
    opens_at: datetime

    @property
    def open_now(self) -> bool:
        return self.opens_at <= self.now

    def opening_in_words(self) -> str:
        """明日の 午前9時, 月曜日の 午前9時, 今日の 午前9時 (Japan time, from `now`)."""
        return moment_in_words(self.opens_at, now=self.now)


def desk_hours(calendar: BusinessCalendar, now: datetime) -> DeskHours:
    return DeskHours(now=now, opens_at=calendar.next_opening(now))
