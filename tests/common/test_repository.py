"""The shared repository base on a real mongod: mapping, pages in a stable order, counts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import pytest
from pydantic import BaseModel

from services.common.store import MongoStore, Tx
from services.common.store.repository import Repository
from tests.fixtures.mongo import scratch_store
from tools.devstack.stack import Stack


class Item(BaseModel):
    item_id: str
    area: str
    kind: str
    due_on: date


class Items(Repository[Item]):
    def __init__(self, store: MongoStore) -> None:
        super().__init__(store, collection="items", model=Item, id_field="item_id")

    async def add(self, tx: Tx, item: Item) -> None:
        await self._collection.insert_one(self._document(item), session=tx.session)


@pytest.fixture
async def store(infra: Stack) -> AsyncIterator[MongoStore]:
    async with scratch_store(infra, MongoStore) as store:
        yield store


async def test_pages_counts_and_groups(store: MongoStore) -> None:
    items = Items(store)

    async def seed(tx: Tx) -> None:
        for n in (3, 1, 4, 5, 2):
            kind = "tablet" if n % 2 else "phone"
            await items.add(
                tx, Item(item_id=f"I-{n}", area="abeno", kind=kind, due_on=date(2026, 5, n))
            )

    await store.transaction(seed)
    # The id is stored as _id, a date as its ISO string.
    raw = await store.collection("items").find_one({"_id": "I-1"})
    assert raw is not None
    assert raw["due_on"] == "2026-05-01"
    assert "item_id" not in raw

    first = await items.find_page({}, limit=2, skip=0)
    second = await items.find_page({}, limit=2, skip=2)
    assert [i.item_id for i in first + second] == ["I-1", "I-2", "I-3", "I-4"]
    assert first[0] == Item(item_id="I-1", area="abeno", kind="tablet", due_on=date(2026, 5, 1))
    latest = await items.find_page({"kind": "tablet"}, limit=5, skip=0, sort=[("due_on", -1)])
    assert [i.item_id for i in latest] == ["I-5", "I-3", "I-1"]

    assert await items.count({"kind": "phone"}) == 2
    groups = await items.grouped_counts(("area", "kind"), {"area": "abeno"})
    assert sorted((g["kind"], g["count"]) for g in groups) == [("phone", 2), ("tablet", 3)]
