"""The helpdesk's own read models of other services' events: what staff see beside a ticket.

Built from `line.account.linked`/`unlinked` (which participant a LINE user is), `lending.events`
(loans and sessions; ids and dates only) and the recent Dai-chan conversation (`line.inbound`
messages and `line.outbound` Dai-chan answers), which expires after a short retention period.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel

from services.common.store import CollectionIndexes, MongoStore, Tx
from services.common.store.mongo import ttl_index

LINKS = "context_links"
LOANS = "context_loans"
SESSIONS = "context_sessions"
BOOKINGS = "context_bookings"
CONVERSATION = "context_conversation"
Document = dict[str, Any]


class ContextRepository:
    def __init__(self, store: MongoStore) -> None:
        self._links = store.collection(LINKS)
        self._loans = store.collection(LOANS)
        self._sessions = store.collection(SESSIONS)
        self._bookings = store.collection(BOOKINGS)
        self._conversation = store.collection(CONVERSATION)

    @staticmethod
    def indexes(*, conversation_retention: timedelta) -> list[CollectionIndexes]:
        return [
            CollectionIndexes(
                LINKS, [IndexModel([("participant_id", ASCENDING)], name="participant")]
            ),
            CollectionIndexes(
                LOANS, [IndexModel([("participant_id", ASCENDING)], name="participant")]
            ),
            CollectionIndexes(SESSIONS),
            CollectionIndexes(
                BOOKINGS, [IndexModel([("participant_id", ASCENDING)], name="participant")]
            ),
            CollectionIndexes(
                CONVERSATION,
                [
                    IndexModel([("line_user_id", ASCENDING), ("at", DESCENDING)], name="user"),
                    ttl_index("at", conversation_retention),
                ],
            ),
        ]

    # -- links -------------------------------------------------------------------------------

    async def link(self, tx: Tx, *, line_user_id: str, participant_id: str, at: datetime) -> None:
        await self._links.update_one(
            {"_id": line_user_id},
            {"$set": {"participant_id": participant_id, "linked_at": at}},
            upsert=True,
            session=tx.session,
        )

    async def unlink(self, tx: Tx, *, line_user_id: str, participant_id: str) -> None:
        await self._links.delete_one(
            {"_id": line_user_id, "participant_id": participant_id}, session=tx.session
        )

    async def participant_of(self, line_user_id: str) -> str | None:
        found = await self._links.find_one({"_id": line_user_id})
        return str(found["participant_id"]) if found else None

    async def line_user_of(self, participant_id: str) -> str | None:
        found = await self._links.find_one({"participant_id": participant_id})
        return str(found["_id"]) if found else None

    # -- loans and sessions ------------------------------------------------------------------

    async def upsert_loan(self, tx: Tx, loan_id: str, values: Document) -> None:
        await self._loans.update_one(
            {"_id": loan_id}, {"$set": values}, upsert=True, session=tx.session
        )

    async def loans_of(self, participant_id: str) -> list[Document]:
        return (
            await self._loans.find({"participant_id": participant_id})
            .sort("issued_on", DESCENDING)
            .limit(5)
            .to_list()
        )

    async def upsert_session(self, tx: Tx, session_id: str, values: Document) -> None:
        await self._sessions.update_one(
            {"_id": session_id}, {"$set": values}, upsert=True, session=tx.session
        )

    async def set_booking(
        self, tx: Tx, *, session_id: str, participant_id: str, values: Document
    ) -> None:
        await self._bookings.update_one(
            {"_id": f"{session_id}:{participant_id}"},
            {"$set": {"session_id": session_id, "participant_id": participant_id, **values}},
            upsert=True,
            session=tx.session,
        )

    async def sessions_of(self, participant_id: str) -> list[Document]:
        bookings = await self._bookings.find({"participant_id": participant_id}).limit(20).to_list()
        ids = [b["session_id"] for b in bookings]
        sessions = {s["_id"]: s for s in await self._sessions.find({"_id": {"$in": ids}}).to_list()}
        merged = [{**sessions.get(b["session_id"], {}), **b} for b in bookings]
        return sorted(merged, key=lambda s: str(s.get("starts_at", "")))

    async def forget_participant(self, tx: Tx, participant_id: str) -> None:
        for collection in (self._links, self._loans, self._bookings):
            await collection.delete_many({"participant_id": participant_id}, session=tx.session)

    # -- recent conversation -----------------------------------------------------------------

    async def add_turn(
        self, tx: Tx, *, turn_id: str, line_user_id: str, role: str, text: str, at: datetime
    ) -> None:
        await self._conversation.update_one(
            {"_id": turn_id},
            {"$setOnInsert": {"line_user_id": line_user_id, "role": role, "text": text, "at": at}},
            upsert=True,
            session=tx.session,
        )

    async def turn(self, turn_id: str) -> Document | None:
        found: Document | None = await self._conversation.find_one({"_id": turn_id})
        return found

    async def recent_turns(self, line_user_id: str, *, limit: int) -> list[Document]:
        turns = (
            await self._conversation.find({"line_user_id": line_user_id}, {"line_user_id": 0})
            .sort("at", DESCENDING)
            .limit(limit)
            .to_list()
        )
        return list(reversed(turns))
