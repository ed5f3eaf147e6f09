"""The transactional outbox relay: publishes committed outbox entries to Kafka, in order.

A service writes its state change and the events it causes in one MongoDB transaction (`Tx.emit`);
this relay then sends them with the idempotent producer and marks them published. A crash between
"sent" and "marked" sends an entry again after restart; consumers de-duplicate by envelope id, so
that repeat is harmless, and no committed event is ever lost.

Only one relay per service database runs at a time (a lease in MongoDB), so entries go out in the
order they were written even when several instances of a service run.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from typing import Any

from aiokafka import AIOKafkaProducer
from pymongo import ASCENDING, IndexModel
from pymongo.errors import DuplicateKeyError, PyMongoError

from services.common.logging import get_logger
from services.common.metrics import (
    OUTBOX_BACKLOG,
    OUTBOX_OLDEST_PENDING_SECONDS,
    OUTBOX_PUBLISHED,
    OUTBOX_RELAY_ERRORS,
)
from services.common.store.mongo import (
    OUTBOX_COLLECTION,
    CollectionIndexes,
    Document,
    MongoStore,
    ttl_index,
)
from services.common.time import utcnow

log = get_logger(__name__)

LEASES_COLLECTION = "leases"


def outbox_indexes(published_retention: timedelta) -> list[CollectionIndexes]:
    return [
        CollectionIndexes(
            OUTBOX_COLLECTION,
            [
                IndexModel([("published_at", ASCENDING), ("_id", ASCENDING)], name="pending"),
                # Published entries are kept a while for investigation, then expire.
                ttl_index("published_at", published_retention),
            ],
        ),
    ]


class Lease:
    """A named, expiring lock in MongoDB held by one instance at a time."""

    def __init__(self, store: MongoStore, *, name: str, owner: str, ttl: timedelta) -> None:
        self._collection = store.collection(LEASES_COLLECTION)
        self._name = name
        self._owner = owner
        self._ttl = ttl

    async def acquire_or_renew(self) -> bool:
        now = utcnow()
        try:
            await self._collection.find_one_and_update(
                {
                    "_id": self._name,
                    "$or": [{"owner": self._owner}, {"expires_at": {"$lt": now}}],
                },
                {"$set": {"owner": self._owner, "expires_at": now + self._ttl}},
                upsert=True,
            )
        except DuplicateKeyError:
            # The lease exists and someone else holds it: the upsert tried to create a twin.
            return False
        return True

    async def release(self) -> None:
        await self._collection.delete_one({"_id": self._name, "owner": self._owner})


class OutboxRelay:
    def __init__(
        self,
        *,
        store: MongoStore,
        producer: AIOKafkaProducer,
        owner: str,
        batch_size: int = 500,
        idle_poll_seconds: float = 1.0,
    ) -> None:
        self._collection = store.collection(OUTBOX_COLLECTION)
        self._producer = producer
        self._lease = Lease(store, name="outbox-relay", owner=owner, ttl=timedelta(seconds=15))
        self._batch_size = batch_size
        self._idle_poll_seconds = idle_poll_seconds
        self._wakeup = asyncio.Event()
        self._stopping = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._run(), name="outbox-relay"),
            asyncio.create_task(self._watch_inserts(), name="outbox-watch"),
        ]

    def notify(self) -> None:
        """Ask for a relay round now (e.g. right after a commit in this process)."""
        self._wakeup.set()

    async def stop(self) -> None:
        """Relay what is already committed, so nothing waits for the next start, then let go."""
        self._stopping.set()
        self._wakeup.set()
        for task in self._tasks:
            if task.get_name() == "outbox-watch":
                task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        try:
            if await self._lease.acquire_or_renew():
                while await self.relay_once() >= self._batch_size:
                    pass
            await self._lease.release()
        except Exception:
            # Whatever is left stays in the outbox and goes out on the next start.
            log.exception("final outbox relay round failed")

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                relayed = await self.relay_once() if await self._lease.acquire_or_renew() else 0
            except Exception:
                # Kafka or MongoDB is unreachable: nothing is marked published, so the same
                # entries are retried on the next round.
                OUTBOX_RELAY_ERRORS.inc()
                log.exception("outbox relay round failed")
                relayed = 0
            if relayed >= self._batch_size:
                continue
            if self._stopping.is_set():
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), timeout=self._idle_poll_seconds)
            self._wakeup.clear()

    async def relay_once(self) -> int:
        pending: list[Document] = (
            await self._collection.find({"published_at": None})
            .sort("_id", ASCENDING)
            .limit(self._batch_size)
            .to_list()
        )
        await self._report_backlog(pending)
        if not pending:
            return 0
        # Send in order; the idempotent producer keeps that order per partition.
        deliveries = [
            await self._producer.send(
                entry["topic"], value=entry["value"], key=entry["key"].encode()
            )
            for entry in pending
        ]
        await asyncio.gather(*deliveries)
        await self._collection.update_many(
            {"_id": {"$in": [entry["_id"] for entry in pending]}},
            {"$set": {"published_at": utcnow()}},
        )
        for entry in pending:
            OUTBOX_PUBLISHED.labels(entry["topic"]).inc()
        return len(pending)

    async def _report_backlog(self, pending: list[Document]) -> None:
        if len(pending) < self._batch_size:
            OUTBOX_BACKLOG.set(len(pending))
        else:
            OUTBOX_BACKLOG.set(await self._collection.count_documents({"published_at": None}))
        oldest: Any = pending[0]["created_at"] if pending else None
        OUTBOX_OLDEST_PENDING_SECONDS.set(
            (utcnow() - oldest).total_seconds() if oldest is not None else 0
        )

    async def _watch_inserts(self) -> None:
        """Wake the relay as soon as anything is committed to the outbox, by any instance."""
        while not self._stopping.is_set():
            try:
                async with await self._collection.watch(
                    [{"$match": {"operationType": "insert"}}]
                ) as changes:
                    async for _ in changes:
                        self._wakeup.set()
            except PyMongoError:
                # The relay still polls; try watching again shortly.
                await asyncio.sleep(1.0)
