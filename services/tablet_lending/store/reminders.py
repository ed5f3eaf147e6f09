"""Sent reminders: one document per deterministic reminder id, written in the same transaction
as the outbox event that delivers it, so a reminder is either sent-and-recorded or neither."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, IndexModel

from services.common.store import CollectionIndexes, MongoStore, Tx

COLLECTION = "reminders"


class ReminderRepository:
    def __init__(self, store: MongoStore) -> None:
        self._collection = store.collection(COLLECTION)

    @staticmethod
    def indexes() -> CollectionIndexes:
        return CollectionIndexes(
            COLLECTION, [IndexModel([("participant_id", ASCENDING)], name="participant")]
        )

    async def exists(self, tx: Tx, reminder_id: str) -> bool:
        return (
            await self._collection.find_one({"_id": reminder_id}, {"_id": 1}, session=tx.session)
            is not None
        )

    async def insert(self, tx: Tx, record: dict[str, Any]) -> None:
        await self._collection.insert_one(record, session=tx.session)

    async def of_participant(self, participant_id: str) -> list[dict[str, Any]]:
        return (
            await self._collection.find({"participant_id": participant_id})
            .sort("created_at", 1)
            .to_list()
        )
