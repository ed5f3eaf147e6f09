"""The append-only history of every change to a loan, device, participant or session.

This repository adds and reads entries; nothing changes or deletes one, with a single exception:
erasing a participant blanks the free-text staff notes in the entries about them (a note may name
someone, even though it should not). Entries carry ids, states and notes, never personal fields.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel

from services.common.store import CollectionIndexes, MongoStore, Tx
from services.common.store.repository import plain

COLLECTION = "history"
REDACTED = "[消去済み]"


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

    async def append_many(self, tx: Tx, entries: list[dict[str, Any]]) -> None:
        """Entries shaped like `append`'s arguments (subject, action, actor, at, details)."""
        if entries:
            await self._collection.insert_many(
                [{**entry, "details": plain(entry.get("details") or {})} for entry in entries],
                session=tx.session,
            )

    async def of(self, subject: str) -> list[dict[str, Any]]:
        return (
            await self._collection.find({"subject": subject}, {"_id": 0})
            .sort([("at", ASCENDING), ("_id", ASCENDING)])
            .to_list()
        )

    async def redact(self, tx: Tx, *, match: dict[str, Any], fields: tuple[str, ...]) -> None:
        """Blank the free-text `details.<field>` of the matching entries (erasure only)."""
        for field in fields:
            await self._collection.update_many(
                {**match, f"details.{field}": {"$type": "string"}},
                {"$set": {f"details.{field}": REDACTED}},
                session=tx.session,
            )
