"""`MongoStore.transaction` on a real mongod: work retried on a write conflict, hooks run once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from functools import partial
from uuid import uuid4

import pytest

from services.common.store import MongoStore, Tx
from tests.fixtures.waiting import eventually
from tools.devstack.stack import Stack


@pytest.fixture
async def store(infra: Stack) -> AsyncIterator[MongoStore]:
    store = MongoStore(uri=infra.mongo.uri, database=f"t_{uuid4().hex[:10]}", app_name="t")
    await store.collection("counters").insert_one({"_id": "c", "n": 0})
    try:
        yield store
    finally:
        await store.drop_database()
        await store.close()


async def test_hooks_of_an_attempt_that_was_retried_do_not_run(store: MongoStore) -> None:
    counters = store.collection("counters")
    attempts: list[int] = []
    ran: list[int] = []
    holder_wrote = asyncio.Event()
    release_holder = asyncio.Event()

    async def hold(tx: Tx) -> None:
        # Another transaction writes the counter first and keeps it until told to commit.
        await counters.update_one({"_id": "c"}, {"$inc": {"n": 100}}, session=tx.session)
        holder_wrote.set()
        await release_holder.wait()

    async def count(tx: Tx) -> None:
        attempts.append(len(attempts) + 1)
        tx.after_commit(partial(ran.append, attempts[-1]))
        # A write conflict with the holder: the whole attempt is aborted and run again.
        await counters.update_one({"_id": "c"}, {"$inc": {"n": 1}}, session=tx.session)

    holder = asyncio.create_task(store.transaction(hold))
    await holder_wrote.wait()
    counting = asyncio.create_task(store.transaction(count))
    await eventually(lambda: asyncio.sleep(0, result=len(attempts)), lambda n: n >= 2)
    release_holder.set()
    await holder
    await counting

    assert len(attempts) >= 2
    assert ran == [attempts[-1]]  # only the attempt that committed
    assert (await counters.find_one({"_id": "c"}) or {})["n"] == 101
