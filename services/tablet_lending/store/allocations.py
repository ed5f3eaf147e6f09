"""Per-cohort allocation state: drawn or not, seats taken, the last waiting-list position.

Every enrolment, draw and withdrawal writes this one document inside its transaction, so two of
them for the same cohort conflict and one is retried: capacity can never be oversold.
"""

from __future__ import annotations

from typing import Any

from pymongo import ReturnDocument

from services.common.store import CollectionIndexes, MongoStore, Tx
from services.tablet_lending.domain.cohorts import Allocation

COLLECTION = "cohort_allocations"


class AllocationRepository:
    def __init__(self, store: MongoStore) -> None:
        self._collection = store.collection(COLLECTION)

    @staticmethod
    def indexes() -> CollectionIndexes:
        return CollectionIndexes(COLLECTION)

    async def lock(self, tx: Tx, cohort_id: str) -> Allocation:
        """Read the cohort's allocation and take its write lock for this transaction."""
        doc = await self._collection.find_one_and_update(
            {"_id": cohort_id},
            {
                "$inc": {"version": 1},
                "$setOnInsert": {
                    "drawn": False,
                    "lottery_id": None,
                    "enrolled": 0,
                    "last_position": 0,
                },
            },
            upsert=True,
            return_document=ReturnDocument.AFTER,
            session=tx.session,
        )
        assert doc is not None  # upsert with return_document=AFTER always returns it
        return Allocation(
            cohort_id=cohort_id,
            drawn=bool(doc["drawn"]),
            lottery_id=doc.get("lottery_id"),
            enrolled=int(doc["enrolled"]),
            last_position=int(doc["last_position"]),
        )

    async def update(
        self,
        tx: Tx,
        cohort_id: str,
        *,
        enrolled_delta: int = 0,
        last_position: int | None = None,
        lottery_id: str | None = None,
    ) -> None:
        changes: dict[str, object] = {}
        if last_position is not None:
            changes["last_position"] = last_position
        if lottery_id is not None:
            changes["drawn"] = True
            changes["lottery_id"] = lottery_id
        update: dict[str, object] = {"$inc": {"enrolled": enrolled_delta}}
        if changes:
            update["$set"] = changes
        await self._collection.update_one({"_id": cohort_id}, update, session=tx.session)

    async def get(self, cohort_id: str) -> Allocation | None:
        doc = await self._collection.find_one({"_id": cohort_id})
        return _allocation(doc) if doc is not None else None

    async def all(self) -> dict[str, Allocation]:
        """Every cohort's allocation (one small document per cohort), for the cohort overview."""
        return {str(doc["_id"]): _allocation(doc) async for doc in self._collection.find({})}


def _allocation(doc: dict[str, Any]) -> Allocation:
    return Allocation(
        cohort_id=str(doc["_id"]),
        drawn=bool(doc["drawn"]),
        lottery_id=doc.get("lottery_id"),
        enrolled=int(doc["enrolled"]),
        last_position=int(doc["last_position"]),
    )
