"""Delivery attempts: what the gateway tried for each send command, written before it tries.

Recording the attempt first is what lets a restarted gateway tell "never sent" from "maybe sent"
(see `consumers/outbound.py`).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict
from pymongo import IndexModel

from services.common.events.contracts.line import DeliveryMethod, DeliveryOutcome
from services.common.store import CollectionIndexes, MongoStore, Tx
from services.common.time import utcnow

COLLECTION = "deliveries"


class DeliveryAttempt(BaseModel):
    model_config = ConfigDict(frozen=True)

    command_id: UUID
    method: DeliveryMethod
    attempted_at: datetime
    outcome: DeliveryOutcome | None = None


class DeliveryRepository:
    def __init__(self, store: MongoStore) -> None:
        self._collection = store.collection(COLLECTION)

    @staticmethod
    def indexes() -> CollectionIndexes:
        return CollectionIndexes(COLLECTION, [IndexModel([("completed_at", 1)], name="completed")])

    async def get(self, command_id: UUID) -> DeliveryAttempt | None:
        doc = await self._collection.find_one({"_id": str(command_id)})
        if doc is None:
            return None
        return DeliveryAttempt(
            command_id=UUID(doc["_id"]),
            method=doc["method"],
            attempted_at=doc["attempted_at"],
            outcome=doc.get("outcome"),
        )

    async def record_attempt(
        self, *, command_id: UUID, user_id: str, method: DeliveryMethod
    ) -> None:
        # Deliberately outside any transaction: it must be durable before the request leaves.
        await self._collection.update_one(
            {"_id": str(command_id)},
            {
                "$set": {"method": method.value, "attempted_at": utcnow()},
                "$setOnInsert": {"user_id": user_id},
            },
            upsert=True,
        )

    async def record_outcome(
        self,
        tx: Tx,
        *,
        command_id: UUID,
        method: DeliveryMethod | None,
        outcome: DeliveryOutcome,
        line_request_id: str | None,
    ) -> None:
        now = utcnow()
        await self._collection.update_one(
            {"_id": str(command_id)},
            {
                "$set": {
                    "method": method.value if method else None,
                    "outcome": outcome.value,
                    "line_request_id": line_request_id,
                    "completed_at": now,
                },
                "$setOnInsert": {"attempted_at": now},
            },
            upsert=True,
            session=tx.session,
        )
