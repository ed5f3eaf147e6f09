"""The monthly push budget: what may still be pushed this month.

Replies are free; pushes and multicast recipients count against LINE's monthly allowance. The
programme sets its own budget (or takes LINE's plan allowance). When it runs out, `low` sends
(greetings, check-ins, campaigns) are held; `safety` and `service` sends always go, and Dai-chan's
`conversation` answers go while LINE still accepts them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from services.common.events.contracts.line import SendPriority

WARNING_THRESHOLDS = (80, 95)
# Sends that go whatever the budget says: a senior must never miss these to save a message fee.
ALWAYS_SENT = frozenset({SendPriority.SAFETY, SendPriority.SERVICE})


class MonthlyUsage(BaseModel):
    """This month's counts (Japan time) and LINE's own quota figures."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    month: str
    replies: int = 0
    pushes: int = 0
    multicast_recipients: int = 0
    held: int = 0
    quota_limit: int | None = None
    quota_used: int | None = None
    quota_checked_at: datetime | None = None
    quota_exhausted_at: datetime | None = None
    warned: list[int] = []

    @property
    def billable(self) -> int:
        """Billable messages this month: our own count, or LINE's when it knows of more."""
        return max(self.pushes + self.multicast_recipients, self.quota_used or 0)


def is_budgeted(priority: SendPriority) -> bool:
    """Whether the budget can hold a send of `priority` (else it needs no budget read at all)."""
    return priority is SendPriority.LOW


@dataclass(frozen=True)
class Budget:
    month: str
    limit: int | None  # None: no limit known (LINE unlimited and no budget configured)
    used: int
    quota_exhausted: bool = False

    @property
    def remaining(self) -> int | None:
        return None if self.limit is None else max(self.limit - self.used, 0)

    @property
    def used_ratio(self) -> float:
        if self.limit is None:
            return 0.0
        if self.limit == 0:
            return 1.0
        return self.used / self.limit

    def allows(self, priority: SendPriority, recipients: int = 1) -> bool:
        if not is_budgeted(priority):
            return True
        if self.quota_exhausted:
            return False
        return self.limit is None or self.used + recipients <= self.limit

    def with_sent(self, messages: int) -> Budget:
        """This budget after `messages` more billable messages."""
        return replace(self, used=self.used + messages)

    @property
    def thresholds_crossed(self) -> list[int]:
        """The warning thresholds (percent) this month's use has reached."""
        return [t for t in WARNING_THRESHOLDS if self.used_ratio * 100 >= t]


def budget_from(usage: MonthlyUsage, *, configured: int) -> Budget:
    limits = [value for value in (configured or None, usage.quota_limit) if value is not None]
    return Budget(
        month=usage.month,
        limit=min(limits) if limits else None,
        used=usage.billable,
        quota_exhausted=usage.quota_exhausted_at is not None,
    )
