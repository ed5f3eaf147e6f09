"""The mail channel's two collections.

The intake's log: one document per mail taken, whatever became of it (a ticket, ignored,
refused), so a mail read again is recognised even when it made no ticket, and the rate limit
counts a sender's mail. It holds no mail content and no address, only the address's hash. A mail whose intake keeps
failing is counted there too, by its mailbox ids (it may not even parse), and once given up is
recorded failed, with the error's type and nothing else.

The outbox: staff replies to send by mail (`MailOutbox`); these hold the reply and the
address, personal data like the ticket's, kept in the helpdesk's mongod only.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.errors import DuplicateKeyError

from services.common.store import CollectionIndexes, MongoStore, Tx
from services.common.store.mongo import ttl_index
from services.helpdesk.domain.parts import MailReply

COLLECTION = "mail_intake"


FAILED = "failed"


def failure_id(*, uidvalidity: int, uid: int) -> str:
    return f"imap-failure:{uidvalidity}:{uid}"


class MailTakenAlready(Exception):
    """Another reader logged this mail first; the transaction aborts and nothing is written."""


class MailIntakeLog:
    def __init__(self, store: MongoStore) -> None:
        self._collection = store.collection(COLLECTION)

    @staticmethod
    def indexes(*, retention: timedelta) -> CollectionIndexes:
        return CollectionIndexes(
            COLLECTION,
            [
                IndexModel([("sender", ASCENDING), ("at", ASCENDING)], name="sender_at"),
                ttl_index("at", retention),
            ],
        )

    async def taken(self, tx: Tx, request_id: str) -> bool:
        found = await self._collection.find_one({"_id": request_id}, {"_id": 1}, session=tx.session)
        return found is not None

    async def recent(self, tx: Tx, *, sender: str, since: datetime) -> int:
        if not sender:
            return 0
        return await self._collection.count_documents(
            {"sender": sender, "at": {"$gte": since}}, session=tx.session
        )

    async def record(
        self,
        tx: Tx,
        *,
        request_id: str,
        sender: str,
        action: str,
        ticket_id: str | None,
        at: datetime,
    ) -> None:
        """Log the mail; `MailTakenAlready` (raised out of the transaction) if it is logged."""
        doc: dict[str, Any] = {
            "_id": request_id,
            "sender": sender,
            "action": action,
            "ticket_id": ticket_id,
            "at": at,
        }
        try:
            await self._collection.insert_one(doc, session=tx.session)
        except DuplicateKeyError as exc:
            raise MailTakenAlready(request_id) from exc

    async def failed_attempt(
        self, *, uidvalidity: int, uid: int, error_type: str, at: datetime, give_up_after: int
    ) -> tuple[int, bool]:
        """Count one failed intake of the mail; (attempts so far, whether it is now given up).

        Counted here rather than in the reader so that a restart, or another reader, goes on
        counting; a mail given up on is recorded `failed` and is not taken again."""
        key = failure_id(uidvalidity=uidvalidity, uid=uid)
        doc = await self._collection.find_one_and_update(
            {"_id": key},
            {
                "$inc": {"attempts": 1},
                "$set": {"error_type": error_type, "at": at},
                "$setOnInsert": {"action": "failing", "first_at": at},
            },
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        if doc is None:  # an upsert returning the document after it cannot find none
            raise RuntimeError("the failure count was not written")
        attempts = int(doc["attempts"])
        if attempts < give_up_after:
            return attempts, False
        await self._collection.update_one({"_id": key}, {"$set": {"action": FAILED}})
        return attempts, True

    async def given_up(self, *, uidvalidity: int, uid: int) -> bool:
        key = failure_id(uidvalidity=uidvalidity, uid=uid)
        return (
            await self._collection.find_one({"_id": key, "action": FAILED}, {"_id": 1}) is not None
        )


OUTBOX = "mail_outbox"


@dataclass(frozen=True)
class OutgoingMail:
    """A staged staff reply and how its sending goes."""

    reply: MailReply
    attempts: int


def _reply_document(reply: MailReply) -> dict[str, Any]:
    doc = dataclasses.asdict(reply)
    doc["parent_references"] = list(reply.parent_references)
    return doc


class MailOutbox:
    """Staff replies to send by mail: staged in the transaction that records the reply (so a
    recorded reply is always sent, and a reply recorded once is staged once: `_id` is the
    reply's id), claimed by one sender at a time for a lease, then marked sent or failed.
    Sent and failed ones go after the retention period; pending ones stay until sent."""

    def __init__(self, store: MongoStore) -> None:
        self._collection = store.collection(OUTBOX)

    @staticmethod
    def indexes(*, retention: timedelta) -> CollectionIndexes:
        return CollectionIndexes(
            OUTBOX,
            [
                IndexModel([("state", ASCENDING), ("next_at", ASCENDING)], name="due"),
                ttl_index("done_at", retention),
            ],
        )

    async def stage(self, tx: Tx, reply: MailReply) -> None:
        await self._collection.insert_one(
            {
                "_id": reply.reply_id,
                "reply": _reply_document(reply),
                "state": "pending",
                "attempts": 0,
                "next_at": reply.recorded_at,
                "error": None,
            },
            session=tx.session,
        )

    async def claim(self, *, now: datetime, lease: timedelta, holder: str) -> OutgoingMail | None:
        """The next reply due, held by `holder` (an INSTANCE_ID) for `lease`: a sender that dies
        lets it go after that, or at once when it comes back (`release_held_by`)."""
        doc = await self._collection.find_one_and_update(
            {"state": "pending", "next_at": {"$lte": now}},
            {"$set": {"next_at": now + lease, "held_by": holder}},
            sort=[("next_at", ASCENDING)],
            return_document=ReturnDocument.AFTER,
        )
        if doc is None:
            return None
        data = dict(doc["reply"])
        data["parent_references"] = tuple(data["parent_references"])
        return OutgoingMail(reply=MailReply(**data), attempts=int(doc["attempts"]))

    async def release_held_by(self, holder: str, *, now: datetime) -> int:
        """Let go at once of what `holder` held: called by a sender starting under that
        INSTANCE_ID, whose previous process is therefore gone (killed mid-send)."""
        result = await self._collection.update_many(
            {"state": "pending", "held_by": holder, "next_at": {"$gt": now}},
            {"$set": {"next_at": now}, "$unset": {"held_by": ""}},
        )
        return int(result.modified_count)

    async def sent(self, reply_id: str, *, at: datetime) -> None:
        await self._collection.update_one(
            {"_id": reply_id}, {"$set": {"state": "sent", "done_at": at, "error": None}}
        )

    async def later(self, reply_id: str, *, at: datetime, error: str) -> None:
        await self._collection.update_one(
            {"_id": reply_id},
            {"$set": {"next_at": at, "error": error}, "$inc": {"attempts": 1}},
        )

    async def failed(self, tx: Tx, reply_id: str, *, at: datetime, error: str) -> None:
        await self._collection.update_one(
            {"_id": reply_id},
            {"$set": {"state": "failed", "done_at": at, "error": error}, "$inc": {"attempts": 1}},
            session=tx.session,
        )
