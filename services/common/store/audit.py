"""An append-only record of who saw or changed which senior's data, kept for a limited time.

Part of staff authentication (`services.common.auth` exports it); kept here with the other
collections, since only the store layer talks to MongoDB.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pymongo import IndexModel

from services.common.store.mongo import CollectionIndexes, MongoStore, Tx, ttl_index
from services.common.time import utcnow

COLLECTION = "audit_log"


class AuditLog:
    def __init__(self, store: MongoStore) -> None:
        self._collection = store.collection(COLLECTION)

    @staticmethod
    def indexes(*, retention: timedelta) -> CollectionIndexes:
        return CollectionIndexes(
            COLLECTION,
            [
                IndexModel([("subject", 1), ("at", -1)], name="subject"),
                IndexModel([("actor", 1), ("at", -1)], name="actor"),
                ttl_index("at", retention),
            ],
        )

    async def record(
        self,
        *,
        actor: str,
        action: str,
        subject: str,
        details: dict[str, Any] | None = None,
        tx: Tx | None = None,
    ) -> None:
        """`actor` is a staff account id, `action` e.g. "participant.read", `subject` the
        participant, ticket or LINE user concerned. `details` must not hold personal data."""
        await self._collection.insert_one(
            {
                "at": utcnow(),
                "actor": actor,
                "action": action,
                "subject": subject,
                "details": details or {},
            },
            session=tx.session if tx else None,
        )

    async def record_many(self, entries: list[dict[str, Any]], *, tx: Tx | None = None) -> None:
        """Several `record` calls in one write: each entry has actor, action, subject, details."""
        if not entries:
            return
        at = utcnow()
        await self._collection.insert_many(
            [
                {
                    "at": at,
                    "actor": entry["actor"],
                    "action": entry["action"],
                    "subject": entry["subject"],
                    "details": entry.get("details") or {},
                }
                for entry in entries
            ],
            session=tx.session if tx else None,
        )

    async def for_subject(self, subject: str, *, limit: int = 100) -> list[dict[str, Any]]:
        return (
            await self._collection.find({"subject": subject}, {"_id": 0})
            .sort("at", -1)
            .limit(limit)
            .to_list()
        )
