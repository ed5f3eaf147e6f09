"""The month's send counts on a real mongod: counted in shards, summed exactly, no collisions."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from uuid import uuid4

import pytest

from services.common.store import MongoStore, Tx
from services.line_gateway.store import CounterShards, UsageRepository
from services.line_gateway.store.usage import COLLECTION, SHARDS_COLLECTION
from tools.devstack.stack import Stack

NOW = datetime(2025, 6, 10, 3, 0, tzinfo=UTC)


@pytest.fixture
async def store(infra: Stack) -> AsyncIterator[MongoStore]:
    store = MongoStore(uri=infra.mongo.uri, database=f"t_{uuid4().hex[:10]}", app_name="test")
    await store.ensure_indexes(UsageRepository.indexes())
    try:
        yield store
    finally:
        await store.drop_database()
        await store.close()


async def test_concurrent_sends_count_exactly_and_never_collide(store: MongoStore) -> None:
    usage = UsageRepository(store)
    shards = CounterShards(limit=8)
    runs = 0

    async def one_send() -> None:
        async def work(tx: Tx) -> None:
            nonlocal runs
            runs += 1
            await usage.count(tx, shard=shard.name, pushes=1, now=NOW)
            await asyncio.sleep(0.01)  # hold the transaction open while others run

        async with shards.lease() as shard:
            await store.transaction(work)

    await asyncio.gather(*(one_send() for _ in range(200)))

    counted = await usage.current(NOW)
    assert counted.pushes == 200
    assert counted.billable == 200
    # Every transaction ran once: none was aborted for a write conflict and run again.
    assert runs == 200
    assert await store.collection(SHARDS_COLLECTION).count_documents({}) <= 8


async def test_months_are_counted_apart_and_older_counts_are_included(store: MongoStore) -> None:
    usage = UsageRepository(store)
    shards = CounterShards()
    # What an older release counted in the month's own document before shards existed.
    await store.collection(COLLECTION).insert_one({"_id": "2025-06", "replies": 5, "pushes": 2})

    async def count(at: datetime, **counts: int) -> None:
        async with shards.lease() as shard:

            async def work(tx: Tx) -> None:
                await usage.count(tx, shard=shard.name, now=at, **counts)

            await store.transaction(work)

    await count(NOW, replies=1)
    await count(NOW, pushes=3, held=1)
    await count(NOW, multicast_recipients=10)
    # 2025-06-30 15:30 UTC is already July in Japan.
    await count(datetime(2025, 6, 30, 15, 30, tzinfo=UTC), pushes=7)

    june = await usage.current(NOW)
    assert (june.replies, june.pushes, june.multicast_recipients, june.held) == (6, 5, 10, 1)
    assert june.billable == 15
    july = await usage.current(datetime(2025, 7, 2, tzinfo=UTC))
    assert (july.month, july.pushes) == ("2025-07", 7)


async def test_a_shard_whose_transaction_failed_is_not_lent_again() -> None:
    shards = CounterShards(limit=2)
    lent: list[str] = []

    async def fail_in_transaction() -> None:
        async with shards.lease() as shard:
            lent.append(shard.name)
            raise RuntimeError("the transaction did not finish")

    async with shards.lease() as lease:
        first = lease.name
    with pytest.raises(RuntimeError):
        await fail_in_transaction()
    assert lent == [first]  # reused while it was clean
    async with shards.lease() as fresh:
        assert fresh.name != first
