"""A process killed inside a transaction leaves it open on mongod with its documents locked; the
same instance's next process ends it at start, and leaves other instances' sessions alone."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator
from uuid import uuid4

import pytest

from services.common.store import MongoStore
from tools.devstack.stack import Stack

# A process that starts a transaction, writes in it, and is killed before it commits.
KILLED_MID_TRANSACTION = """
import asyncio, os, signal, sys
from pymongo import AsyncMongoClient
async def main(uri, database, app_name):
    client = AsyncMongoClient(uri, appname=app_name)
    session = client.start_session()
    await session.start_transaction()
    await client[database].docs.update_one({"_id": "hot"}, {"$inc": {"n": 1}}, session=session)
    os.kill(os.getpid(), signal.SIGKILL)
asyncio.run(main(*sys.argv[1:]))
"""


@pytest.fixture
async def database(infra: Stack) -> AsyncIterator[str]:
    name = f"t_{uuid4().hex[:10]}"
    store = MongoStore(uri=infra.mongo.uri, database=name, app_name="setup")
    await store.collection("docs").insert_one({"_id": "hot", "n": 0})
    try:
        yield name
    finally:
        await store.drop_database()
        await store.close()


def killed_inside_a_transaction(infra: Stack, database: str, app_name: str) -> None:
    subprocess.run(
        [sys.executable, "-c", KILLED_MID_TRANSACTION, infra.mongo.uri, database, app_name],
        check=False,
        timeout=60,
    )


async def test_the_next_process_of_the_instance_ends_what_the_killed_one_left_open(
    infra: Stack, database: str
) -> None:
    killed_inside_a_transaction(infra, database, "svc/instance-a/0001")
    store = MongoStore(uri=infra.mongo.uri, database=database, app_name="svc/instance-a/0002")
    try:
        assert await store.end_abandoned_transactions(app_prefix="svc/instance-a/") == 1
        # The document is free at once, not after mongod's minute.
        await asyncio.wait_for(
            store.collection("docs").update_one({"_id": "hot"}, {"$inc": {"n": 10}}), timeout=5
        )
        found = await store.collection("docs").find_one({"_id": "hot"})
        assert found is not None
        assert found["n"] == 10  # the killed process's write never happened
    finally:
        await store.close()


async def test_another_instances_transactions_are_left_alone(infra: Stack, database: str) -> None:
    killed_inside_a_transaction(infra, database, "svc/instance-b/0001")
    store = MongoStore(uri=infra.mongo.uri, database=database, app_name="svc/instance-c/0001")
    try:
        assert await store.end_abandoned_transactions(app_prefix="svc/instance-c/") == 0
        # Clean up: instance-b's own next process would have ended it.
        other = MongoStore(uri=infra.mongo.uri, database=database, app_name="svc/instance-b/0002")
        try:
            assert await other.end_abandoned_transactions(app_prefix="svc/instance-b/") == 1
        finally:
            await other.close()
    finally:
        await store.close()
