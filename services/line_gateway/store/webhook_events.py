"""Webhook event ids already accepted: LINE redelivers, we publish each event once."""

from __future__ import annotations

from datetime import timedelta

from pymongo.errors import DuplicateKeyError

from services.common.store import CollectionIndexes, MongoStore, Tx
from services.common.store.mongo import ttl_index
from services.common.time import utcnow

COLLECTION = "webhook_events"


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

    async def accept(self, tx: Tx, *, webhook_event_id: str, event_type: str) -> None:
        try:
            await self._collection.insert_one(
                {"_id": webhook_event_id, "type": event_type, "accepted_at": utcnow()},
                session=tx.session,
            )
        except DuplicateKeyError as exc:
            raise DuplicateWebhookEvent(webhook_event_id) from exc
