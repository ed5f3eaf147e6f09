"""One document per LINE user: everything Dai-chan keeps about a senior.

- `memory`: the last few turns verbatim, the rolling summary and the facts the senior chose to
  share; all of it is erased on 「忘れて」 and expires after the retention period without
  conversation. Older turns are not kept anywhere: the summary is what remains of them;
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
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pymongo import ASCENDING, IndexModel, ReturnDocument

from services.common.store import CollectionIndexes, MongoStore, Tx
from services.common.time import as_utc

COLLECTION = "seniors"


class _Doc(BaseModel):
    model_config = ConfigDict(extra="ignore")


# A turn is stored at most this long (LINE allows 5000 characters; context needs far less).
MAX_STORED_TURN_CHARS = 1000


class Turn(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    role: Literal["senior", "daichan"]
    text: str
    at: datetime
    # Which reviewed persona prompt wrote Dai-chan's words (None for fixed texts and the senior).
    persona_version: str | None = None
    # How the senior said it: typed, spoken (transcribed) or tapped.
    via: Literal["text", "voice", "button"] | None = None


class Memory(_Doc):
    turns: list[Turn] = Field(default_factory=list)
    summary: str = ""
    preferred_name: str | None = None
    interests: list[str] = Field(default_factory=list)
    turns_since_summary: int = 0
    updated_at: datetime | None = None

    def is_empty(self) -> bool:
        return not (self.turns or self.summary or self.preferred_name or self.interests)


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
    # For a safety check: the route Dai-chan was unsure about.
    route: str | None = None


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
    # Memory fields other than the turns (those are appended with `turns`).
    memory: Memory | None = None
    erase_memory: bool = False
    turns: list[Turn] = field(default_factory=list)
    keep_turns: int = 8
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
        push: dict[str, Any] = {}
        self._memory_update(to_set, to_unset, push)
        optional = {
            "last_message_at": self.last_message_at,
            "usage": self.usage.model_dump() if self.usage else None,
            "pending": self.pending.model_dump() if self.pending else None,
            "human.pending_since": self.handover_requested_at,
            "human.reason": self.handover_reason,
            "checkin": self.checkin.model_dump() if self.checkin else None,
            "following": self.following,
        }
        to_set.update({path: value for path, value in optional.items() if value is not None})
        if self.clear_pending:
            to_set.pop("pending", None)
            to_unset["pending"] = ""
        operators = {"$set": to_set, "$unset": to_unset, "$push": push}
        return {operator: fields for operator, fields in operators.items() if fields}

    def _memory_update(
        self, to_set: dict[str, Any], to_unset: dict[str, str], push: dict[str, Any]
    ) -> None:
        # Fields are set one by one so the turns can be appended in the same update.
        if self.erase_memory:
            to_unset["memory"] = ""
            return
        if self.memory is not None:
            for name, value in self.memory.model_dump(exclude={"turns"}).items():
                to_set[f"memory.{name}"] = value
        if self.turns:
            push["memory.turns"] = {
                "$each": [
                    {
                        **turn.model_dump(exclude_none=True),
                        "text": turn.text[:MAX_STORED_TURN_CHARS],
                    }
                    for turn in self.turns
                ],
                "$slice": -self.keep_turns,
            }
            if to_set.get("memory.updated_at") is None:
                to_set["memory.updated_at"] = self.turns[-1].at


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

    async def save(self, tx: Tx, *, user_id: str, changes: SeniorChanges) -> Senior:
        """Apply `changes`; the document as it was before them (one round trip either way)."""
        update = changes.update()
        if not update:
            return await self.get(user_id, tx)
        before = await self._collection.find_one_and_update(
            {"_id": user_id},
            update,
            upsert=True,
            return_document=ReturnDocument.BEFORE,
            session=tx.session,
        )
        return Senior.model_validate(before or {"_id": user_id})

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
