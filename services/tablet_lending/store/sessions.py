"""Sessions and their registrations in MongoDB.

A session's `booked` count is changed in the same transaction as the registration, so the seat
count and the list of registrations always agree, and concurrent bookings of the last seat
conflict instead of overselling it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel

from services.common.events.contracts.lending import SessionKind
from services.common.store import CollectionIndexes, MongoStore, Tx
from services.common.store.repository import Repository, session_of
from services.tablet_lending.domain.sessions import Registration, RegistrationStatus, Session

SESSIONS = "sessions"
REGISTRATIONS = "session_registrations"


def registration_id(session_id: str, participant_id: str) -> str:
    return f"{session_id}:{participant_id}"


class SessionRepository(Repository[Session]):
    def __init__(self, store: MongoStore) -> None:
        super().__init__(store, collection=SESSIONS, model=Session, id_field="session_id")

    @staticmethod
    def indexes() -> CollectionIndexes:
        return CollectionIndexes(
            SESSIONS,
            [IndexModel([("cohort_id", ASCENDING), ("starts_at", ASCENDING)], name="cohort")],
        )

    async def insert(self, tx: Tx, session: Session) -> None:
        await self._collection.insert_one(self._document(session), session=tx.session)

    async def get(self, session_id: str, tx: Tx | None = None) -> Session | None:
        doc = await self._collection.find_one({"_id": session_id}, session=session_of(tx))
        return self._item(doc) if doc else None

    async def find(
        self,
        *,
        cohort_id: str | None = None,
        kind: SessionKind | None = None,
        starts_from: datetime | None = None,
        starts_before: datetime | None = None,
    ) -> list[Session]:
        query: dict[str, Any] = {}
        if cohort_id:
            query["cohort_id"] = cohort_id
        if kind:
            query["kind"] = kind.value
        window: dict[str, Any] = {}
        if starts_from:
            window["$gte"] = starts_from
        if starts_before:
            window["$lt"] = starts_before
        if window:
            query["starts_at"] = window
        docs = await self._collection.find(query).sort("starts_at", 1).to_list()
        return [self._item(doc) for doc in docs]

    async def add_booked(self, tx: Tx, session_id: str, delta: int) -> None:
        await self._collection.update_one(
            {"_id": session_id}, {"$inc": {"booked": delta}}, session=tx.session
        )

    async def cancel(self, tx: Tx, session_id: str) -> None:
        await self._collection.update_one(
            {"_id": session_id}, {"$set": {"cancelled": True}}, session=tx.session
        )


class RegistrationRepository:
    def __init__(self, store: MongoStore) -> None:
        self._collection = store.collection(REGISTRATIONS)

    @staticmethod
    def indexes() -> CollectionIndexes:
        return CollectionIndexes(
            REGISTRATIONS,
            [
                IndexModel([("session_id", ASCENDING), ("status", ASCENDING)], name="session"),
                IndexModel(
                    [("participant_id", ASCENDING), ("kind", ASCENDING)], name="participant"
                ),
            ],
        )

    async def get(
        self, session_id: str, participant_id: str, tx: Tx | None = None
    ) -> Registration | None:
        doc = await self._collection.find_one(
            {"_id": registration_id(session_id, participant_id)}, session=session_of(tx)
        )
        return _registration(doc) if doc else None

    async def save(self, tx: Tx, registration: Registration) -> None:
        doc = registration.model_dump(mode="python")
        doc["_id"] = registration_id(registration.session_id, registration.participant_id)
        await self._collection.replace_one(
            {"_id": doc["_id"]}, doc, upsert=True, session=tx.session
        )

    async def of_session(
        self, session_id: str, *, booked_only: bool = False, tx: Tx | None = None
    ) -> list[Registration]:
        query: dict[str, Any] = {"session_id": session_id}
        if booked_only:
            query["status"] = RegistrationStatus.BOOKED.value
        docs = (
            await self._collection.find(query, session=session_of(tx))
            .sort("booked_at", 1)
            .to_list()
        )
        return [_registration(doc) for doc in docs]

    async def of_sessions_booked(self, session_ids: list[str]) -> list[Registration]:
        docs = await self._collection.find(
            {"session_id": {"$in": session_ids}, "status": RegistrationStatus.BOOKED.value}
        ).to_list()
        return [_registration(doc) for doc in docs]

    async def of_participant(self, participant_id: str) -> list[Registration]:
        docs = await self._collection.find({"participant_id": participant_id}).to_list()
        return [_registration(doc) for doc in docs]

    async def attended(
        self, tx: Tx, *, participant_id: str, cohort_id: str, kind: SessionKind
    ) -> bool:
        doc = await self._collection.find_one(
            {
                "participant_id": participant_id,
                "cohort_id": cohort_id,
                "kind": kind.value,
                "attended": True,
            },
            {"_id": 1},
            session=tx.session,
        )
        return doc is not None

    async def summary_by_session(self) -> dict[str, dict[str, int]]:
        """Per session: registrations that stand (booked, walk-ins among them) and attendance."""
        standing = {"$eq": ["$status", RegistrationStatus.BOOKED.value]}
        cursor = await self._collection.aggregate(
            [
                {
                    "$group": {
                        "_id": "$session_id",
                        "registered": {"$sum": {"$cond": [standing, 1, 0]}},
                        "walk_ins": {
                            "$sum": {
                                "$cond": [{"$and": [standing, {"$eq": ["$walk_in", True]}]}, 1, 0]
                            }
                        },
                        "attended": {"$sum": {"$cond": [{"$eq": ["$attended", True]}, 1, 0]}},
                    }
                }
            ]
        )
        return {
            str(row["_id"]): {
                "registered": int(row["registered"]),
                "walk_ins": int(row["walk_ins"]),
                "attended": int(row["attended"]),
            }
            async for row in cursor
        }


def _registration(doc: dict[str, Any]) -> Registration:
    data = dict(doc)
    data.pop("_id", None)
    return Registration.model_validate(data)
