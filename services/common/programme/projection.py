"""The programme projection's repository: one document per loan, session, booking, enrolment, cohort.

Events of different keys may arrive in any order, so each fact is stored on its own and joined
when read; a session changed twice keeps the later version (by the event's `occurred_at`), a
booking the later of its booking and cancellation, and a loan once closed stays closed.
Every write is an upsert keyed by the fact's own id, so a repeat changes nothing.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pymongo import ASCENDING, IndexModel

from services.common.events.contracts.lending import (
    CohortPublished,
    LoanClosed,
    LoanIssued,
    LoanOverdue,
    SessionAttended,
    SessionBooked,
    SessionBookingCancelled,
    SessionKind,
    SessionScheduled,
)
from services.common.programme.views import (
    AreaView,
    BookingView,
    CohortView,
    EnrolmentView,
    LoanView,
    SessionView,
)
from services.common.store import CollectionIndexes, MongoStore, Tx
from services.common.store.repository import from_document, plain

LOANS = "programme_loans"
SESSIONS = "programme_sessions"
BOOKINGS = "programme_bookings"
ENROLMENTS = "programme_enrolments"
COHORTS = "programme_cohorts"
OPEN = ("active", None)


class ProgrammeProjection:
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
                [
                    IndexModel(
                        [("cohort_id", ASCENDING), ("starts_at", ASCENDING)], name="upcoming"
                    ),
                    # The public sessions of an area (or of all), soonest first, in one query.
                    IndexModel(
                        [("kind", ASCENDING), ("area_code", ASCENDING), ("starts_at", ASCENDING)],
                        name="public",
                    ),
                ],
            ),
            CollectionIndexes(
                BOOKINGS, [IndexModel([("participant_id", ASCENDING)], name="participant")]
            ),
        ]

    # -- writes (one per event) -------------------------------------------------------------------

    async def loan_issued(self, tx: Tx, loan: LoanIssued) -> None:
        await self._set_loan(
            tx,
            loan.loan_id,
            plain(loan.model_dump(mode="python")),
            on_insert={"status": "active"},
        )
        await self.enrolled(tx, participant_id=loan.participant_id, cohort_id=loan.cohort_id)

    async def loan_closed(self, tx: Tx, loan: LoanClosed) -> None:
        await self._set_loan(
            tx,
            loan.loan_id,
            {
                **_ids(loan),
                "status": loan.outcome.value,
                "closed_on": plain(loan.closed_on),
                "days_overdue": 0,
            },
        )

    async def loan_overdue(self, tx: Tx, loan: LoanOverdue) -> None:
        # Only an open loan can be overdue; a late notice about a returned tablet changes nothing.
        existing = await self._loans.find_one(
            {"_id": loan.loan_id}, {"status": 1}, session=tx.session
        )
        if existing is not None and existing.get("status") not in OPEN:
            return
        await self._set_loan(
            tx,
            loan.loan_id,
            {
                **_ids(loan),
                "due_on": plain(loan.due_on),
                "days_overdue": loan.days_overdue,
                "overdue_stage": loan.stage,
                "status": "active",
            },
        )

    async def _set_loan(
        self,
        tx: Tx,
        loan_id: str,
        values: dict[str, Any],
        *,
        on_insert: dict[str, Any] | None = None,
    ) -> None:
        update: dict[str, Any] = {"$set": values}
        if on_insert:
            update["$setOnInsert"] = on_insert
        await self._loans.update_one({"_id": loan_id}, update, upsert=True, session=tx.session)

    async def session_scheduled(self, tx: Tx, session: SessionScheduled, *, at: datetime) -> None:
        existing = await self._sessions.find_one(
            {"_id": session.session_id}, {"version_at": 1}, session=tx.session
        )
        if existing is not None and existing.get("version_at") and existing["version_at"] > at:
            return
        values = SessionView(
            session_id=session.session_id,
            cohort_id=session.cohort_id,
            kind=session.kind.value,
            title=session.title,
            venue=session.venue,
            starts_at=session.starts_at,
            ends_at=session.ends_at,
            capacity=session.capacity,
            seats_left=session.seats_left,
            cancelled=session.cancelled,
            area_code=session.area_code,
        ).model_dump()
        await self._sessions.update_one(
            {"_id": session.session_id},
            {"$set": {**values, "version_at": at}},
            upsert=True,
            session=tx.session,
        )

    async def session_booked(self, tx: Tx, booking: SessionBooked) -> None:
        await self._booking(
            tx, booking.session_id, booking.participant_id, booked=True, at=booking.booked_at
        )

    async def booking_cancelled(self, tx: Tx, cancelled: SessionBookingCancelled) -> None:
        await self._booking(
            tx,
            cancelled.session_id,
            cancelled.participant_id,
            booked=False,
            at=cancelled.cancelled_at,
        )

    async def _booking(
        self, tx: Tx, session_id: str, participant_id: str, *, booked: bool, at: datetime
    ) -> None:
        """Booked or cancelled at `at`; an older change arriving late changes nothing."""
        key = _booking_id(session_id, participant_id)
        existing = await self._bookings.find_one({"_id": key}, {"at": 1}, session=tx.session)
        if existing is not None and existing.get("at") and existing["at"] > at:
            return
        values: dict[str, Any] = {"booked": booked, "booking": "booked" if booked else "cancelled"}
        if booked:
            values["booked_at"] = at
        await self._set_booking(tx, session_id, participant_id, {**values, "at": at})

    async def attended(self, tx: Tx, attendance: SessionAttended) -> None:
        await self._set_booking(
            tx,
            attendance.session_id,
            attendance.participant_id,
            {"booking": "attended" if attendance.attended else "absent"},
        )

    async def _set_booking(
        self, tx: Tx, session_id: str, participant_id: str, values: dict[str, Any]
    ) -> None:
        await self._bookings.update_one(
            {"_id": _booking_id(session_id, participant_id)},
            {"$set": {"session_id": session_id, "participant_id": participant_id, **values}},
            upsert=True,
            session=tx.session,
        )

    async def enrolled(
        self, tx: Tx, *, participant_id: str, cohort_id: str, area_code: str | None = None
    ) -> None:
        # The area is a code from the enrolment event (never the address); a loan, which does not
        # carry it, leaves a known area as it is.
        values = {"cohort_id": cohort_id} | ({"area_code": area_code} if area_code else {})
        await self._enrolments.update_one(
            {"_id": participant_id},
            {"$set": values},
            upsert=True,
            session=tx.session,
        )

    async def cohort_published(self, tx: Tx, cohort: CohortPublished) -> None:
        values = plain(CohortView.model_validate(cohort.model_dump()).model_dump())
        await self._cohorts.update_one(
            {"_id": cohort.cohort_id}, {"$set": values}, upsert=True, session=tx.session
        )

    async def erase_participant(self, tx: Tx, *, participant_id: str) -> None:
        for collection in (self._loans, self._bookings):
            await collection.delete_many({"participant_id": participant_id}, session=tx.session)
        await self._enrolments.delete_one({"_id": participant_id}, session=tx.session)

    # -- reads -----------------------------------------------------------------------------------

    async def loans_of(self, participant_id: str) -> list[LoanView]:
        """Oldest first (a loan known only from an overdue notice first of all)."""
        docs = await self._loans.find({"participant_id": participant_id}).to_list()
        loans = (from_document(LoanView, doc, id_field="loan_id") for doc in docs)
        return sorted(loans, key=lambda loan: loan.issued_on or date.min)

    async def enrolment_of(self, participant_id: str) -> EnrolmentView | None:
        """The cohort and the area together: one document, so one read for both."""
        doc = await self._enrolments.find_one({"_id": participant_id})
        if doc is None:
            return None
        return from_document(EnrolmentView, doc, id_field="participant_id")

    async def cohort(self, cohort_id: str) -> CohortView | None:
        doc = await self._cohorts.find_one({"_id": cohort_id})
        return from_document(CohortView, doc, id_field="cohort_id") if doc else None

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
        return [from_document(SessionView, doc, id_field="session_id") for doc in docs]

    async def public_sessions(
        self, *, after: datetime, area_code: str | None, limit: int
    ) -> list[SessionView]:
        """The explanatory sessions (説明会, open to anyone thinking of borrowing) of every cohort
        after `after`, soonest first, cancelled ones left out; full ones are kept so that the
        answer can say 満席 rather than that there are none."""
        query: dict[str, Any] = {
            "kind": SessionKind.EXPLANATORY.value,
            "starts_at": {"$gt": after},
            "cancelled": False,
        }
        if area_code is not None:
            query["area_code"] = area_code
        docs = await self._sessions.find(query).sort("starts_at", ASCENDING).limit(limit).to_list()
        return [from_document(SessionView, doc, id_field="session_id") for doc in docs]

    async def known_areas(self) -> list[AreaView]:
        """The areas of all published cohorts, each once (a few tens at most: one per city)."""
        docs = await self._cohorts.find({}, {"areas": 1}).to_list()
        areas: dict[str, AreaView] = {}
        for doc in docs:
            for area in doc.get("areas") or []:
                view = AreaView.model_validate(area)
                areas.setdefault(view.code, view)
        return list(areas.values())

    async def sessions(self, session_ids: list[str]) -> dict[str, SessionView]:
        docs = await self._sessions.find({"_id": {"$in": session_ids}}).to_list()
        views = (from_document(SessionView, doc, id_field="session_id") for doc in docs)
        return {view.session_id: view for view in views}

    async def bookings_of(self, participant_id: str, *, limit: int) -> list[BookingView]:
        docs = await self._bookings.find({"participant_id": participant_id}).limit(limit).to_list()
        return [BookingView.model_validate(doc) for doc in docs]

    async def booked_sessions(self, participant_id: str) -> set[str]:
        docs = await self._bookings.find(
            {"participant_id": participant_id, "booked": True}, {"session_id": 1}
        ).to_list()
        return {str(doc["session_id"]) for doc in docs}


def _ids(loan: LoanClosed | LoanOverdue) -> dict[str, str]:
    return {
        "loan_id": loan.loan_id,
        "participant_id": loan.participant_id,
        "cohort_id": loan.cohort_id,
    }


def _booking_id(session_id: str, participant_id: str) -> str:
    return f"{session_id}:{participant_id}"
