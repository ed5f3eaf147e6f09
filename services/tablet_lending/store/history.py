"""The append-only history of every change to a loan, device, participant or session.

This repository can only add and read: nothing on the platform updates or deletes an entry.
Entries carry ids, states and staff notes, never personal data.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel

from services.common.store import CollectionIndexes, MongoStore, Tx
from services.tablet_lending.store.documents import plain

COLLECTION = "history"


class HistoryRepository:
    def __init__(self, store: MongoStore) -> None:
        self._collection = store.collection(COLLECTION)

    @staticmethod
    def indexes() -> CollectionIndexes:
        return CollectionIndexes(
            COLLECTION,
            [IndexModel([("subject", ASCENDING), ("at", ASCENDING)], name="subject")],
        )

    async def append(
        self,
        tx: Tx,
        *,
        subject: str,
        action: str,
        actor: str,
        at: datetime,
        details: dict[str, Any] | None = None,
    ) -> None:
        """`subject` is "loan:<id>", "device:<id>", "participant:<id>" or "session:<id>"."""
        await self._collection.insert_one(
            {
                "subject": subject,
                "action": action,
                "actor": actor,
                "at": at,
                "details": plain(details or {}),
            },
            session=tx.session,
        )

    async def of(self, subject: str) -> list[dict[str, Any]]:
        return (
            await self._collection.find({"subject": subject}, {"_id": 0})
            .sort([("at", ASCENDING), ("_id", ASCENDING)])
            .to_list()
        )
