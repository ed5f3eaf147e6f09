"""The push budget is read from mongod only when a decision needs it (real mongod): a `low` push
far from the limit decides on a recent read plus this process's own sends, one near the limit
reads afresh every time, and a burst of billable sends reports the gauges twice, not per send."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

import pytest
from prometheus_client import REGISTRY

from services.common.events.contracts.line import SendPriority
from services.common.store import MongoStore
from services.common.time import utcnow
from services.line_gateway.domain.budget import MonthlyUsage, is_budgeted
from services.line_gateway.store import UsageRepository
from services.line_gateway.store.usage import COLLECTION, month_of
from services.line_gateway.usecases.budget import BudgetKeeper
from tests.fixtures.mongo import scratch_store
from tests.fixtures.waiting import eventually
from tools.devstack.stack import Stack


class CountedUsage(UsageRepository):
    """The real repository, counting the month's reads (a query and a shard aggregation each)."""

    reads = 0

    async def current(self, now: datetime | None = None) -> MonthlyUsage:
        self.reads += 1
        return await super().current(now)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def store(infra: Stack) -> AsyncIterator[MongoStore]:
    async with scratch_store(infra, MongoStore) as store:
        yield store


async def already_sent(store: MongoStore, pushes: int) -> None:
    await store.collection(COLLECTION).update_one(
        {"_id": month_of(utcnow())}, {"$set": {"pushes": pushes}}, upsert=True
    )


def test_only_low_sends_can_be_held_so_only_they_read_the_budget() -> None:
    assert [p for p in SendPriority if is_budgeted(p)] == [SendPriority.LOW]


async def test_far_from_the_limit_low_pushes_read_the_month_once_per_window(
    store: MongoStore,
) -> None:
    usage, clock = CountedUsage(store), Clock()
    keeper = BudgetKeeper(
        usage=usage, configured_budget=10_000, cache_seconds=2.0, exact_within=500, clock=clock
    )
    await already_sent(store, 100)
    for _ in range(20):
        budget = await keeper.for_push()
        keeper.counted(1)  # each push committed
    assert usage.reads == 1
    assert budget.used == 119  # the read's 100 and this process's 19 before the last decision
    clock.now += 2.5
    assert (await keeper.for_push()).used == 100  # mongod knows none of the 20: nothing counted
    assert usage.reads == 2


async def test_near_the_limit_every_low_push_reads_and_none_goes_past_it(
    store: MongoStore,
) -> None:
    usage, clock = CountedUsage(store), Clock()
    keeper = BudgetKeeper(
        usage=usage, configured_budget=1000, cache_seconds=2.0, exact_within=500, clock=clock
    )
    await already_sent(store, 500)  # 500 left: within `exact_within`, so never cached
    assert (await keeper.for_push()).allows(SendPriority.LOW)
    await already_sent(store, 999)  # another process pushed 499 meanwhile
    assert (await keeper.for_push()).allows(SendPriority.LOW)  # 1 left, read afresh
    await already_sent(store, 1000)
    assert not (await keeper.for_push()).allows(SendPriority.LOW)
    assert usage.reads == 3


async def test_a_burst_of_billable_sends_reports_now_and_once_after_it(store: MongoStore) -> None:
    usage = CountedUsage(store)
    keeper = BudgetKeeper(usage=usage, configured_budget=10_000, cache_seconds=0.3)
    try:
        for sent in range(1, 11):
            await already_sent(store, sent)
            await keeper.sent(1)
        assert usage.reads == 1  # the first send reported at once; the rest wait for the window
        used = await eventually(
            lambda: _gauge_after(usage, 2), lambda value: value == 10, timeout=10
        )
        assert used == 10  # the trailing report shows the burst's last count
        assert usage.reads == 2
    finally:
        await keeper.stop()


async def _gauge_after(usage: CountedUsage, reads: int) -> float:
    if usage.reads < reads:
        return -1.0
    return REGISTRY.get_sample_value("sslp_line_push_budget_messages", {"kind": "used"}) or 0.0
