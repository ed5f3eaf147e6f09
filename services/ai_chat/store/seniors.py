"""One document per LINE user: what Dai-chan keeps about a senior besides the turns.

- `memory`: the rolling summary and the facts the senior chose to share (erased on 「忘れて」,
  expired after the retention period without conversation);
- `human`: whether a person at the helpdesk has the conversation (Dai-chan then stays silent);
- `participant_id`: the tablet-lending participant this LINE user linked to, if any;
- `usage`: model tokens used today (the daily budget);
- `checkin`: the daily greeting the senior opted into, and when it is next due;
- `pending`: a question waiting for an answer (「忘れて」 → はい/いいえ).

Updates are field-level (`$set`/`$unset`), never whole-document writes, because several topics
change the same document concurrently (a message, a hand-over, a link).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pymongo import ASCENDING, IndexModel

from services.common.store import CollectionIndexes, MongoStore, Tx
from services.common.time import as_utc

COLLECTION = "seniors"


class _Doc(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Memory(_Doc):
    summary: str = ""
    preferred_name: str | None = None
    interests: list[str] = Field(default_factory=list)
    turns_since_summary: int = 0
    updated_at: datetime | None = None

    def is_empty(self) -> bool:
        return not (self.summary or self.preferred_name or self.interests)


class Human(_Doc):
    # Dai-chan asked for a person and waits for a ticket to take the conversation.
    pending_since: datetime | None = None
    reason: str | None = None
    # Tickets that hold the conversation now (helpdesk.conversation.handed_over, not yet back).
    tickets: list[str] = Field(default_factory=list)

    def holds(self, *, now: datetime, pending_timeout: timedelta) -> bool:
        if self.tickets:
            return True
        return self.pending_since is not None and now - as_utc(self.pending_since) < pending_timeout


class Usage(_Doc):
    day: str
    tokens: int = 0


class Checkin(_Doc):
    enabled: bool = False
    time: str = "08:00"  # HH:MM, Japan time
    next_at: datetime | None = None
    last_sent_on: str | None = None


class Pending(_Doc):
    action: str
    until: datetime


class Senior(_Doc):
    user_id: str = Field(alias="_id")
    following: bool | None = None
    participant_id: str | None = None
    memory: Memory = Field(default_factory=Memory)
    human: Human = Field(default_factory=Human)
    usage: Usage | None = None
    checkin: Checkin = Field(default_factory=Checkin)
    pending: Pending | None = None
    last_message_at: datetime | None = None
    inactivity_flagged_at: datetime | None = None

    def tokens_used(self, day: str) -> int:
        return self.usage.tokens if self.usage and self.usage.day == day else 0


@dataclass
class SeniorChanges:
    """What one handled event changes in a senior's document (None leaves a field alone)."""

    last_message_at: datetime | None = None
    memory: Memory | None = None
    erase_memory: bool = False
    usage: Usage | None = None
    pending: Pending | None = None
    clear_pending: bool = False
    handover_requested_at: datetime | None = None
    handover_reason: str | None = None
    checkin: Checkin | None = None
    following: bool | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def update(self) -> dict[str, Any]:
        to_set: dict[str, Any] = dict(self.extra)
        to_unset: dict[str, str] = {}
        if self.last_message_at is not None:
            to_set["last_message_at"] = self.last_message_at
        if self.erase_memory:
            to_unset["memory"] = ""
        elif self.memory is not None:
            to_set["memory"] = self.memory.model_dump()
        if self.usage is not None:
            to_set["usage"] = self.usage.model_dump()
        if self.clear_pending:
            to_unset["pending"] = ""
        elif self.pending is not None:
            to_set["pending"] = self.pending.model_dump()
        if self.handover_requested_at is not None:
            to_set["human.pending_since"] = self.handover_requested_at
            to_set["human.reason"] = self.handover_reason
        if self.checkin is not None:
            to_set["checkin"] = self.checkin.model_dump()
        if self.following is not None:
            to_set["following"] = self.following
        update: dict[str, Any] = {}
        if to_set:
            update["$set"] = to_set
        if to_unset:
            update["$unset"] = to_unset
        return update


class SeniorRepository:
    def __init__(self, store: MongoStore) -> None:
        self._collection = store.collection(COLLECTION)

    @staticmethod
    def indexes() -> CollectionIndexes:
        return CollectionIndexes(
            COLLECTION,
            [
                IndexModel([("participant_id", ASCENDING)], name="participant", sparse=True),
                IndexModel(
                    [("checkin.enabled", ASCENDING), ("checkin.next_at", ASCENDING)],
                    name="checkin_due",
                ),
                IndexModel([("memory.updated_at", ASCENDING)], name="memory_age", sparse=True),
            ],
        )

    async def get(self, user_id: str, tx: Tx | None = None) -> Senior:
        doc = await self._collection.find_one({"_id": user_id}, session=tx.session if tx else None)
        return Senior.model_validate(doc or {"_id": user_id})

    async def save(self, tx: Tx, *, user_id: str, changes: SeniorChanges) -> None:
        update = changes.update()
        if update:
            await self._collection.update_one(
                {"_id": user_id}, update, upsert=True, session=tx.session
            )

    # -- hand-over to a person and back ---------------------------------------------------------

    async def handed_over(self, tx: Tx, *, user_id: str, ticket_id: str) -> None:
        await self._collection.update_one(
            {"_id": user_id},
            {"$addToSet": {"human.tickets": ticket_id}, "$unset": {"human.pending_since": ""}},
            upsert=True,
            session=tx.session,
        )

    async def handed_back(self, tx: Tx, *, user_id: str, ticket_id: str, at: datetime) -> None:
        await self._collection.update_one(
            {"_id": user_id}, {"$pull": {"human.tickets": ticket_id}}, session=tx.session
        )
        # A hand-back after Dai-chan's own request ends that wait too (the ticket that answered
        # the request may be this one, and its id was never known to Dai-chan).
        await self._collection.update_one(
            {"_id": user_id, "human.pending_since": {"$lte": at}},
            {"$unset": {"human.pending_since": "", "human.reason": ""}},
            session=tx.session,
        )

    # -- account links ---------------------------------------------------------------------------

    async def link(self, tx: Tx, *, user_id: str, participant_id: str, at: datetime) -> None:
        await self._collection.update_one(
            {"_id": user_id},
            {"$set": {"participant_id": participant_id, "linked_at": at}},
            upsert=True,
            session=tx.session,
        )

    async def unlink(self, tx: Tx, *, user_id: str, participant_id: str) -> None:
        await self._collection.update_one(
            {"_id": user_id, "participant_id": participant_id},
            {"$unset": {"participant_id": "", "linked_at": ""}},
            session=tx.session,
        )

    async def forget_participant(self, tx: Tx, *, participant_id: str) -> None:
        await self._collection.update_many(
            {"participant_id": participant_id},
            {"$unset": {"participant_id": "", "linked_at": ""}},
            session=tx.session,
        )

    async def user_for_participant(self, participant_id: str) -> str | None:
        doc = await self._collection.find_one({"participant_id": participant_id}, {"_id": 1})
        return str(doc["_id"]) if doc else None

    # -- daily check-ins and the friendly call -------------------------------------------------

    async def due_checkins(self, *, now: datetime, limit: int) -> list[Senior]:
        docs = (
            await self._collection.find({"checkin.enabled": True, "checkin.next_at": {"$lte": now}})
            .sort("checkin.next_at", ASCENDING)
            .limit(limit)
            .to_list()
        )
        return [Senior.model_validate(doc) for doc in docs]

    async def advance_checkin(
        self,
        tx: Tx,
        *,
        user_id: str,
        expected_next_at: datetime,
        next_at: datetime,
        sent_on: str | None,
    ) -> bool:
        """Move the next check-in on, if nobody else did; True when this caller did it."""
        to_set: dict[str, Any] = {"checkin.next_at": next_at}
        if sent_on is not None:
            to_set["checkin.last_sent_on"] = sent_on
        result = await self._collection.update_one(
            {"_id": user_id, "checkin.enabled": True, "checkin.next_at": expected_next_at},
            {"$set": to_set},
            session=tx.session,
        )
        return result.modified_count == 1

    async def quiet_seniors(self, *, silent_since: datetime, limit: int) -> list[Senior]:
        """Seniors with check-ins on who have not written since `silent_since` and not flagged."""
        docs = (
            await self._collection.find(
                {
                    "checkin.enabled": True,
                    "following": {"$ne": False},
                    "last_message_at": {"$lt": silent_since},
                    "$or": [
                        {"inactivity_flagged_at": None},
                        {"$expr": {"$lt": ["$inactivity_flagged_at", "$last_message_at"]}},
                    ],
                }
            )
            .limit(limit)
            .to_list()
        )
        return [Senior.model_validate(doc) for doc in docs]

    async def flag_inactive(
        self, tx: Tx, *, user_id: str, last_message_at: datetime, at: datetime
    ) -> bool:
        result = await self._collection.update_one(
            {"_id": user_id, "last_message_at": last_message_at},
            {"$set": {"inactivity_flagged_at": at}},
            session=tx.session,
        )
        return result.modified_count == 1

    async def expire_memories(self, *, older_than: datetime) -> int:
        result = await self._collection.update_many(
            {"memory.updated_at": {"$lt": older_than}}, {"$unset": {"memory": ""}}
        )
        return result.modified_count
