"""Webhook event ids already accepted: LINE redelivers, we publish each event once."""

from __future__ import annotations

from datetime import timedelta

from pymongo.errors import BulkWriteError

from services.common.store import AmongIds, CollectionIndexes, MongoStore, Tx
from services.common.store.mongo import Document, ttl_index
from services.common.time import utcnow

COLLECTION = "webhook_events"
DUPLICATE_KEY = 11000


class DuplicateWebhookEvent(Exception):
    pass


class WebhookEventRepository:
    def __init__(self, store: MongoStore) -> None:
        self._collection = store.collection(COLLECTION)

    @staticmethod
    def indexes(*, retention_days: int) -> CollectionIndexes:
        # LINE redelivers for a limited time; a week of ids covers every redelivery.
        return CollectionIndexes(
            COLLECTION, [ttl_index("accepted_at", timedelta(days=retention_days))]
        )

    @staticmethod
    def among(webhook_event_ids: list[str]) -> AmongIds:
        """The read of which of these ids an earlier body already recorded, for `Tx.find_among`
        with the body's other reads (`accepted_from` reads its answer)."""
        return AmongIds(COLLECTION, webhook_event_ids, fields=("_id",))

    @staticmethod
    def accepted_from(found: list[Document]) -> set[str]:
        return {doc["_id"] for doc in found}

    async def accept_all(self, tx: Tx, events: list[tuple[str, str]]) -> None:
        """Claim (`webhookEventId`, type) pairs in one insert. Read which are recorded (`among`)
        first in the same transaction: an id claimed meanwhile by a concurrent body is a write
        conflict, and the transaction is retried whole (and then reads it as accepted)."""
        if not events:
            return
        now = utcnow()
        try:
            await self._collection.insert_many(
                [{"_id": event_id, "type": kind, "accepted_at": now} for event_id, kind in events],
                ordered=True,
                session=tx.session,
            )
        except BulkWriteError as exc:
            if any(e.get("code") == DUPLICATE_KEY for e in exc.details.get("writeErrors", [])):
                raise DuplicateWebhookEvent(events[0][0]) from exc
            raise
