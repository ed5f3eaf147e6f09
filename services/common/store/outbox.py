"""The transactional outbox relay: publishes committed outbox entries to Kafka, in order.

A service writes its state change and the events it causes in one MongoDB transaction (`Tx.emit`);
this relay then sends them with the idempotent producer and marks them published. A crash between
"sent" and "marked" sends an entry again after restart; consumers de-duplicate by envelope id, so
that repeat is harmless, and no committed event is ever lost.

Only one relay per lane of a service database runs at a time (a lease in MongoDB), so entries go
out in the order they were committed even when several instances of a service run: in the order
of their transactions' cluster times (`RELAY_ORDER`, stamped by `Tx.emit_all`), so an entry whose
transaction began after another's commit goes after it, whichever process wrote it. Most services
have one lane (None, lease `outbox-relay`). A service whose processes do different work can give
each kind its own lane (`OutboxLanes`): each process stamps its entries with the lane it writes
and relays that lane under its own lease (`outbox-relay/<lane>`), so neither kind of process waits
for the other's relay nor fights it for one lease; and each stands by for the other lanes, draining
one whose lease has expired (its processes are gone) so nothing committed waits for a restart.
Kafka's order is per partition (a topic and key); entries from two processes were never ordered
against each other by more than their commit times, so splitting by writer loses no guarantee.

An entry Kafka can never take (a record over the size limit, an invalid topic: errors that no
retry mends) must not hold back every entry behind it. It is moved aside, whole, to
`outbox_parked` with the error, counted (`sslp_outbox_parked_total`, and `sslp_outbox_parked`
until a person deals with it) and logged; the entries after it go on. Any other failure (Kafka
or MongoDB unreachable) marks nothing and the round is retried, as before.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.errors import (
    InvalidTopicError,
    MessageSizeTooLargeError,
    RecordTooLargeError,
    TopicAuthorizationFailedError,
)
from pymongo import ASCENDING, IndexModel
from pymongo.errors import DuplicateKeyError, PyMongoError

from services.common.logging import get_logger
from services.common.metrics import (
    OUTBOX_BACKLOG,
    OUTBOX_OLDEST_PENDING_SECONDS,
    OUTBOX_PARKED,
    OUTBOX_PARKED_WAITING,
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
PARKED_COLLECTION = "outbox_parked"

# Refusals that retrying the same record can never mend.
PERMANENT_ERRORS: tuple[type[Exception], ...] = (
    MessageSizeTooLargeError,
    RecordTooLargeError,
    InvalidTopicError,
    TopicAuthorizationFailedError,
)


def _reason(error: BaseException) -> str:
    if isinstance(error, MessageSizeTooLargeError | RecordTooLargeError):
        return "too_large"
    return "refused"


# The order a relay publishes in: the writing transaction's cluster time, then the entry's place
# in it (`Tx.emit_all`), then the id for entries from before the stamp (they sort first).
RELAY_ORDER: list[tuple[str, int]] = [
    ("cluster_time", ASCENDING),
    ("position", ASCENDING),
    ("_id", ASCENDING),
]

LEASE_TTL = timedelta(seconds=15)
PARKED_COUNT_SECONDS = 30.0
# How often a relay standing by for another lane looks whether that lane's relay is gone.
STANDBY_POLL_SECONDS = 5.0


def lease_name(lane: str | None) -> str:
    return "outbox-relay" if lane is None else f"outbox-relay/{lane}"


@dataclass(frozen=True)
class OutboxLanes:
    """The outbox lane a process's transactions write, the lanes it relays, and the lanes it
    drains only while no one else relays them (their lease expired)."""

    writes: str | None = None
    relays: tuple[str | None, ...] = (None,)
    standby: tuple[str | None, ...] = ()


def outbox_indexes(published_retention: timedelta) -> list[CollectionIndexes]:
    return [
        CollectionIndexes(
            OUTBOX_COLLECTION,
            [
                # A relay's query: one lane's unpublished entries in commit order (`RELAY_ORDER`).
                # (Same name as the index before: `ensure_indexes` rebuilds it when it changes.)
                IndexModel(
                    [("published_at", ASCENDING), ("lane", ASCENDING), *RELAY_ORDER],
                    name="pending",
                ),
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
        """Hold the lease for another `ttl`; True if this owner holds it now.

        The holder renews with one update. Anyone else reads, and writes only to take over an
        expired lease (compare-and-set on the owner and expiry it read) or to create a missing
        one. An upsert over {name, owner or expired} looked simpler, but while someone else holds
        the lease it tries to insert a twin and fails on the unique _id: a DuplicateKey error,
        logged by mongod, every round of every waiting instance. Now only two instances creating
        the same lease at once can meet one.
        """
        now = utcnow()
        renewed = await self._collection.update_one(
            {"_id": self._name, "owner": self._owner},
            {"$set": {"expires_at": now + self._ttl}},
        )
        if renewed.matched_count:
            return True
        current = await self._collection.find_one({"_id": self._name})
        if current is None:
            try:
                await self._collection.insert_one(
                    {"_id": self._name, "owner": self._owner, "expires_at": now + self._ttl}
                )
            except DuplicateKeyError:
                return False  # another instance created it in between
            return True
        if current["expires_at"] >= now:
            return False
        taken = await self._collection.update_one(
            {"_id": self._name, "owner": current["owner"], "expires_at": current["expires_at"]},
            {"$set": {"owner": self._owner, "expires_at": now + self._ttl}},
        )
        return taken.matched_count == 1

    async def release(self) -> None:
        await self._collection.delete_one({"_id": self._name, "owner": self._owner})


class OutboxRelay:
    """Relays one lane of the outbox while holding its lease; a `standby` relay instead looks
    every `STANDBY_POLL_SECONDS` whether the lane's lease is vacant, and if so drains the lane
    and lets the lease go again, so the lane's own relay takes it back as soon as it returns."""

    def __init__(
        self,
        *,
        store: MongoStore,
        producer: AIOKafkaProducer,
        owner: str,
        lane: str | None = None,
        standby: bool = False,
        batch_size: int = 500,
        idle_poll_seconds: float = 1.0,
        lease_ttl: timedelta = LEASE_TTL,
    ) -> None:
        self._collection = store.collection(OUTBOX_COLLECTION)
        self._parked = store.collection(PARKED_COLLECTION)
        self._producer = producer
        self.lane = lane
        self._standby = standby
        self._lease = Lease(store, name=lease_name(lane), owner=owner, ttl=lease_ttl)
        # The lease is renewed when a third of it has passed, not every round: a round per
        # commit made the renewal a round trip per webhook group (bench/PROFILE_issue11.md).
        self._renew_every = lease_ttl.total_seconds() / 3
        self._held_since: float | None = None  # loop time of the last successful renewal
        self._parked_counted_at: float | None = None
        self._batch_size = batch_size
        self._idle_poll_seconds = idle_poll_seconds
        self._wakeup = asyncio.Event()
        self.watching = asyncio.Event()  # set while the change stream is open
        self._stopping = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        if self._standby:
            self._tasks = [asyncio.create_task(self._stand_by(), name="outbox-standby")]
            return
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
        if self._standby:
            return  # the lane's own relay sends what is left when it is back
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
                relayed = await self.relay_once() if await self._hold_lease() else 0
            except Exception:
                # Kafka or MongoDB is unreachable: nothing is marked published, so the same
                # entries are retried on the next round (after a renewal: the lease may be gone).
                self._held_since = None
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

    async def _hold_lease(self) -> bool:
        """Whether this relay holds its lease, renewing it once a third of its time has passed.

        Between renewals a round trusts a renewal at most `ttl / 3` old, so it still has two
        thirds of the lease ahead of it, as rounds renewing first had their whole lease.
        """
        now = asyncio.get_running_loop().time()
        if self._held_since is not None and now - self._held_since < self._renew_every:
            return True
        held = await self._lease.acquire_or_renew()
        self._held_since = now if held else None
        return held

    async def _stand_by(self) -> None:
        while not self._stopping.is_set():
            try:
                if await self._lease.acquire_or_renew():
                    try:
                        log.warning("draining an outbox lane its relay left", lane=self.lane)
                        while await self.relay_once() >= self._batch_size:
                            await self._lease.acquire_or_renew()
                    finally:
                        await self._lease.release()
            except Exception:
                OUTBOX_RELAY_ERRORS.inc()
                log.exception("outbox standby round failed", lane=self.lane)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=STANDBY_POLL_SECONDS)

    async def relay_once(self) -> int:
        pending: list[Document] = (
            await self._collection.find({"published_at": None, "lane": self.lane})
            .sort(RELAY_ORDER)
            .limit(self._batch_size)
            .to_list()
        )
        await self._report_backlog(pending)
        if not pending:
            return 0
        # Send in order; the idempotent producer keeps that order per partition.
        sent: list[tuple[Document, asyncio.Future[Any]]] = []
        refused: list[tuple[Document, BaseException]] = []
        for entry in pending:
            try:
                delivery = await self._producer.send(
                    entry["topic"], value=entry["value"], key=entry["key"].encode()
                )
            except PERMANENT_ERRORS as error:  # e.g. over max_request_size, refused before sending
                refused.append((entry, error))
                continue
            sent.append((entry, delivery))
        results = await asyncio.gather(*(delivery for _, delivery in sent), return_exceptions=True)
        published: list[Document] = []
        transient: BaseException | None = None
        for (entry, _), result in zip(sent, results, strict=True):
            if isinstance(result, PERMANENT_ERRORS):
                refused.append((entry, result))
            elif isinstance(result, BaseException):
                transient = transient or result
            else:
                published.append(entry)
        for entry, refusal in refused:
            await self._park(entry, refusal)
        if transient is not None:
            # Nothing sent in this round is marked: all of it goes again, in order, next round.
            raise transient
        if published:
            await self._collection.update_many(
                {"_id": {"$in": [entry["_id"] for entry in published]}},
                {"$set": {"published_at": utcnow()}},
            )
        for entry in published:
            OUTBOX_PUBLISHED.labels(entry["topic"]).inc()
        return len(pending)

    async def _park(self, entry: Document, error: BaseException) -> None:
        """Move an entry Kafka will never take out of the way, keeping it whole for a person."""
        reason = _reason(error)
        with contextlib.suppress(DuplicateKeyError):  # parked before a crash, not yet removed
            await self._parked.insert_one(
                {
                    **entry,
                    "parked_at": utcnow(),
                    "reason": reason,
                    "error": repr(error)[:2000],
                    "size_bytes": len(entry["value"]),
                }
            )
        await self._collection.delete_one({"_id": entry["_id"]})
        OUTBOX_PARKED.labels(entry["topic"], reason).inc()
        OUTBOX_PARKED_WAITING.set(await self._parked.estimated_document_count())
        log.error(
            "outbox entry refused by Kafka for good; parked",
            topic=entry["topic"],
            event_id=entry.get("event_id"),
            event_type=entry.get("event_type"),
            size_bytes=len(entry["value"]),
            reason=reason,
            error=repr(error)[:500],
        )

    async def _report_backlog(self, pending: list[Document]) -> None:
        lane = self.lane or ""
        if len(pending) < self._batch_size:
            OUTBOX_BACKLOG.labels(lane).set(len(pending))
        else:
            OUTBOX_BACKLOG.labels(lane).set(
                await self._collection.count_documents({"published_at": None, "lane": self.lane})
            )
        # Parked entries change only when a relay parks one (counted then) or a person acts:
        # counted now and then, not every round.
        now = asyncio.get_running_loop().time()
        if self._parked_counted_at is None or now - self._parked_counted_at >= PARKED_COUNT_SECONDS:
            self._parked_counted_at = now
            OUTBOX_PARKED_WAITING.set(await self._parked.estimated_document_count())
        oldest: Any = pending[0]["created_at"] if pending else None
        OUTBOX_OLDEST_PENDING_SECONDS.labels(lane).set(
            (utcnow() - oldest).total_seconds() if oldest is not None else 0
        )

    async def _watch_inserts(self) -> None:
        """Wake the relay as soon as anything is committed to the outbox, by any instance."""
        while not self._stopping.is_set():
            try:
                # Only the wake-up is needed, not the entry: keep just the resume token.
                async with await self._collection.watch(
                    [
                        {"$match": {"operationType": "insert", "fullDocument.lane": self.lane}},
                        {"$project": {"_id": 1}},
                    ]
                ) as changes:
                    self.watching.set()
                    async for _ in changes:
                        self._wakeup.set()
            except PyMongoError:
                self.watching.clear()
                # The relay still polls; try watching again shortly.
                await asyncio.sleep(1.0)


class OutboxRelays:
    """A process's relays: one for each lane it relays, a standby for each it stands by for."""

    def __init__(
        self, *, store: MongoStore, producer: AIOKafkaProducer, owner: str, lanes: OutboxLanes
    ) -> None:
        self._lanes = lanes
        self.relays: Sequence[OutboxRelay] = [
            *(
                OutboxRelay(store=store, producer=producer, owner=owner, lane=lane)
                for lane in lanes.relays
            ),
            *(
                OutboxRelay(store=store, producer=producer, owner=owner, lane=lane, standby=True)
                for lane in lanes.standby
            ),
        ]

    def start(self) -> None:
        for relay in self.relays:
            relay.start()

    def notify(self) -> None:
        """A transaction of this process committed: wake the relay of the lane it wrote."""
        for relay in self.relays[: len(self._lanes.relays)]:
            if relay.lane == self._lanes.writes:
                relay.notify()

    async def stop(self) -> None:
        for relay in self.relays:
            await relay.stop()
