"""Keeping the push budget: reading it, reporting it, and LINE's quota (domain/budget.py decides)."""

from __future__ import annotations

from services.common.logging import get_logger
from services.line_gateway.clients.messaging import LineMessaging
from services.line_gateway.domain.budget import Budget, budget_from
from services.line_gateway.metrics import (
    PUSH_BUDGET,
    PUSH_BUDGET_USED_RATIO,
    PUSH_BUDGET_WARNINGS,
    QUOTA,
)
from services.line_gateway.store import UsageRepository

log = get_logger(__name__)


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
        for threshold in budget.thresholds_crossed:
            if await self._usage.claim_warning(threshold):
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
