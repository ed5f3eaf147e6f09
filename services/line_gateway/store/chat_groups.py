"""Group chats and rooms the account was added to: remembered so each gets one polite note."""

from __future__ import annotations

from datetime import datetime

from services.common.store import CollectionIndexes, MongoStore, Tx

COLLECTION = "chat_groups"


class ChatGroupRepository:
    def __init__(self, store: MongoStore) -> None:
        self._collection = store.collection(COLLECTION)

    @staticmethod
    def indexes() -> CollectionIndexes:
        return CollectionIndexes(COLLECTION)

    async def note_due(self, tx: Tx, *, chat_id: str, kind: str, at: datetime) -> bool:
        """Remember the group or room; True the first time only (when the note is due)."""
        existing = await self._collection.find_one({"_id": chat_id}, session=tx.session)
        if existing is not None:
            await self._collection.update_one(
                {"_id": chat_id}, {"$set": {"last_event_at": at}}, session=tx.session
            )
            return False
        # Looked up first, inserted second: a duplicate key inside a transaction would abort it.
        await self._collection.insert_one(
            {"_id": chat_id, "kind": kind, "noted_at": at, "last_event_at": at},
            session=tx.session,
        )
        return True

    async def forget(self, tx: Tx, *, chat_id: str) -> None:
        await self._collection.delete_one({"_id": chat_id}, session=tx.session)
