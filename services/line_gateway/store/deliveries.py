"""Delivery attempts: what the gateway tried for each send command, written before it tries.

Recording the attempt first is what lets a restarted gateway tell "never sent" from "maybe sent"
(see `consumers/outbound.py`). A multicast also records its batches (which users, in which
order) before the first one leaves, so a retry sends exactly the same batches with the same keys.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
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
    method: DeliveryMethod | None
    attempted_at: datetime | None = None
    outcome: DeliveryOutcome | None = None
    # Why this method was chosen when it was not the obvious one (e.g. a reply's unknown outcome).
    reason: str | None = None

    @property
    def final(self) -> bool:
        # A failed send was refused by LINE, so nothing reached the senior: a replay from the
        # dead-letter topic may try again.
        return self.outcome is not None and self.outcome is not DeliveryOutcome.FAILED


class MulticastPlan(BaseModel):
    model_config = ConfigDict(frozen=True)

    batches: list[list[str]]
    skipped_blocked: int
    done: list[int] = []
    held: list[int] = []


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
            method=doc.get("method"),
            attempted_at=doc.get("attempted_at"),
            outcome=doc.get("outcome"),
            reason=doc.get("attempt_reason"),
        )

    async def record_attempt(
        self, *, command_id: UUID, user_id: str, method: DeliveryMethod, reason: str | None = None
    ) -> None:
        # Deliberately outside any transaction: it must be durable before the request leaves.
        await self._collection.update_one(
            {"_id": str(command_id)},
            {
                "$set": {
                    "method": method.value,
                    "attempted_at": utcnow(),
                    "attempt_reason": reason,
                },
                "$setOnInsert": {"user_id": user_id},
            },
            upsert=True,
        )

    async def forget_attempt(self, *, command_id: UUID) -> None:
        """LINE refused the attempt before taking it (a rate limit): nothing can have arrived."""
        await self._collection.update_one(
            {"_id": str(command_id), "outcome": None},
            {"$set": {"method": None, "attempt_reason": None}},
        )

    def _outcome_update(
        self,
        *,
        method: DeliveryMethod | None,
        outcome: DeliveryOutcome,
        line_request_id: str | None,
        error: str | None,
        reason: str | None,
        held_messages: list[dict[str, Any]] | None,
    ) -> dict[str, Any]:
        now = utcnow()
        values: dict[str, Any] = {
            "method": method.value if method else None,
            "outcome": outcome.value,
            "line_request_id": line_request_id,
            "error": error,
            "reason": reason,
            "completed_at": now,
        }
        if held_messages is not None:
            # Kept so staff can see what was held back; never resent automatically.
            values["held_messages"] = held_messages
        return {"$set": values, "$setOnInsert": {"attempted_at": now}}

    async def record_outcome(
        self,
        tx: Tx,
        *,
        command_id: UUID,
        method: DeliveryMethod | None,
        outcome: DeliveryOutcome,
        line_request_id: str | None,
        error: str | None = None,
        reason: str | None = None,
        held_messages: list[dict[str, Any]] | None = None,
    ) -> None:
        await self._collection.update_one(
            {"_id": str(command_id)},
            self._outcome_update(
                method=method,
                outcome=outcome,
                line_request_id=line_request_id,
                error=error,
                reason=reason,
                held_messages=held_messages,
            ),
            upsert=True,
            session=tx.session,
        )

    async def record_failure(self, tx: Tx, *, command_id: UUID, error: str) -> None:
        """LINE refused the send for good. No attempt stands, so a replay starts afresh."""
        await self._collection.update_one(
            {"_id": str(command_id)},
            self._outcome_update(
                method=None,
                outcome=DeliveryOutcome.FAILED,
                line_request_id=None,
                error=error,
                reason=None,
                held_messages=None,
            ),
            upsert=True,
            session=tx.session,
        )

    # -- multicast -----------------------------------------------------------------------------

    async def multicast_plan(self, command_id: UUID) -> MulticastPlan | None:
        doc = await self._collection.find_one({"_id": str(command_id)}, projection={"plan": 1})
        if doc is None or doc.get("plan") is None:
            return None
        return MulticastPlan.model_validate(doc["plan"])

    async def save_multicast_plan(self, *, command_id: UUID, plan: MulticastPlan) -> MulticastPlan:
        """Record the batches before the first one leaves; a retry keeps the recorded plan.

        Only one consumer handles a command at a time (one partition, one lane per key), so
        look-then-write is safe here. A plan left by a failed attempt is replaced: LINE refused
        those batches, so none of their keys were used.
        """
        doc = await self._collection.find_one({"_id": str(command_id)})
        if doc is not None and doc.get("plan") is not None and doc.get("outcome") is None:
            return MulticastPlan.model_validate(doc["plan"])
        await self._collection.update_one(
            {"_id": str(command_id)},
            {
                "$set": {
                    "plan": plan.model_dump(),
                    "method": DeliveryMethod.MULTICAST.value,
                    "attempted_at": utcnow(),
                    "outcome": None,
                }
            },
            upsert=True,
        )
        return plan

    async def mark_batch(self, *, command_id: UUID, index: int, held: bool) -> None:
        field = "plan.held" if held else "plan.done"
        await self._collection.update_one({"_id": str(command_id)}, {"$addToSet": {field: index}})
