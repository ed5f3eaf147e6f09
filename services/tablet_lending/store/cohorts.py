"""Cohorts in MongoDB."""

from __future__ import annotations

from services.common.store import CollectionIndexes, MongoStore, Tx
from services.tablet_lending.domain.cohorts import Cohort

COLLECTION = "cohorts"


class CohortRepository:
    def __init__(self, store: MongoStore) -> None:
        self._collection = store.collection(COLLECTION)

    @staticmethod
    def indexes() -> CollectionIndexes:
        return CollectionIndexes(COLLECTION)

    async def list(self) -> list[Cohort]:
        docs = await self._collection.find().sort("lending_starts_on", 1).to_list()
        return [_from_doc(doc) for doc in docs]

    async def get(self, cohort_id: str, tx: Tx | None = None) -> Cohort | None:
        doc = await self._collection.find_one(
            {"_id": cohort_id}, session=tx.session if tx else None
        )
        return _from_doc(doc) if doc else None

    async def save(self, tx: Tx, cohort: Cohort) -> None:
        doc = cohort.model_dump(mode="json")
        doc["_id"] = doc.pop("cohort_id")
        await self._collection.replace_one(
            {"_id": doc["_id"]}, doc, upsert=True, session=tx.session
        )


def _from_doc(doc: dict[str, object]) -> Cohort:
    data = dict(doc)
    data["cohort_id"] = data.pop("_id")
    return Cohort.model_validate(data)
