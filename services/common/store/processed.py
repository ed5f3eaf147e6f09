"""Processed event ids: how a consumer recognises a message it has already handled.

The id is claimed inside the same transaction as the state change it caused, so "handled" and
"changed" are recorded together or not at all.
"""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from pymongo import IndexModel
from pymongo.errors import DuplicateKeyError

from services.common.store.mongo import ById, CollectionIndexes, MongoStore, Tx, ttl_index
from services.common.time import utcnow

PROCESSED_COLLECTION = "processed_events"


class AlreadyHandled(Exception):
    """This consumer group has already handled this event."""


def _doc_id(group: str, event_id: UUID) -> str:
    return f"{group}:{event_id}"


class ProcessedEvents:
    def __init__(self, store: MongoStore) -> None:
        self._collection = store.collection(PROCESSED_COLLECTION)

    @staticmethod
    def indexes(retention: timedelta) -> CollectionIndexes:
        index: IndexModel = ttl_index("handled_at", retention)
        return CollectionIndexes(PROCESSED_COLLECTION, [index])

    @staticmethod
    def mark(*, group: str, event_id: UUID) -> ById:
        """The document that claims `event_id` for `group`, for a handler that reads it with its
        own documents in one `MongoStore.find_by_ids` (a route that recognises its redeliveries):
        found means handled."""
        return ById(PROCESSED_COLLECTION, _doc_id(group, event_id))

    async def contains(self, *, group: str, event_id: UUID) -> bool:
        found = await self._collection.find_one({"_id": _doc_id(group, event_id)}, {"_id": 1})
        return found is not None

    async def claim(self, tx: Tx, *, group: str, event_id: UUID, event_type: str) -> None:
        try:
            await self._collection.insert_one(
                {"_id": _doc_id(group, event_id), "type": event_type, "handled_at": utcnow()},
                session=tx.session,
            )
        except DuplicateKeyError as exc:
            raise AlreadyHandled(str(event_id)) from exc
