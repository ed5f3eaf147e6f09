"""Delivery attempts and outcomes: what the gateway tried for each send command, and how it ended.

Recording the attempt first is what lets a restarted gateway tell "never sent" from "maybe sent"
(see `domain/delivery.py`). A multicast also records its batches (which users, in which
order) before the first one leaves, so a retry sends exactly the same batches with the same keys.

Attempts (`delivery_attempts`, written outside any transaction before a request leaves) and
outcomes (`deliveries`, written in the transaction that finishes the command) are separate
documents on purpose. A gateway killed inside an outcome transaction leaves that transaction
open on mongod, with its documents locked, until mongod gives up on it (a minute by default);
had the attempt been the same document, the restarted gateway's next attempt would wait that
minute before sending anything, and a reply's token would expire meanwhile. This way only the
bookkeeping after the send waits.

Before a send, the attempt, the outcome and the senior's follow status are read together in one
command (`before_send`, `MongoStore.find_by_ids`): the one round trip the sender makes before
its request leaves. The outcome also tells a redelivery of a finished command, as it is
committed with the command's claim.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from pymongo import IndexModel

from services.common.events.contracts.line import DeliveryMethod, DeliveryOutcome
from services.common.store import ById, CollectionIndexes, MongoStore, Tx
from services.common.store.mongo import Document, unset_none
from services.common.time import utcnow
from services.line_gateway.domain.delivery import DeliveryAttempt
from services.line_gateway.domain.multicast import MulticastPlan
from services.line_gateway.store.line_users import LineUserRepository

COLLECTION = "deliveries"
ATTEMPTS_COLLECTION = "delivery_attempts"


@dataclass(frozen=True)
class BeforeSend:
    """What a send is decided on: the attempt on record (None: never tried), and whether the
    senior has blocked the account."""

    previous: DeliveryAttempt | None
    blocked: bool


class DeliveryRepository:
    def __init__(self, store: MongoStore) -> None:
        self._store = store
        self._collection = store.collection(COLLECTION)
        self._attempts = store.collection(ATTEMPTS_COLLECTION)

    @staticmethod
    def indexes() -> list[CollectionIndexes]:
        return [
            CollectionIndexes(COLLECTION, [IndexModel([("completed_at", 1)], name="completed")]),
            CollectionIndexes(
                ATTEMPTS_COLLECTION, [IndexModel([("attempted_at", 1)], name="attempted")]
            ),
        ]

    async def get(self, command_id: UUID) -> DeliveryAttempt | None:
        attempt, done = await self._store.find_by_ids(_records(command_id))
        return _attempt_of(command_id, attempt, done)

    async def before_send(self, command_id: UUID, user_id: str) -> BeforeSend:
        """The attempt on record and the senior's follow status, in one round trip."""
        attempt, done, user = await self._store.find_by_ids(
            [*_records(command_id), LineUserRepository.follow_status(user_id)]
        )
        return BeforeSend(
            previous=_attempt_of(command_id, attempt, done),
            blocked=LineUserRepository.has_blocked(user),
        )

    async def record_attempt(
        self, *, command_id: UUID, user_id: str, method: DeliveryMethod, reason: str | None = None
    ) -> None:
        # Deliberately outside any transaction: it must be durable before the request leaves.
        await self._attempts.update_one(
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
        await self._attempts.update_one(
            {"_id": str(command_id)}, {"$set": {"method": None, "attempt_reason": None}}
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
        user_id: str | None,
        audience: str | None,
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
        # Who the send was for, kept with its outcome (a held send has no attempt document).
        recipient = unset_none({"user_id": user_id, "audience": audience})
        return {"$set": values, "$setOnInsert": {"attempted_at": now, **recipient}}

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
        user_id: str | None = None,
        audience: str | None = None,
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
                user_id=user_id,
                audience=audience,
            ),
            upsert=True,
            session=tx.session,
        )

    async def record_failure(
        self,
        tx: Tx,
        *,
        command_id: UUID,
        error: str,
        user_id: str | None = None,
        audience: str | None = None,
    ) -> None:
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
                user_id=user_id,
                audience=audience,
            ),
            upsert=True,
            session=tx.session,
        )

    # -- multicast -----------------------------------------------------------------------------

    async def multicast_plan(self, command_id: UUID) -> MulticastPlan | None:
        doc = await self._attempts.find_one({"_id": str(command_id)}, projection={"plan": 1})
        if doc is None or doc.get("plan") is None:
            return None
        return MulticastPlan.model_validate(doc["plan"])

    async def save_multicast_plan(self, *, command_id: UUID, plan: MulticastPlan) -> MulticastPlan:
        """Record the batches before the first one leaves; a retry keeps the recorded plan.

        Only one consumer handles a command at a time (one partition, one lane per key), so
        look-then-write is safe here. A plan left by a failed attempt is replaced: LINE refused
        those batches, so none of their keys were used.
        """
        recorded = await self.get(command_id)
        kept = await self.multicast_plan(command_id)
        if kept is not None and recorded is not None and recorded.outcome is None:
            return kept
        await self._attempts.update_one(
            {"_id": str(command_id)},
            {
                "$set": {
                    "plan": plan.model_dump(),
                    "method": DeliveryMethod.MULTICAST.value,
                    "attempted_at": utcnow(),
                    "attempt_reason": None,
                }
            },
            upsert=True,
        )
        return plan

    async def mark_batch(self, *, command_id: UUID, index: int, held: bool) -> None:
        field = "plan.held" if held else "plan.done"
        await self._attempts.update_one({"_id": str(command_id)}, {"$addToSet": {field: index}})


def _records(command_id: UUID) -> list[ById]:
    # Whole documents: a projection costs mongod more than the few fields it would leave out.
    return [ById(ATTEMPTS_COLLECTION, str(command_id)), ById(COLLECTION, str(command_id))]


def _attempt_of(
    command_id: UUID, attempt: Document | None, done: Document | None
) -> DeliveryAttempt | None:
    """The attempt from its own document and the outcome from the delivery's."""
    if attempt is None and done is None:
        return None
    # Before attempts had their own documents (an older release), both lived in one.
    attempt = attempt or done or {}
    done = done or {}
    outcome = done.get("outcome")
    attempted_at = attempt.get("attempted_at")
    if (
        outcome == DeliveryOutcome.FAILED.value
        and attempted_at is not None
        and done.get("completed_at") is not None
        and attempted_at > done["completed_at"]
    ):
        # A replay after LINE refused the command is under way: its attempt counts.
        outcome = None
    return DeliveryAttempt(
        command_id=command_id,
        method=attempt.get("method"),
        attempted_at=attempted_at,
        outcome=outcome,
        reason=attempt.get("attempt_reason"),
    )
