"""The mail intake's log: one document per mail taken, whatever became of it (a ticket, ignored,
refused), so a mail read again is recognised even when it made no ticket, and the rate limit
counts a sender's mail. It holds no mail content and no address, only the address's hash."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from services.common.store import CollectionIndexes, MongoStore, Tx
from services.common.store.mongo import ttl_index

COLLECTION = "mail_intake"


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
