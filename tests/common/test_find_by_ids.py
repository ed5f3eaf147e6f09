"""Several documents by `_id` from several collections in one command, on a real mongod: outside a
transaction (`MongoStore.find_by_ids`) and inside one, among lists of ids (`Tx.find_among`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from services.common.store import AmongIds, ById, Tx
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


async def test_in_a_transaction_each_collections_documents_among_the_ids_come_in_one_command(
    store: CountingStore,
) -> None:
    await store.collection("events").insert_many([{"_id": "e1", "type": "m"}, {"_id": "e2"}])
    await store.collection("users").insert_one({"_id": "U1", "mode": "bot"})
    store.commands.clear()

    async def read(tx: Tx) -> list[list[dict[str, Any]]]:
        return await tx.find_among(
            [
                AmongIds("events", ["e1", "e3"], fields=("_id",)),
                AmongIds("users", ["U1", "U2"]),
                AmongIds("nothing_here", ["x"]),
                AmongIds("users", []),
            ]
        )

    found = await store.transaction(read)

    assert found == [[{"_id": "e1"}], [{"_id": "U1", "mode": "bot"}], [], []]
    assert store.commands.names == ["aggregate"]  # and the commit, which goes to admin
    assert await store.transaction(lambda tx: tx.find_among([])) == []


async def test_find_among_reads_the_transactions_snapshot(store: CountingStore) -> None:
    await store.collection("users").insert_one({"_id": "U1", "mode": "bot"})
    seen: list[list[list[dict[str, Any]]]] = []

    async def read_twice(tx: Tx) -> None:
        seen.append(await tx.find_among([AmongIds("users", ["U1", "U2"])]))
        # Written outside the transaction after its snapshot was taken: not seen in it.
        await store.collection("users").insert_one({"_id": "U2", "mode": "human"})
        seen.append(await tx.find_among([AmongIds("users", ["U1", "U2"])]))

    await store.transaction(read_twice)

    assert seen[0] == seen[1] == [[{"_id": "U1", "mode": "bot"}]]
