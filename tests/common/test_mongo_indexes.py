"""Indexes follow the code: a data folder from an older release, where an index of the same name
has another definition, is brought up to date at start instead of stopping the service."""

from __future__ import annotations

from uuid import uuid4

from pymongo import ASCENDING, IndexModel

from services.common.store import CollectionIndexes, MongoStore
from tools.devstack.stack import Stack


async def test_a_changed_index_definition_is_rebuilt(infra: Stack) -> None:
    store = MongoStore(uri=infra.mongo.uri, database=f"t_{uuid4().hex[:10]}", app_name="test")
    try:
        old = IndexModel([("status", ASCENDING), ("opened_at", ASCENDING)], name="queue")
        await store.ensure_indexes([CollectionIndexes("tickets", [old])])
        await store.collection("tickets").insert_one({"status": "open", "priority_rank": 0})

        new = IndexModel(
            [("status", ASCENDING), ("priority_rank", ASCENDING), ("opened_at", ASCENDING)],
            name="queue",
        )
        other = IndexModel([("assignee", ASCENDING)], name="assignee")
        await store.ensure_indexes([CollectionIndexes("tickets", [new, other])])
        await store.ensure_indexes([CollectionIndexes("tickets", [new, other])])  # idempotent

        indexes = await store.collection("tickets").index_information()
        assert indexes["queue"]["key"] == [("status", 1), ("priority_rank", 1), ("opened_at", 1)]
        assert "assignee" in indexes
        assert await store.collection("tickets").count_documents({}) == 1  # data untouched
    finally:
        await store.drop_database()
        await store.close()
