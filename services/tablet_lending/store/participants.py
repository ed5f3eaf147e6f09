"""Applicants and participants in MongoDB, with their personal data in one sub-document."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel, UpdateOne

from services.common.store import CollectionIndexes, MongoStore, Tx
from services.common.store.repository import Repository, plain, session_of
from services.tablet_lending.domain.participants import Participant, ParticipantStatus, Personal

COLLECTION = "participants"
ID = "participant_id"
# Where a console search looks: names, kana and phone (personal data, so the search is an
# operator's, and every match shown is audited), the application number and the id.
SEARCHED = (
    "personal.family_name",
    "personal.given_name",
    "personal.family_name_kana",
    "personal.given_name_kana",
    "personal.phone",
    "application_number",
    "_id",
)
# Written only while the personal data exists; erasure removes them with it.
NATURAL_KEY = "natural_key"
PERSON_KEY = "person_key"


class ParticipantRepository(Repository[Participant]):
    def __init__(self, store: MongoStore) -> None:
        super().__init__(store, collection=COLLECTION, model=Participant, id_field=ID)

    @staticmethod
    def indexes() -> CollectionIndexes:
        return CollectionIndexes(
            COLLECTION,
            [
                IndexModel(
                    [(NATURAL_KEY, ASCENDING)],
                    unique=True,
                    partialFilterExpression={NATURAL_KEY: {"$type": "string"}},
                    name="natural_key",
                ),
                IndexModel(
                    [("cohort_id", ASCENDING), (PERSON_KEY, ASCENDING)],
                    unique=True,
                    partialFilterExpression={PERSON_KEY: {"$type": "string"}},
                    name="person_key",
                ),
                IndexModel(
                    [("cohort_id", ASCENDING), ("status", ASCENDING), ("waitlist_position", 1)],
                    name="cohort_status",
                ),
                IndexModel([("cohort_id", ASCENDING), ("erased_at", ASCENDING)], name="erasure"),
            ],
        )

    async def insert_many(
        self, tx: Tx, participants: list[tuple[Participant, str | None, str]]
    ) -> None:
        """(participant, natural key, person key) each; the keys go away again with erasure."""
        docs = []
        for participant, natural_key, person_key in participants:
            doc = self._document(participant)
            doc[PERSON_KEY] = person_key
            if natural_key is not None:
                doc[NATURAL_KEY] = natural_key
            docs.append(doc)
        if docs:
            await self._collection.insert_many(docs, ordered=True, session=tx.session)

    async def taken_natural_keys(self, tx: Tx, keys: list[str]) -> set[str]:
        docs = await self._collection.find(
            {NATURAL_KEY: {"$in": keys}}, {NATURAL_KEY: 1}, session=tx.session
        ).to_list()
        return {str(doc[NATURAL_KEY]) for doc in docs}

    async def taken_person_keys(self, tx: Tx, cohort_id: str, keys: list[str]) -> set[str]:
        docs = await self._collection.find(
            {"cohort_id": cohort_id, PERSON_KEY: {"$in": keys}},
            {PERSON_KEY: 1},
            session=tx.session,
        ).to_list()
        return {str(doc[PERSON_KEY]) for doc in docs}

    async def get(self, participant_id: str, tx: Tx | None = None) -> Participant | None:
        doc = await self._collection.find_one({"_id": participant_id}, session=session_of(tx))
        return self._item(doc) if doc else None

    async def by_natural_key(self, key: str, tx: Tx | None = None) -> Participant | None:
        doc = await self._collection.find_one({NATURAL_KEY: key}, session=session_of(tx))
        return self._item(doc) if doc else None

    async def by_person_key(
        self, cohort_id: str, key: str, tx: Tx | None = None
    ) -> Participant | None:
        doc = await self._collection.find_one(
            {"cohort_id": cohort_id, PERSON_KEY: key}, session=session_of(tx)
        )
        return self._item(doc) if doc else None

    async def page(
        self,
        *,
        cohort_id: str | None = None,
        status: ParticipantStatus | None = None,
        words: tuple[str, ...] = (),
        limit: int = 100,
        skip: int = 0,
    ) -> list[Participant]:
        """`words`: each must appear (as typed, case-insensitively) in one of the searched
        fields; a scan within the cohort, which holds hundreds of people, not millions."""
        query: dict[str, Any] = {}
        if cohort_id:
            query["cohort_id"] = cohort_id
        if status:
            query["status"] = status.value
        if words:
            query["$and"] = [
                {
                    "$or": [
                        {field: {"$regex": re.escape(word), "$options": "i"}} for field in SEARCHED
                    ]
                }
                for word in words
            ]
        return await self.find_page(query, limit=limit, skip=skip)

    async def ids_with_status(
        self, tx: Tx, *, cohort_id: str, status: ParticipantStatus
    ) -> list[str]:
        docs = await self._collection.find(
            {"cohort_id": cohort_id, "status": status.value}, {"_id": 1}, session=tx.session
        ).to_list()
        return sorted(str(doc["_id"]) for doc in docs)

    async def next_waitlisted(self, tx: Tx, *, cohort_id: str) -> Participant | None:
        doc = await self._collection.find_one(
            {"cohort_id": cohort_id, "status": ParticipantStatus.WAITLISTED.value},
            sort=[("waitlist_position", ASCENDING)],
            session=tx.session,
        )
        return self._item(doc) if doc else None

    async def enrol(self, tx: Tx, participant_ids: list[str], *, at: datetime) -> None:
        await self._collection.update_many(
            {"_id": {"$in": participant_ids}},
            {
                "$set": {"status": ParticipantStatus.ENROLLED.value, "enrolled_at": at},
                "$unset": {"waitlist_position": ""},
            },
            session=tx.session,
        )

    async def waitlist_many(self, tx: Tx, positions: dict[str, int]) -> None:
        if not positions:
            return
        await self._collection.bulk_write(
            [
                UpdateOne(
                    {"_id": participant_id},
                    {
                        "$set": {
                            "status": ParticipantStatus.WAITLISTED.value,
                            "waitlist_position": position,
                        }
                    },
                )
                for participant_id, position in positions.items()
            ],
            ordered=False,
            session=tx.session,
        )

    async def get_many(self, tx: Tx | None, participant_ids: list[str]) -> list[Participant]:
        docs = await self._collection.find(
            {"_id": {"$in": participant_ids}}, session=tx.session if tx else None
        ).to_list()
        return [self._item(doc) for doc in docs]

    async def withdraw(self, tx: Tx, participant_id: str, *, at: datetime, reason: str) -> None:
        await self._collection.update_one(
            {"_id": participant_id},
            {
                "$set": {
                    "status": ParticipantStatus.WITHDRAWN.value,
                    "withdrawn_at": at,
                    "withdrawal_reason": reason,
                },
                "$unset": {"waitlist_position": ""},
            },
            session=tx.session,
        )

    async def update_personal(
        self, tx: Tx, participant_id: str, *, personal: Personal, person_key: str
    ) -> None:
        await self._collection.update_one(
            {"_id": participant_id},
            {"$set": {"personal": plain(personal.model_dump()), PERSON_KEY: person_key}},
            session=tx.session,
        )

    async def erase(self, tx: Tx, participant_id: str, *, at: datetime) -> None:
        """Remove the personal data and everything that could find the person again."""
        await self._collection.update_one(
            {"_id": participant_id},
            {
                "$set": {"erased_at": at},
                "$unset": {
                    "personal": "",
                    NATURAL_KEY: "",
                    PERSON_KEY: "",
                    "application_number": "",
                    "withdrawal_reason": "",
                },
            },
            session=tx.session,
        )

    async def not_erased(self, cohort_id: str, *, limit: int) -> list[str]:
        docs = (
            await self._collection.find({"cohort_id": cohort_id, "erased_at": None}, {"_id": 1})
            .limit(limit)
            .to_list()
        )
        return [str(doc["_id"]) for doc in docs]

    async def count_by(self, *fields: str, match: dict[str, Any] | None = None) -> list[Any]:
        return await self.grouped_counts(fields, match)
