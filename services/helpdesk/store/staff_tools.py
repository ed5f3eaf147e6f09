"""Canned responses (定型文) and who is looking at which ticket right now."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4

from pymongo import ASCENDING, IndexModel, ReturnDocument

from services.common.store import CollectionIndexes, MongoStore
from services.common.store.mongo import ttl_index

CANNED = "canned_responses"
PRESENCE = "presence"
Document = dict[str, Any]


class CannedResponseRepository:
    def __init__(self, store: MongoStore) -> None:
        self._collection = store.collection(CANNED)

    @staticmethod
    def indexes() -> CollectionIndexes:
        return CollectionIndexes(CANNED, [IndexModel([("title", ASCENDING)], name="title")])

    async def all(self) -> list[Document]:
        return await self._collection.find().sort("title", ASCENDING).to_list()

    async def create(self, *, title: str, body: str, by: str, at: datetime) -> Document:
        doc = {
            "_id": str(uuid4()),
            "title": title,
            "body": body,
            "updated_by": by,
            "updated_at": at,
        }
        await self._collection.insert_one(doc)
        return doc

    async def update(
        self, canned_id: str, *, title: str, body: str, by: str, at: datetime
    ) -> Document | None:
        return await self._collection.find_one_and_update(
            {"_id": canned_id},
            {"$set": {"title": title, "body": body, "updated_by": by, "updated_at": at}},
            return_document=ReturnDocument.AFTER,
        )

    async def delete(self, canned_id: str) -> bool:
        return (await self._collection.delete_one({"_id": canned_id})).deleted_count == 1

    async def ensure_defaults(self, defaults: list[tuple[str, str]], *, at: datetime) -> None:
        """Seed a few responses on an empty helpdesk, so the page is useful from the start."""
        if await self._collection.count_documents({}, limit=1):
            return
        await self._collection.insert_many(
            [
                {
                    "_id": str(uuid4()),
                    "title": t,
                    "body": b,
                    "updated_by": "system",
                    "updated_at": at,
                }
                for t, b in defaults
            ]
        )


class PresenceRepository:
    def __init__(self, store: MongoStore) -> None:
        self._collection = store.collection(PRESENCE)

    @staticmethod
    def indexes() -> CollectionIndexes:
        return CollectionIndexes(
            PRESENCE,
            [
                IndexModel([("ticket_id", ASCENDING)], name="ticket"),
                ttl_index("expires_at", timedelta(0)),
            ],
        )

    async def here(
        self, *, ticket_id: str, staff_id: str, name: str, now: datetime, ttl: timedelta
    ) -> None:
        await self._collection.update_one(
            {"_id": f"{ticket_id}:{staff_id}"},
            {
                "$set": {
                    "ticket_id": ticket_id,
                    "staff_id": staff_id,
                    "name": name,
                    "expires_at": now + ttl,
                }
            },
            upsert=True,
        )

    async def gone(self, *, ticket_id: str, staff_id: str) -> None:
        await self._collection.delete_one({"_id": f"{ticket_id}:{staff_id}"})

    async def viewers(self, ticket_id: str, *, now: datetime) -> list[Document]:
        # The TTL monitor runs about once a minute, so expired entries are filtered here too.
        return (
            await self._collection.find(
                {"ticket_id": ticket_id, "expires_at": {"$gt": now}},
                {"_id": 0, "staff_id": 1, "name": 1},
            )
            .sort("name", ASCENDING)
            .to_list()
        )
