"""The monthly push budget: what may still be pushed this month, and who hears about it.

Replies are free; pushes and multicast recipients count against LINE's monthly allowance. The
programme sets its own budget (or takes LINE's plan allowance). When it runs out, `low` sends
(greetings, check-ins, campaigns) are held; `safety` and `service` sends always go, and Dai-chan's
`conversation` answers go while LINE still accepts them.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.common.events.contracts.line import SendPriority
from services.common.logging import get_logger
from services.line_gateway.clients.messaging import LineMessaging
from services.line_gateway.metrics import (
    PUSH_BUDGET,
    PUSH_BUDGET_USED_RATIO,
    PUSH_BUDGET_WARNINGS,
    QUOTA,
)
from services.line_gateway.store import MonthlyUsage, UsageRepository

log = get_logger(__name__)

WARNING_THRESHOLDS = (80, 95)
# Sends that go whatever the budget says: a senior must never miss these to save a message fee.
ALWAYS_SENT = frozenset({SendPriority.SAFETY, SendPriority.SERVICE})


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
        if priority is not SendPriority.LOW:
            return True
        if self.quota_exhausted:
            return False
        return self.limit is None or self.used + recipients <= self.limit


def budget_from(usage: MonthlyUsage, *, configured: int) -> Budget:
    limits = [value for value in (configured or None, usage.quota_limit) if value is not None]
    return Budget(
        month=usage.month,
        limit=min(limits) if limits else None,
        used=usage.billable,
        quota_exhausted=usage.quota_exhausted_at is not None,
    )


class BudgetKeeper:
    def __init__(self, *, usage: UsageRepository, configured_budget: int) -> None:
        self._usage = usage
        self._configured = configured_budget

    async def current(self) -> Budget:
        return budget_from(await self._usage.current(), configured=self._configured)

    async def report(self) -> Budget:
        """Refresh the gauges and raise each month's 80 % and 95 % warnings once."""
        budget = await self.current()
        PUSH_BUDGET.labels("used").set(budget.used)
        if budget.limit is not None:
            PUSH_BUDGET.labels("limit").set(budget.limit)
            PUSH_BUDGET.labels("remaining").set(budget.remaining or 0)
        PUSH_BUDGET_USED_RATIO.set(budget.used_ratio)
        for threshold in WARNING_THRESHOLDS:
            if budget.used_ratio * 100 >= threshold and await self._usage.claim_warning(threshold):
                PUSH_BUDGET_WARNINGS.labels(str(threshold)).inc()
                log.warning(
                    "monthly push budget threshold crossed",
                    threshold_percent=threshold,
                    month=budget.month,
                    used=budget.used,
                    limit=budget.limit,
                )
        return budget

    async def refresh_quota(self, messaging: LineMessaging) -> Budget:
        """Read LINE's quota and consumption (the periodic job) and report."""
        quota = await messaging.quota()
        await self._usage.save_quota(limit=quota.limit, used=quota.used)
        QUOTA.labels("used").set(quota.used)
        if quota.limit is not None:
            QUOTA.labels("limit").set(quota.limit)
        return await self.report()

    async def quota_exhausted(self) -> None:
        await self._usage.mark_quota_exhausted()
