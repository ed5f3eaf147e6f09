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

    async def forget_participant(self, tx: Tx, participant_id: str) -> None:
        """Blank the application number reported for an erased participant's row."""
        await self._collection.update_many(
            {"rows.participant_id": participant_id},
            {"$set": {"rows.$[row].application_number": None}},
            array_filters=[{"row.participant_id": participant_id}],
            session=tx.session,
        )

    async def forget_numbers(self, cohort_id: str) -> None:
        """Blank every application number in a cohort's reports, refused rows included."""
        await self._collection.update_many(
            {"cohort_id": cohort_id, "rows.application_number": {"$type": "string"}},
            {"$set": {"rows.$[].application_number": None, "filename": None}},
        )
