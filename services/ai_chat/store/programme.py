"""ai_chat's own read model of `lending.events`: loans, sessions, bookings, cohorts.

Built only from events (ids, dates, areas; never names or addresses), so Dai-chan answers "when
do I return my tablet?" from data without calling tablet_lending. Events of different keys may
arrive in any order, so each fact is stored on its own and joined when read; a session changed
twice keeps the later version (by the event's `occurred_at`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from pymongo import ASCENDING, IndexModel

from services.common.store import CollectionIndexes, MongoStore, Tx

LOANS = "loans"
SESSIONS = "sessions"
BOOKINGS = "bookings"
ENROLMENTS = "enrolments"
COHORTS = "cohorts"


class _Doc(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class LoanView(_Doc):
    loan_id: str
    participant_id: str
    cohort_id: str
    device_model: str | None = None
    issued_on: date | None = None
    due_on: date | None = None
    status: str = "active"  # active, returned, lost, damaged
    closed_on: date | None = None
    days_overdue: int = 0


class SessionView(_Doc):
    session_id: str
    cohort_id: str
    kind: str
    title: str
    venue: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    seats_left: int
    cancelled: bool = False


class CohortView(_Doc):
    cohort_id: str
    name: str
    lending_starts_on: date
    lending_ends_on: date


def _day(value: date) -> str:
    # BSON has no date-only type; ISO strings sort and compare correctly.
    return value.isoformat()


def _loan(doc: dict[str, Any]) -> LoanView:
    return LoanView.model_validate(doc)


class ProgrammeRepository:
    def __init__(self, store: MongoStore) -> None:
        self._loans = store.collection(LOANS)
        self._sessions = store.collection(SESSIONS)
        self._bookings = store.collection(BOOKINGS)
        self._enrolments = store.collection(ENROLMENTS)
        self._cohorts = store.collection(COHORTS)

    @staticmethod
    def indexes() -> list[CollectionIndexes]:
        return [
            CollectionIndexes(
                LOANS, [IndexModel([("participant_id", ASCENDING)], name="participant")]
            ),
            CollectionIndexes(
                SESSIONS,
                [IndexModel([("cohort_id", ASCENDING), ("starts_at", ASCENDING)], name="upcoming")],
            ),
            CollectionIndexes(
                BOOKINGS, [IndexModel([("participant_id", ASCENDING)], name="participant")]
            ),
        ]

    # -- writes (one per event) -------------------------------------------------------------------

    async def loan_issued(
        self,
        tx: Tx,
        *,
        loan_id: str,
        participant_id: str,
        cohort_id: str,
        device_model: str,
        issued_on: date,
        due_on: date,
    ) -> None:
        await self._loans.update_one(
            {"_id": loan_id},
            {
                "$set": {
                    "loan_id": loan_id,
                    "participant_id": participant_id,
                    "cohort_id": cohort_id,
                    "device_model": device_model,
                    "issued_on": _day(issued_on),
                    "due_on": _day(due_on),
                },
                "$setOnInsert": {"status": "active"},
            },
            upsert=True,
            session=tx.session,
        )
        await self._enrol(tx, participant_id=participant_id, cohort_id=cohort_id)

    async def loan_closed(
        self,
        tx: Tx,
        *,
        loan_id: str,
        participant_id: str,
        cohort_id: str,
        outcome: str,
        closed_on: date,
    ) -> None:
        await self._loans.update_one(
            {"_id": loan_id},
            {
                "$set": {
                    "loan_id": loan_id,
                    "participant_id": participant_id,
                    "cohort_id": cohort_id,
                    "status": outcome,
                    "closed_on": _day(closed_on),
                }
            },
            upsert=True,
            session=tx.session,
        )

    async def loan_overdue(
        self,
        tx: Tx,
        *,
        loan_id: str,
        participant_id: str,
        cohort_id: str,
        due_on: date,
        days_overdue: int,
    ) -> None:
        # Only an open loan can be overdue; a late event about a returned tablet changes nothing.
        await self._loans.update_one(
            {"_id": loan_id, "status": {"$in": ["active", None]}},
            {
                "$set": {
                    "loan_id": loan_id,
                    "participant_id": participant_id,
                    "cohort_id": cohort_id,
                    "due_on": _day(due_on),
                    "days_overdue": days_overdue,
                    "status": "active",
                }
            },
            upsert=False,
            session=tx.session,
        )

    async def session_scheduled(
        self, tx: Tx, *, session: SessionView, version_at: datetime
    ) -> None:
        existing = await self._sessions.find_one(
            {"_id": session.session_id}, {"version_at": 1}, session=tx.session
        )
        if (
            existing is not None
            and existing.get("version_at")
            and existing["version_at"] > version_at
        ):
            return
        await self._sessions.update_one(
            {"_id": session.session_id},
            {"$set": {**session.model_dump(), "version_at": version_at}},
            upsert=True,
            session=tx.session,
        )

    async def booking(
        self, tx: Tx, *, session_id: str, participant_id: str, booked: bool, at: datetime
    ) -> None:
        key = f"{session_id}:{participant_id}"
        existing = await self._bookings.find_one({"_id": key}, {"at": 1}, session=tx.session)
        if existing is not None and existing["at"] > at:
            return
        await self._bookings.update_one(
            {"_id": key},
            {
                "$set": {
                    "session_id": session_id,
                    "participant_id": participant_id,
                    "booked": booked,
                    "at": at,
                }
            },
            upsert=True,
            session=tx.session,
        )

    async def enrolled(self, tx: Tx, *, participant_id: str, cohort_id: str) -> None:
        await self._enrol(tx, participant_id=participant_id, cohort_id=cohort_id)

    async def _enrol(self, tx: Tx, *, participant_id: str, cohort_id: str) -> None:
        await self._enrolments.update_one(
            {"_id": participant_id},
            {"$set": {"cohort_id": cohort_id}},
            upsert=True,
            session=tx.session,
        )

    async def cohort_published(self, tx: Tx, *, cohort: CohortView) -> None:
        await self._cohorts.update_one(
            {"_id": cohort.cohort_id},
            {
                "$set": {
                    "cohort_id": cohort.cohort_id,
                    "name": cohort.name,
                    "lending_starts_on": _day(cohort.lending_starts_on),
                    "lending_ends_on": _day(cohort.lending_ends_on),
                }
            },
            upsert=True,
            session=tx.session,
        )

    async def erase_participant(self, tx: Tx, *, participant_id: str) -> None:
        for collection in (self._loans, self._bookings):
            await collection.delete_many({"participant_id": participant_id}, session=tx.session)
        await self._enrolments.delete_one({"_id": participant_id}, session=tx.session)

    # -- reads -----------------------------------------------------------------------------------

    async def loans_of(self, participant_id: str) -> list[LoanView]:
        docs = await self._loans.find({"participant_id": participant_id}).to_list()
        return sorted((_loan(doc) for doc in docs), key=lambda loan: loan.issued_on or date.min)

    async def cohort_of(self, participant_id: str) -> str | None:
        doc = await self._enrolments.find_one({"_id": participant_id})
        return str(doc["cohort_id"]) if doc else None

    async def cohort(self, cohort_id: str) -> CohortView | None:
        doc = await self._cohorts.find_one({"_id": cohort_id})
        return CohortView.model_validate(doc) if doc else None

    async def upcoming_sessions(
        self, cohort_id: str, *, after: datetime, limit: int
    ) -> list[SessionView]:
        docs = (
            await self._sessions.find(
                {"cohort_id": cohort_id, "starts_at": {"$gt": after}, "cancelled": False}
            )
            .sort("starts_at", ASCENDING)
            .limit(limit)
            .to_list()
        )
        return [SessionView.model_validate(doc) for doc in docs]

    async def booked_sessions(self, participant_id: str) -> set[str]:
        docs = await self._bookings.find(
            {"participant_id": participant_id, "booked": True}, {"session_id": 1}
        ).to_list()
        return {str(doc["session_id"]) for doc in docs}
