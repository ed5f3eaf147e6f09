"""Several documents by `_id` from several collections in one command, on a real mongod."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from services.common.store import ById
from tests.fixtures.mongo import CountingStore, scratch_store
from tools.devstack.stack import Stack


@pytest.fixture
async def store(infra: Stack) -> AsyncIterator[CountingStore]:
    async with scratch_store(infra, CountingStore) as store:
        yield store


async def test_documents_of_three_collections_come_in_one_command_in_the_order_asked(
    store: CountingStore,
) -> None:
    await store.collection("attempts").insert_one({"_id": "c1", "method": "push", "extra": "x"})
    await store.collection("outcomes").insert_one({"_id": "c1", "outcome": "sent"})
    await store.collection("users").insert_one({"_id": "U1", "following": False, "name": "n"})
    store.commands.clear()

    found = await store.find_by_ids(
        [
            ById("attempts", "c1", fields=("method",)),
            ById("outcomes", "c1"),
            ById("users", "U1", fields=("following",)),
            ById("users", "U2"),
        ]
    )

    assert found == [
        {"_id": "c1", "method": "push"},
        {"_id": "c1", "outcome": "sent"},  # the same id in another collection, kept apart
        {"_id": "U1", "following": False},
        None,
    ]
    assert store.commands.targets == [("aggregate", "attempts")]


async def test_a_missing_first_collection_still_reads_the_others(store: CountingStore) -> None:
    await store.collection("users").insert_one({"_id": "U1", "following": True})

    assert await store.find_by_ids([ById("nothing_yet", "c1"), ById("users", "U1")]) == [
        None,
        {"_id": "U1", "following": True},
    ]
    assert await store.find_by_ids([]) == []


async def test_an_id_is_matched_as_a_value_never_as_an_operator(store: CountingStore) -> None:
    await store.collection("users").insert_one({"_id": "U1"})

    assert await store.find_by_ids([ById("users", {"$ne": None})]) == [None]
