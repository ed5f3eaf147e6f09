"""CSV import records: who imported which file and what became of every row (no personal data)."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, IndexModel

from services.common.store import CollectionIndexes, MongoStore, Tx

COLLECTION = "imports"


class ImportRepository:
    def __init__(self, store: MongoStore) -> None:
        self._collection = store.collection(COLLECTION)

    @staticmethod
    def indexes() -> CollectionIndexes:
        return CollectionIndexes(
            COLLECTION, [IndexModel([("cohort_id", ASCENDING), ("at", ASCENDING)], name="cohort")]
        )

    async def insert(self, tx: Tx, record: dict[str, Any]) -> None:
        await self._collection.insert_one(record, session=tx.session)

    async def get(self, import_id: str) -> dict[str, Any] | None:
        return await self._collection.find_one({"_id": import_id})
