"""Tickets: the thread and the history live inside the ticket, so one update changes both at once.

A ticket is one document: its thread (the senior's messages, public replies, internal notes) and
its history (who changed what, when) are arrays that are only ever pushed to, and `version` goes
up by one with every change. Updates from staff are conditional on the version they saw, so a
stale write changes nothing and is reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument

from services.common.events.contracts.helpdesk import Priority, TicketStatus
from services.common.store import CollectionIndexes, MongoStore, Tx
from services.common.store.mongo import ttl_index
from services.helpdesk.domain.change import TicketChange
from services.helpdesk.domain.parts import Entry, HistoryEntry, MailReply
from services.helpdesk.domain.sla import SlaClocks
from services.helpdesk.domain.ticket import Ticket
from services.helpdesk.domain.tickets import ACTIVE, PRIORITY_RANK, Category, Channel
from services.helpdesk.store.attachments import AttachmentStore
from services.helpdesk.store.mail import MailOutbox

COLLECTION = "tickets"
COUNTERS = "counters"
Document = dict[str, Any]

# The queue never needs the thread or history; leaving them out keeps listings small.
SUMMARY_PROJECTION = {"thread": 0, "history": 0, "reply_token": 0}
# Sorts tickets nobody waits on after every waiting one.
NOT_WAITING = datetime(9999, 1, 1, tzinfo=UTC)
# Written with the change, never set field by field: pushed to, or bumped.
APPENDED = ("_id", "thread", "history", "request_ids", "version")


def _plain(value: Any) -> Any:
    """BSON's form of a dumped model: enums as their values."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def entry_document(entry: Entry) -> Document:
    # Kind-specific fields are stored only where they belong.
    doc: Document = _plain(entry.model_dump(exclude_none=True))
    return doc


def history_document(item: HistoryEntry) -> Document:
    return {
        "at": item.at,
        "actor": _plain(item.actor.model_dump()),
        "action": item.action,
        **item.details,
    }


def ticket_document(ticket: Ticket) -> Document:
    doc: Document = _plain(ticket.model_dump(exclude={"id", "thread", "history"}))
    doc["_id"] = ticket.id
    doc["thread"] = [entry_document(e) for e in ticket.thread]
    doc["history"] = [history_document(h) for h in ticket.history]
    # Derived, stored for the queue's indexes and sorts.
    doc["priority_rank"] = PRIORITY_RANK[ticket.priority]
    doc["awaiting_sort"] = ticket.awaiting_staff_since or NOT_WAITING
    return doc


def ticket_of(doc: Document) -> Ticket:
    """The ticket of a stored document (a listing's has no thread or history)."""
    data = {k: v for k, v in doc.items() if k not in ("_id", "priority_rank", "awaiting_sort")}
    data["id"] = doc["_id"]
    data["history"] = [
        {
            "at": h["at"],
            "actor": h["actor"],
            "action": h["action"],
            "details": {k: v for k, v in h.items() if k not in ("at", "actor", "action")},
        }
        for h in doc.get("history", [])
    ]
    return Ticket.model_validate(data)


def change_update(change: TicketChange) -> Document:
    """The update that turns the stored `before` into `after`: changed fields set, new entries
    pushed, new request ids added (the version is bumped by `TicketRepository.save`)."""
    assert change.before is not None
    before, after = ticket_document(change.before), ticket_document(change.after)
    sets = {k: v for k, v in after.items() if k not in APPENDED and before.get(k) != v}
    update: Document = {"$set": sets} if sets else {}  # MongoDB refuses an empty $set
    push: Document = {}
    if change.new_entries:
        push["thread"] = {"$each": [entry_document(e) for e in change.new_entries]}
    if change.new_history:
        push["history"] = {"$each": [history_document(h) for h in change.new_history]}
    if push:
        update["$push"] = push
    added = [r for r in change.after.request_ids if r not in change.before.request_ids]
    if added:
        update["$addToSet"] = {"request_ids": {"$each": added}}
    return update


@dataclass(frozen=True)
class QueueFilter:
    """What the staff queue shows; empty lists mean any."""

    statuses: Sequence[TicketStatus] = tuple(sorted(ACTIVE))
    priorities: Sequence[Priority] = ()
    categories: Sequence[Category] = ()
    channels: Sequence[Channel] = ()
    line_user_id: str | None = None
    participant_id: str | None = None
    assignee_id: str | None = None
    unassigned: bool = False

    def query(self) -> Document:
        query: Document = {"status": {"$in": [s.value for s in self.statuses]}}
        for field, values in (
            ("priority", self.priorities),
            ("category", self.categories),
            ("channel", self.channels),
        ):
            if values:
                query[field] = {"$in": [v.value for v in values]}
        if self.line_user_id:
            query["line_user_id"] = self.line_user_id
        if self.participant_id:
            query["participant_id"] = self.participant_id
        if self.assignee_id:
            query["assignee.id"] = self.assignee_id
        elif self.unassigned:
            query["assignee"] = None
        return query


SORTS: dict[str, list[tuple[str, int]]] = {
    "priority": [("priority_rank", 1), ("awaiting_sort", 1), ("opened_at", 1)],
    "waiting": [("awaiting_sort", 1), ("priority_rank", 1)],
    "opened": [("opened_at", -1)],
    "updated": [("updated_at", -1)],
}


@dataclass(frozen=True)
class SlaDue:
    """What the SLA check needs of a ticket."""

    ticket_id: str
    priority: Priority
    sla: SlaClocks


class TicketRepository:
    def __init__(self, store: MongoStore) -> None:
        self._collection = store.collection(COLLECTION)
        self._counters = store.collection(COUNTERS)
        self._outbox = MailOutbox(store)
        self.attachments = AttachmentStore(store)

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
                    # A mail answering one we sent or received finds its ticket.
                    IndexModel([("mail_message_ids", ASCENDING)], name="mail_message_ids"),
                    IndexModel([("number", ASCENDING)], name="number"),
                    IndexModel([("mail_address", ASCENDING)], name="mail_address"),
                    # Closed tickets go, thread and all, after the retention period.
                    ttl_index("purge_at", timedelta(0)),
                ],
            ),
            CollectionIndexes(COUNTERS),
        ]

    async def stage_mail(self, tx: Tx, reply: MailReply) -> None:
        """A staff reply to send by mail, in the transaction that records it."""
        await self._outbox.stage(tx, reply)

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

    async def insert(self, tx: Tx, ticket: Ticket) -> None:
        await self._collection.insert_one(ticket_document(ticket), session=tx.session)

    async def save(self, tx: Tx, change: TicketChange, *, expected_version: int | None) -> bool:
        """Write `change` (and bump the version) if the ticket is still at `expected_version`
        (any version for None: a read in the same transaction); False if it changed meanwhile."""
        if change.before is None:
            await self.insert(tx, change.after)
            return True
        query: Document = {"_id": change.after.id}
        if expected_version is not None:
            query["version"] = expected_version
        update = {**change_update(change), "$inc": {"version": 1}}
        result = await self._collection.update_one(query, update, session=tx.session)
        if result.matched_count != 1:
            return False
        if change.after.purge_at != change.before.purge_at:
            # The mail's attachments go with the ticket, set in the same transaction.
            await self.attachments.purge_with_ticket(tx, change.after.id, change.after.purge_at)
        return True

    async def get(self, ticket_id: str, tx: Tx | None = None) -> Ticket | None:
        doc = await self._collection.find_one(
            {"_id": ticket_id}, session=tx.session if tx else None
        )
        return ticket_of(doc) if doc else None

    async def with_entry(self, tx: Tx, entry_id: str) -> Ticket | None:
        doc = await self._collection.find_one({"thread.id": entry_id}, session=tx.session)
        return ticket_of(doc) if doc else None

    async def has_request(self, tx: Tx, request_id: str) -> bool:
        found = await self._collection.find_one(
            {"request_ids": request_id}, {"_id": 1}, session=tx.session
        )
        return found is not None

    async def latest_for_requester(
        self,
        tx: Tx,
        *,
        line_user_id: str | None,
        participant_id: str | None,
        statuses: Sequence[TicketStatus],
    ) -> Ticket | None:
        who: list[Document] = []
        if line_user_id:
            who.append({"line_user_id": line_user_id})
        if participant_id:
            who.append({"participant_id": participant_id})
        if not who:
            return None
        doc = await self._collection.find_one(
            {"$or": who, "status": {"$in": [s.value for s in statuses]}},
            sort=[("opened_at", DESCENDING)],
            session=tx.session,
        )
        return ticket_of(doc) if doc else None

    async def by_mail_message_ids(self, tx: Tx, message_ids: Sequence[str]) -> dict[str, Ticket]:
        """The tickets these Message-IDs were sent or received on, by Message-ID."""
        if not message_ids:
            return {}
        docs = await self._collection.find(
            {"mail_message_ids": {"$in": list(message_ids)}}, session=tx.session
        ).to_list()
        found: dict[str, Ticket] = {}
        for doc in docs:
            ticket = ticket_of(doc)
            for message_id in ticket.mail_message_ids:
                if message_id in message_ids:
                    found.setdefault(message_id, ticket)
        return found

    async def has_mail_address(self, tx: Tx, address: str) -> bool:
        found = await self._collection.find_one(
            {"mail_address": address}, {"_id": 1}, session=tx.session
        )
        return found is not None

    async def by_number(self, tx: Tx, number: int) -> Ticket | None:
        doc = await self._collection.find_one({"number": number}, session=tx.session)
        return ticket_of(doc) if doc else None

    async def conversation_holder(self, tx: Tx, line_user_id: str) -> Ticket | None:
        doc = await self._collection.find_one(
            {"line_user_id": line_user_id, "holds_conversation": True},
            sort=[("opened_at", DESCENDING)],
            session=tx.session,
        )
        return ticket_of(doc) if doc else None

    async def queue(self, queue: QueueFilter, *, sort: str, limit: int) -> list[Ticket]:
        """A page of the queue (tickets without their thread and history)."""
        docs = (
            await self._collection.find(queue.query(), SUMMARY_PROJECTION)
            .sort(SORTS[sort])
            .limit(limit)
            .to_list()
        )
        return [ticket_of(doc) for doc in docs]

    async def sla_due(self, *, now: datetime) -> list[SlaDue]:
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
        docs = (
            await self._collection.find(
                {"status": {"$in": [s.value for s in ACTIVE]}, "$or": clauses},
                {"_id": 1, "priority": 1, "sla": 1},
            )
            .limit(500)
            .to_list()
        )
        return [
            SlaDue(ticket_id=str(d["_id"]), priority=Priority(d["priority"]), sla=d["sla"])
            for d in docs
        ]

    async def resolved_before(self, moment: datetime) -> list[str]:
        """Ids of tickets resolved before `moment` (a round of closing)."""
        docs = (
            await self._collection.find(
                {"status": "resolved", "resolved_at": {"$lte": moment}}, {"_id": 1}
            )
            .limit(500)
            .to_list()
        )
        return [str(d["_id"]) for d in docs]

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
