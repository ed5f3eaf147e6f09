"""Keeping the push budget: reading it, reporting it, and LINE's quota (domain/budget.py decides).

The month's count is the sum of its counter shards (`store/usage.py`): a query and an aggregation
over every shard. Reading it before every push and again after, as this did, was the largest
part of a send's own work (`bench/PROFILE_issue11.md`). Now:

- only a send the budget can hold (`low`) reads it; safety, service and conversation sends go
  whatever it says, so they never did need the read;
- a `low` push is decided on the last read, if it is at most `cache_seconds` old, plus what this
  process has committed since (`counted`), while more than `exact_within` messages would remain;
  nearer the limit every such push reads afresh, as before;
- the gauges and the 80 %/95 % warnings are refreshed at most every `cache_seconds` after sends
  (the last one trailing, so a burst's final count still shows), not once per push.

The bound this keeps: with one sender process, the month goes over the budget by no more than
before (the sends in flight at one moment, each decided before the others are counted). With
several, a cached decision can also miss what the others pushed in the last `cache_seconds`,
which matters only if they push more than `exact_within` in that time; the overshoot is then at
most their excess over `exact_within`.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable

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
    def __init__(
        self,
        *,
        usage: UsageRepository,
        configured_budget: int,
        cache_seconds: float = 0.0,
        exact_within: int = 0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._usage = usage
        self._configured = configured_budget
        self._cache_seconds = cache_seconds
        self._exact_within = exact_within
        self._clock = clock
        self._read: Budget | None = None
        self._read_at = 0.0
        self._since_read = 0  # billable messages this process committed after `_read`
        self._reported_at: float | None = None
        self._trailing: asyncio.Task[None] | None = None

    async def current(self) -> Budget:
        """The month's budget, read now."""
        self._since_read = 0
        budget = budget_from(await self._usage.current(), configured=self._configured)
        self._read, self._read_at = budget, self._clock()
        return budget

    async def for_push(self, recipients: int = 1) -> Budget:
        """The budget to decide a `low` push of `recipients` on: the last read plus this
        process's sends since, while it is fresh and far from the limit; else read now."""
        read = self._read
        if read is not None and self._clock() - self._read_at < self._cache_seconds:
            estimate = read.with_sent(self._since_read)
            remaining = estimate.remaining
            if not estimate.quota_exhausted and (
                remaining is None or remaining - recipients > self._exact_within
            ):
                return estimate
        return await self.current()

    def counted(self, messages: int) -> None:
        """`messages` billable messages were committed by this process (after the commit)."""
        self._since_read += messages

    async def sent(self, messages: int) -> None:
        """After a billable send's commit: count it, and report now or soon."""
        self.counted(messages)
        now = self._clock()
        if self._reported_at is None or now - self._reported_at >= self._cache_seconds:
            await self.report()
        elif self._trailing is None or self._trailing.done():
            wait = self._reported_at + self._cache_seconds - now
            self._trailing = asyncio.create_task(self._report_later(wait), name="budget-report")

    async def _report_later(self, wait: float) -> None:
        await asyncio.sleep(wait)
        try:
            await self.report()
        except Exception as error:
            # The next send or the periodic quota job reports again.
            log.warning("could not report the push budget", error_type=type(error).__name__)

    async def stop(self) -> None:
        if self._trailing is not None:
            self._trailing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._trailing

    async def report(self) -> Budget:
        """Refresh the gauges and raise each month's 80 % and 95 % warnings once."""
        self._reported_at = self._clock()
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
        self._read = None  # the next budgeted push reads the exhausted mark
