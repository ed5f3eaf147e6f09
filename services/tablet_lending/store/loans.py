"""Loans in MongoDB: at most one active loan per participant (a unique partial index)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from services.common.store import CollectionIndexes, MongoStore, Tx
from services.common.store.repository import Repository, plain, session_of
from services.tablet_lending.domain.loans import Loan, LoanStatus, OverdueStage

COLLECTION = "loans"
ID = "loan_id"
# Free text staff type about a loan; erasure blanks it, since a note may name someone.
FREE_TEXT = {
    "return_record": ("note", "damage_decision"),
    "loss_record": ("circumstances", "decision", "police_report_number"),
}


class ActiveLoanExists(Exception):
    """The participant already has an active loan."""


class LoanRepository(Repository[Loan]):
    def __init__(self, store: MongoStore) -> None:
        super().__init__(store, collection=COLLECTION, model=Loan, id_field=ID)

    @staticmethod
    def indexes() -> CollectionIndexes:
        return CollectionIndexes(
            COLLECTION,
            [
                IndexModel(
                    [("participant_id", ASCENDING)],
                    unique=True,
                    partialFilterExpression={"status": LoanStatus.ACTIVE.value},
                    name="one_active_loan_per_participant",
                ),
                IndexModel([("participant_id", ASCENDING)], name="participant"),
                IndexModel([("status", ASCENDING), ("due_on", ASCENDING)], name="due"),
                IndexModel([("cohort_id", ASCENDING), ("status", ASCENDING)], name="cohort"),
            ],
        )

    async def insert(self, tx: Tx, loan: Loan) -> None:
        """Raises `ActiveLoanExists` if the participant has an active loan already (the unique
        index decides, so two concurrent issues cannot both win); the transaction is aborted."""
        try:
            await self._collection.insert_one(self._document(loan), session=tx.session)
        except DuplicateKeyError as exc:
            raise ActiveLoanExists(loan.participant_id) from exc

    async def get(self, loan_id: str, tx: Tx | None = None) -> Loan | None:
        doc = await self._collection.find_one({"_id": loan_id}, session=session_of(tx))
        return self._item(doc) if doc else None

    async def active_for(self, participant_id: str, tx: Tx | None = None) -> Loan | None:
        doc = await self._collection.find_one(
            {"participant_id": participant_id, "status": LoanStatus.ACTIVE.value},
            session=session_of(tx),
        )
        return self._item(doc) if doc else None

    async def of_participant(self, participant_id: str) -> list[Loan]:
        docs = (
            await self._collection.find({"participant_id": participant_id})
            .sort("issued_on", 1)
            .to_list()
        )
        return [self._item(doc) for doc in docs]

    async def page(
        self,
        *,
        cohort_id: str | None = None,
        status: LoanStatus | None = None,
        limit: int = 200,
        skip: int = 0,
    ) -> list[Loan]:
        query: dict[str, Any] = {}
        if cohort_id:
            query["cohort_id"] = cohort_id
        if status:
            query["status"] = status.value
        return await self.find_page(query, limit=limit, skip=skip)

    async def active_due_by(self, day: date) -> list[Loan]:
        """Active loans due on or before `day` (the ones a reminder may concern)."""
        docs = await self._collection.find(
            {"status": LoanStatus.ACTIVE.value, "due_on": {"$lte": day.isoformat()}}
        ).to_list()
        return [self._item(doc) for doc in docs]

    async def close(self, tx: Tx, loan_id: str, changes: dict[str, Any]) -> None:
        await self._collection.update_one(
            {"_id": loan_id, "status": LoanStatus.ACTIVE.value},
            {"$set": plain(changes)},
            session=tx.session,
        )

    async def set_overdue_stage(
        self, tx: Tx, loan_id: str, *, stage: OverdueStage, visit_required: bool
    ) -> None:
        await self._collection.update_one(
            {"_id": loan_id},
            {"$set": {"overdue_stage": stage.value, "visit_required": visit_required}},
            session=tx.session,
        )

    async def count_by(self, *fields: str, match: dict[str, Any] | None = None) -> list[Any]:
        return await self.grouped_counts(fields, match)

    async def redact_free_text(self, tx: Tx, participant_id: str, *, placeholder: str) -> list[str]:
        """Blank the staff's free-text notes on a participant's loans; returns the loan ids."""
        docs = await self._collection.find(
            {"participant_id": participant_id}, session=tx.session
        ).to_list()
        for doc in docs:
            changes = {
                path: placeholder
                for path, value in (
                    ("session_exception", doc.get("session_exception")),
                    *(
                        (f"{record}.{field}", (doc.get(record) or {}).get(field))
                        for record, fields in FREE_TEXT.items()
                        for field in fields
                    ),
                )
                if isinstance(value, str)
            }
            if changes:
                await self._collection.update_one(
                    {"_id": doc["_id"]}, {"$set": changes}, session=tx.session
                )
        return [str(doc["_id"]) for doc in docs]
