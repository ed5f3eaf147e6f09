"""MongoDB access through PyMongo's native async API (`AsyncMongoClient`).

Motor is deprecated by MongoDB in favour of this API, which talks to the server directly from the
event loop instead of through a thread pool.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

from bson import ObjectId
from pymongo import AsyncMongoClient, IndexModel, ReadPreference, UpdateOne, WriteConcern
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import OperationFailure
from pymongo.read_concern import ReadConcern

from services.common.events.envelope import Envelope, encode_event
from services.common.kafka.topics import TopicSpec
from services.common.logging import get_logger
from services.common.time import utcnow

log = get_logger(__name__)
# MongoDB's IndexOptionsConflict and IndexKeySpecsConflict: same name, different definition.
_INDEX_DEFINITION_CHANGED = (85, 86)

T = TypeVar("T")
Document = dict[str, Any]

OUTBOX_COLLECTION = "outbox"


@dataclass(frozen=True)
class CollectionIndexes:
    collection: str
    indexes: list[IndexModel] = field(default_factory=list)


@dataclass(frozen=True)
class ById:
    """One document for `MongoStore.find_by_ids`: `collection`'s document `id`, with only
    `fields` (and `_id`) if given."""

    collection: str
    id: Any
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class AmongIds:
    """For `Tx.find_among`: `collection`'s documents whose `_id` is among `ids`, with only
    `fields` (and `_id`) if given."""

    collection: str
    ids: Sequence[Any]
    fields: tuple[str, ...] = ()


# Which of the wanted documents a result is, in `find_by_ids` (taken off before it is returned).
_SLOT = "__wanted"


def _by_id_stages(slot: int, wanted: ById) -> list[Document]:
    marked: Document = (
        {"$project": {**dict.fromkeys(wanted.fields, 1), _SLOT: {"$literal": slot}}}
        if wanted.fields
        else {"$set": {_SLOT: {"$literal": slot}}}
    )
    return [{"$match": {"_id": {"$eq": wanted.id}}}, marked]


# Work to do once a transaction has committed: a metric, a log line, a report (sync or async).
AfterCommit = Callable[[], Awaitable[None] | None]


class Tx:
    """One MongoDB transaction: state changes and the events they cause commit together."""

    def __init__(self, store: MongoStore, session: AsyncClientSession) -> None:
        self.store = store
        self.session = session
        self._after_commit: list[AfterCommit] = []
        self._emitted = 0  # the outbox entries staged so far: the next one's `position`

    def after_commit(self, *hooks: AfterCommit) -> None:
        """Run `hooks` once this transaction has committed, in order; never if it rolls back.

        For what must not happen twice or for nothing (counting an answer, reporting a budget):
        the transaction's own work may run more than once (`MongoStore.transaction`), and an
        attempt that is retried or aborted takes its hooks with it.
        """
        self._after_commit.extend(hooks)

    async def _committed(self) -> None:
        for hook in self._after_commit:
            pending = hook()
            if inspect.isawaitable(pending):
                await pending

    async def find_among(self, wanted: Sequence[AmongIds]) -> list[list[Document]]:
        """Each request's documents (in no set order), read in the transaction's snapshot, in one
        command: one round trip instead of one `$in` read per collection.

        One empty document (`$documents`) with one `$lookup` per request: `$unionWith`, which
        `MongoStore.find_by_ids` uses outside transactions, is refused inside one. The answer is
        one document, so what is found must stay under MongoDB's 16 MB document limit.
        """
        if not wanted:
            return []
        pipeline: list[Document] = [{"$documents": [{}]}]
        for slot, request in enumerate(wanted):
            stages: list[Document] = [{"$match": {"_id": {"$in": list(request.ids)}}}]
            if request.fields:
                stages.append({"$project": dict.fromkeys(request.fields, 1)})
            pipeline.append(
                {"$lookup": {"from": request.collection, "pipeline": stages, "as": f"w{slot}"}}
            )
        cursor = await self.store.db.aggregate(pipeline, session=self.session)
        [found] = await cursor.to_list()
        return [found[f"w{slot}"] for slot in range(len(wanted))]

    async def emit(self, *, topic: TopicSpec, key: str, event: Envelope[Any]) -> None:
        """Stage an event in the outbox; the relay publishes it once the transaction commits."""
        await self.emit_all([(topic, key, event)])

    async def emit_all(self, staged: Sequence[tuple[TopicSpec, str, Envelope[Any]]]) -> None:
        """Stage (topic, key, event) triples in one write, in their order (the relay's).

        Each entry is stamped with the transaction's cluster time (`$$CLUSTER_TIME`, in a
        transaction its snapshot's) and its place in the transaction: the relay's order. An
        entry's ObjectId cannot order it: two processes writing one lane (two webhook instances,
        a process and its successor) make ids whose order within a second is their processes'
        random bytes, so a senior's message committed first could be relayed second. A
        transaction that starts after another committed reads a later snapshot, so its entries
        sort after the other's, whichever process or host wrote them.
        """
        if not staged:
            return
        entries = []
        for topic, key, event in staged:
            document = outbox_document(
                topic=topic, key=key, event=event, lane=self.store.outbox_lane
            )
            document["position"] = self._emitted
            self._emitted += 1
            entries.append(_stamped_insert(document))
        await self.store.db[OUTBOX_COLLECTION].bulk_write(
            entries, ordered=True, session=self.session
        )


def _stamped_insert(document: Document) -> UpdateOne:
    """An insert that also writes the cluster time, which an insert cannot compute: an upsert
    of a new id whose pipeline takes the document verbatim (`$literal`: no `$` is read)."""
    document["_id"] = ObjectId()
    return UpdateOne(
        {"_id": document["_id"]},
        [
            {"$replaceWith": {"$literal": document}},
            {"$set": {"cluster_time": "$$CLUSTER_TIME"}},
        ],
        upsert=True,
    )


def outbox_document(
    *, topic: TopicSpec, key: str, event: Envelope[Any], lane: str | None = None
) -> Document:
    return {
        # Which relay publishes the entry (`OutboxLanes`); None for a service with one lane.
        "lane": lane,
        "topic": topic.name,
        "key": key,
        "value": encode_event(event),
        "event_id": str(event.id),
        "event_type": event.type,
        "created_at": utcnow(),
        "published_at": None,
    }


class MongoStore:
    def __init__(
        self, *, uri: str, database: str, app_name: str, outbox_lane: str | None = None
    ) -> None:
        self.app_name = app_name
        # The outbox lane this process's transactions write (services.common.store.outbox).
        self.outbox_lane = outbox_lane
        self.client: AsyncMongoClient[Document] = AsyncMongoClient(
            uri,
            tz_aware=True,
            appname=app_name,
            serverSelectionTimeoutMS=5_000,
            connectTimeoutMS=5_000,
        )
        self.db: AsyncDatabase[Document] = self.client[database]

    def collection(self, name: str) -> AsyncCollection[Document]:
        return self.db[name]

    async def ping(self) -> None:
        await self.client.admin.command("ping")

    async def find_by_ids(self, wanted: Sequence[ById]) -> list[Document | None]:
        """The `wanted` documents, each by `_id` from its own collection, in the order asked (None
        where there is none), in one command: one round trip instead of one per document.

        An aggregation whose `$unionWith` stages read the other collections, for reads outside
        any transaction. Like separate `find_one`s, it sees each document as it is when mongod
        reaches it, not one snapshot of all.
        """
        if not wanted:
            return []
        first, *rest = wanted
        pipeline = _by_id_stages(0, first)
        for slot, other in enumerate(rest, start=1):
            pipeline.append(
                {"$unionWith": {"coll": other.collection, "pipeline": _by_id_stages(slot, other)}}
            )
        found: list[Document | None] = [None] * len(wanted)
        async for doc in await self.db[first.collection].aggregate(pipeline):
            found[doc.pop(_SLOT)] = doc
        return found

    async def transaction(self, work: Callable[[Tx], Awaitable[T]]) -> T:
        """Run `work` in a transaction, retried as a whole on transient errors.

        `work` may therefore run more than once and must not have effects outside MongoDB; what
        must follow the commit goes to `tx.after_commit`. A server error inside a transaction
        (e.g. a duplicate key) aborts it: let such errors propagate out of `work` and catch them
        around this call, never inside `work`.
        """
        async with self.client.start_session() as session:
            attempts: list[Tx] = []

            async def callback(s: AsyncClientSession) -> T:
                attempts.append(Tx(self, s))
                return await work(attempts[-1])

            result = await session.with_transaction(
                callback,
                read_concern=ReadConcern("snapshot"),
                write_concern=WriteConcern("majority"),
                read_preference=ReadPreference.PRIMARY,
            )
        # The last attempt is the one that committed (a retry runs `work` again from the start).
        await attempts[-1]._committed()
        return result

    async def end_abandoned_transactions(self, *, app_prefix: str) -> int:
        """Abort the transactions an earlier process left open, returns how many.

        A process killed inside a transaction leaves it open on mongod, with its documents
        locked, until `transactionLifetimeLimitSeconds` (60 s by default) passes; whatever the
        restarted process then writes to those documents waits that long. Sessions of this
        instance's earlier processes are recognised by their application name (`app_prefix`,
        with another process's suffix) and ended, which aborts their transactions at once. Best
        effort: without the privilege to list its sessions, the process just starts.
        """
        pipeline: list[Document] = [
            {"$currentOp": {"idleSessions": True, "allUsers": False}},
            {
                "$match": {
                    "type": "idleSession",
                    "transaction": {"$exists": True},
                    "appName": {"$regex": f"^{re.escape(app_prefix)}", "$ne": self.app_name},
                }
            },
        ]
        try:
            cursor = await self.client.admin.aggregate(pipeline)
            abandoned = [op["lsid"] async for op in cursor]
            if abandoned:
                await self.client.admin.command(
                    {"killSessions": [{"id": lsid["id"]} for lsid in abandoned]}
                )
        except OperationFailure as exc:
            log.warning("could not end abandoned transactions", error=str(exc))
            return 0
        if abandoned:
            log.warning("ended transactions an earlier process left open", count=len(abandoned))
        return len(abandoned)

    async def ensure_indexes(self, specs: Iterable[CollectionIndexes]) -> None:
        """Create the code's indexes; an index whose definition changed since an older release is
        dropped and rebuilt, so existing data follows the code instead of stopping the start."""
        for spec in specs:
            collection = self.db[spec.collection]
            for index in spec.indexes:
                try:
                    await collection.create_indexes([index])
                except OperationFailure as exc:
                    if exc.code not in _INDEX_DEFINITION_CHANGED:
                        raise
                    name = index.document["name"]
                    log.warning(
                        "index definition changed; rebuilding it",
                        collection=spec.collection,
                        index=name,
                    )
                    await collection.drop_index(name)
                    await collection.create_indexes([index])

    async def drop_database(self) -> None:
        await self.client.drop_database(self.db.name)

    async def close(self) -> None:
        await self.client.close()


def ttl_index(field_name: str, after: timedelta, *, name: str | None = None) -> IndexModel:
    return IndexModel(
        [(field_name, 1)],
        expireAfterSeconds=int(after.total_seconds()),
        name=name or f"{field_name}_ttl",
    )


def unset_none(values: Mapping[str, Any]) -> Document:
    return {k: v for k, v in values.items() if v is not None}
