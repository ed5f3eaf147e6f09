"""One document per LINE user (`seniors`): everything Dai-chan keeps about a senior.

The types are `domain/seniors.py`; this maps them to documents. Updates are field-level
(`$set`/`$unset`), never whole-document writes, because several topics change the same document
concurrently (a message, a hand-over, an erasure).

Before each answer the senior is read with the event's processed mark in one command
(`before_answer`, `MongoStore.find_by_ids`): the one round trip before Dai-chan decides (and
asks the model), instead of the framework's read of the mark and then the senior's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel, ReturnDocument

from services.ai_chat.domain.seniors import Senior, SeniorChanges
from services.common.store import ById, CollectionIndexes, MongoStore, Tx
from services.common.store.repository import from_document

COLLECTION = "seniors"
# A turn is stored at most this long (LINE allows 5000 characters; context needs far less).
MAX_STORED_TURN_CHARS = 1000


def _senior(doc: dict[str, Any]) -> Senior:
    return from_document(Senior, doc, id_field="user_id")


def _update(changes: SeniorChanges) -> dict[str, Any]:
    """The MongoDB update that makes `changes` (empty when nothing changes)."""
    to_set: dict[str, Any] = dict(changes.extra)
    to_unset: dict[str, str] = {}
    push: dict[str, Any] = {}
    _memory_update(changes, to_set, to_unset, push)
    optional = {
        "last_message_at": changes.last_message_at,
        "usage": changes.usage.model_dump() if changes.usage else None,
        "pending": changes.pending.model_dump() if changes.pending else None,
        "human.pending_since": changes.handover_requested_at,
        "human.waiting_since": changes.handover_requested_at,
        "human.reason": changes.handover_reason,
        "human.acknowledged": changes.acknowledged_wait,
        "checkin": changes.checkin.model_dump() if changes.checkin else None,
        "following": changes.following,
    }
    to_set.update({path: value for path, value in optional.items() if value is not None})
    if changes.participant is not None:
        # `linked_at` was written by the link projection this replaced: gone with the link.
        to_unset["linked_at"] = ""
        if changes.participant.participant_id is None:
            to_unset["participant_id"] = ""
        else:
            to_set["participant_id"] = changes.participant.participant_id
    if changes.clear_pending:
        to_set.pop("pending", None)
        to_unset["pending"] = ""
    operators = {"$set": to_set, "$unset": to_unset, "$push": push}
    return {operator: fields for operator, fields in operators.items() if fields}


def _memory_update(
    changes: SeniorChanges, to_set: dict[str, Any], to_unset: dict[str, str], push: dict[str, Any]
) -> None:
    # Fields are set one by one so the turns can be appended in the same update.
    if changes.erase_memory:
        to_unset["memory"] = ""
        return
    if changes.memory is not None:
        for name, value in changes.memory.model_dump(exclude={"turns"}).items():
            to_set[f"memory.{name}"] = value
    if changes.turns:
        push["memory.turns"] = {
            "$each": [
                {
                    **turn.model_dump(exclude_none=True),
                    "text": turn.text[:MAX_STORED_TURN_CHARS],
                }
                for turn in changes.turns
            ],
            "$slice": -changes.keep_turns,
        }
        if to_set.get("memory.updated_at") is None:
            to_set["memory.updated_at"] = changes.turns[-1].at


@dataclass(frozen=True)
class BeforeAnswer:
    """What an inbound event is answered from: the senior, and whether the event was handled."""

    senior: Senior
    handled: bool


class SeniorRepository:
    def __init__(self, store: MongoStore) -> None:
        self._store = store
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
        return _senior(doc or {"_id": user_id})

    async def before_answer(self, user_id: str, *, mark: ById) -> BeforeAnswer:
        """The senior and whether the event's processed `mark` exists, in one round trip (outside
        any transaction: the mark is claimed again when the answer commits)."""
        found, doc = await self._store.find_by_ids([mark, ById(COLLECTION, user_id)])
        return BeforeAnswer(senior=_senior(doc or {"_id": user_id}), handled=found is not None)

    async def save(self, tx: Tx, *, user_id: str, changes: SeniorChanges) -> Senior:
        """Apply `changes`; the document as it was before them (one round trip either way)."""
        update = _update(changes)
        if not update:
            return await self.get(user_id, tx)
        before = await self._collection.find_one_and_update(
            {"_id": user_id},
            update,
            upsert=True,
            return_document=ReturnDocument.BEFORE,
            session=tx.session,
        )
        return _senior(before or {"_id": user_id})

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
        # The wait ends when no ticket holds the conversation any more (unless Dai-chan asked
        # for a person again after this hand-back): the next request starts a new one.
        await self._collection.update_one(
            {"_id": user_id, "human.tickets": {"$size": 0}, "human.waiting_since": {"$lte": at}},
            {"$unset": {"human.waiting_since": "", "human.acknowledged": ""}},
            session=tx.session,
        )

    async def end_wait(self, tx: Tx, *, user_id: str, wait: datetime) -> None:
        """End the waiting period that began at `wait` (`Human.wait_answered`); conditional on it,
        so a newer wait begun meanwhile is left alone."""
        await self._collection.update_one(
            {"_id": user_id, "human.waiting_since": wait},
            {"$unset": {"human.waiting_since": "", "human.acknowledged": ""}},
            session=tx.session,
        )

    # -- erasure of a participant (lending.events) -----------------------------------------------

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
        return [_senior(doc) for doc in docs]

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
        return [_senior(doc) for doc in docs]

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

    async def preferred_name(self, user_id: str) -> str | None:
        """The name the senior told Dai-chan to call them by, and nothing else of the memory
        (the projection reads that one field)."""
        doc = await self._collection.find_one(
            {"_id": user_id}, {"_id": 0, "memory.preferred_name": 1}
        )
        name = ((doc or {}).get("memory") or {}).get("preferred_name")
        return name if isinstance(name, str) and name else None
