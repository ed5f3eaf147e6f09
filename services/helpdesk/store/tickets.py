"""Tickets: the thread and the history live inside the ticket, so one update changes both at once.

A ticket is one document: its thread (the senior's messages, public replies, internal notes) and
its history (who changed what, when) are arrays that are only ever pushed to, and `version` goes
up by one with every change. Updates from staff are conditional on the version they saw, so a
stale write changes nothing and is reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument

from services.common.store import CollectionIndexes, MongoStore, Tx
from services.common.store.mongo import ttl_index

COLLECTION = "tickets"
COUNTERS = "counters"
Document = dict[str, Any]

# The queue never needs the thread or history; leaving them out keeps listings small.
SUMMARY_PROJECTION = {"thread": 0, "history": 0, "reply_token": 0}


class TicketRepository:
    def __init__(self, store: MongoStore) -> None:
        self._collection = store.collection(COLLECTION)
        self._counters = store.collection(COUNTERS)

    @staticmethod
    def indexes() -> list[CollectionIndexes]:
        return [
            CollectionIndexes(
                COLLECTION,
                [
                    # Multikey and unique: a request id belongs to at most one ticket, ever.
                    IndexModel([("request_ids", ASCENDING)], unique=True, name="request_ids"),
                    IndexModel(
                        [
                            ("status", ASCENDING),
                            ("priority_rank", ASCENDING),
                            ("opened_at", ASCENDING),
                        ],
                        name="queue",
                    ),
                    IndexModel(
                        [("line_user_id", ASCENDING), ("status", ASCENDING)], name="line_user"
                    ),
                    IndexModel(
                        [("participant_id", ASCENDING), ("status", ASCENDING)], name="participant"
                    ),
                    IndexModel(
                        [("assignee.id", ASCENDING), ("status", ASCENDING)], name="assignee"
                    ),
                    IndexModel([("awaiting_staff_since", ASCENDING)], name="awaiting"),
                    # A reply's entry id is its LINE command id: what became of it finds it.
                    IndexModel([("thread.id", ASCENDING)], name="thread_entry"),
                    # Closed tickets go, thread and all, after the retention period.
                    ttl_index("purge_at", timedelta(0)),
                ],
            ),
            CollectionIndexes(COUNTERS),
        ]

    async def next_number(self, tx: Tx) -> int:
        counter = await self._counters.find_one_and_update(
            {"_id": "ticket_number"},
            {"$inc": {"value": 1}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
            session=tx.session,
        )
        if counter is None:  # an upsert with ReturnDocument.AFTER always returns the document
            raise RuntimeError("ticket number counter missing")
        return int(counter["value"])

    async def insert(self, tx: Tx, ticket: Document) -> None:
        await self._collection.insert_one(ticket, session=tx.session)

    async def get(self, ticket_id: str, tx: Tx | None = None) -> Document | None:
        return await self._collection.find_one(
            {"_id": ticket_id}, session=tx.session if tx else None
        )

    async def with_entry(self, tx: Tx, entry_id: str) -> Document | None:
        return await self._collection.find_one({"thread.id": entry_id}, session=tx.session)

    async def summary(self, ticket_id: str) -> Document | None:
        return await self._collection.find_one({"_id": ticket_id}, SUMMARY_PROJECTION)

    async def by_request(self, tx: Tx, request_id: str) -> Document | None:
        return await self._collection.find_one(
            {"request_ids": request_id}, {"_id": 1}, session=tx.session
        )

    async def latest_for_requester(
        self,
        tx: Tx,
        *,
        line_user_id: str | None,
        participant_id: str | None,
        statuses: Sequence[str],
    ) -> Document | None:
        who: list[Document] = []
        if line_user_id:
            who.append({"line_user_id": line_user_id})
        if participant_id:
            who.append({"participant_id": participant_id})
        if not who:
            return None
        return await self._collection.find_one(
            {"$or": who, "status": {"$in": list(statuses)}},
            sort=[("opened_at", DESCENDING)],
            session=tx.session,
        )

    async def conversation_holder(self, tx: Tx, line_user_id: str) -> Document | None:
        return await self._collection.find_one(
            {"line_user_id": line_user_id, "holds_conversation": True},
            sort=[("opened_at", DESCENDING)],
            session=tx.session,
        )

    async def update(
        self,
        tx: Tx,
        ticket_id: str,
        *,
        expected_version: int | None,
        update: Document,
        extra_filter: Document | None = None,
    ) -> Document | None:
        """Apply `update` (and bump the version) if the ticket is still at `expected_version`.

        Returns the updated ticket, or None if it changed meanwhile (or `extra_filter` failed).
        """
        query: Document = {"_id": ticket_id, **(extra_filter or {})}
        if expected_version is not None:
            query["version"] = expected_version
        update = {**update, "$inc": {**update.get("$inc", {}), "version": 1}}
        return await self._collection.find_one_and_update(
            query, update, return_document=ReturnDocument.AFTER, session=tx.session
        )

    async def queue(
        self, *, query: Document, sort: list[tuple[str, int]], limit: int
    ) -> list[Document]:
        return (
            await self._collection.find(query, SUMMARY_PROJECTION).sort(sort).limit(limit).to_list()
        )

    async def sla_due(self, *, now: datetime, statuses: Sequence[str]) -> list[Document]:
        """Active tickets with a clock whose warning point or due time has passed unannounced."""
        clauses: list[Document] = []
        for target in ("first_response", "next_response", "resolution"):
            for flag, moment in (("warned", "warn_at"), ("breached", "due_at")):
                clause: Document = {
                    f"sla.{target}.met_at": None,
                    f"sla.{target}.{flag}": False,
                    f"sla.{target}.{moment}": {"$lte": now},
                }
                if target == "resolution":
                    clause["sla.paused_at"] = None
                clauses.append(clause)
        return (
            await self._collection.find(
                {"status": {"$in": list(statuses)}, "$or": clauses}, SUMMARY_PROJECTION
            )
            .limit(500)
            .to_list()
        )

    async def resolved_before(self, moment: datetime) -> list[Document]:
        return (
            await self._collection.find(
                {"status": "resolved", "resolved_at": {"$lte": moment}}, {"_id": 1, "version": 1}
            )
            .limit(500)
            .to_list()
        )

    async def backlog(self, statuses: Sequence[str]) -> list[Document]:
        return await (
            await self._collection.aggregate(
                [
                    {"$match": {"status": {"$in": list(statuses)}}},
                    {
                        "$group": {
                            "_id": {"status": "$status", "priority": "$priority"},
                            "n": {"$sum": 1},
                        }
                    },
                ]
            )
        ).to_list()

    async def oldest_unclaimed(self, statuses: Sequence[str]) -> list[Document]:
        """Per priority, when the oldest ticket that nobody has claimed was opened."""
        return await (
            await self._collection.aggregate(
                [
                    {"$match": {"status": {"$in": list(statuses)}, "assignee": None}},
                    {"$group": {"_id": "$priority", "since": {"$min": "$opened_at"}}},
                ]
            )
        ).to_list()

    async def oldest_awaiting(self) -> list[Document]:
        """Per priority, when the longest-waiting senior started waiting for staff."""
        return await (
            await self._collection.aggregate(
                [
                    {"$match": {"awaiting_staff_since": {"$ne": None}}},
                    {"$group": {"_id": "$priority", "since": {"$min": "$awaiting_staff_since"}}},
                ]
            )
        ).to_list()

    async def mark_sla(
        self, tx: Tx, ticket_id: str, *, target: str, cycle: int, flags: Sequence[str], unset: str
    ) -> bool:
        """Set SLA announcement flags once: only if `unset` is still false for this clock cycle.

        The version does not change: an announcement is not an edit staff could collide with.
        """
        result = await self._collection.update_one(
            {
                "_id": ticket_id,
                f"sla.{target}.cycle": cycle,
                f"sla.{target}.{unset}": False,
                f"sla.{target}.met_at": None,
            },
            {"$set": {f"sla.{target}.{flag}": True for flag in flags}},
            session=tx.session,
        )
        return result.modified_count == 1
