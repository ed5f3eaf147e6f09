"""Tickets: one per help request, keyed by the request id so a request opens exactly one."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, IndexModel

from services.common.store import CollectionIndexes, MongoStore, Tx

COLLECTION = "tickets"


class TicketRepository:
    def __init__(self, store: MongoStore) -> None:
        self._collection = store.collection(COLLECTION)

    @staticmethod
    def indexes() -> CollectionIndexes:
        return CollectionIndexes(
            COLLECTION,
            [
                IndexModel([("request_id", ASCENDING)], unique=True, name="request_id"),
                IndexModel([("status", ASCENDING), ("opened_at", ASCENDING)], name="queue"),
            ],
        )

    async def insert_if_new(self, tx: Tx, ticket: dict[str, Any]) -> bool:
        # Look before inserting: a duplicate-key error would abort the whole transaction. A
        # concurrent twin still hits the unique index, and the retried handler then finds it.
        existing = await self._collection.find_one(
            {"request_id": ticket["request_id"]}, {"_id": 1}, session=tx.session
        )
        if existing is not None:
            return False
        await self._collection.insert_one(ticket, session=tx.session)
        return True
