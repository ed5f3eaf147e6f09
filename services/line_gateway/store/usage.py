"""This month's message counts and LINE's own quota figures (Japan time).

LINE's allowance resets on the first of the month in Japan, so months are JST months. Replies are
free; push and multicast recipients are billable.

Every send counts itself in the transaction that records its outcome, so a count is never lost
or doubled. Counting into one document per month made that document the one every send's
transaction wrote: they serialised on it, and mongod aborted and retried them by the thousand
(`bench/line_send_contention.py`). So the counts live in **shards**: a transaction counts into a
shard no other running transaction holds (`CounterShards` hands each one out to one writer at a
time), and a month's count is the sum of its shards, read with one aggregation. A shard belongs
to one process; a process that dies leaves its shards behind (possibly locked for a minute by an
unfinished transaction) and the next one mints its own, so nobody waits for them. A month has at
most `CounterShards.limit` shards per process start. The month's own document keeps what is not
a count of sends (LINE's quota figures, the warnings given) and, from before the shards, any
counts an older release wrote there, which the sum includes.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from types import TracebackType
from uuid import uuid4

from pymongo import IndexModel

from services.common.store import CollectionIndexes, MongoStore, Tx
from services.common.time import JST, utcnow
from services.line_gateway.domain.budget import MonthlyUsage

COLLECTION = "monthly_usage"
SHARDS_COLLECTION = "monthly_usage_shards"
COUNTS = ("replies", "pushes", "multicast_recipients", "held")


def month_of(at: datetime) -> str:
    return at.astimezone(JST).strftime("%Y-%m")


class CounterShards:
    """Shard names for this process, each lent to one transaction at a time.

    A name whose transaction failed is not lent again: if the failure left the transaction open
    on the server, the shard stays locked until mongod aborts it, and nobody should wait for that.
    """

    def __init__(self, *, limit: int = 32) -> None:
        self.limit = limit
        self._free: list[str] = []
        self._slots = asyncio.Semaphore(limit)

    def lease(self) -> ShardLease:
        """A shard to take before a transaction opens and give back when it ends."""
        return ShardLease(self)

    async def _take(self) -> str:
        await self._slots.acquire()
        return self._free.pop() if self._free else uuid4().hex

    def _give_back(self, shard: str, *, committed: bool) -> None:
        if committed:
            self._free.append(shard)
        self._slots.release()


class ShardLease:
    """One shard of `CounterShards`, held for the whole of one transaction (`async with`)."""

    def __init__(self, shards: CounterShards) -> None:
        self._shards = shards
        self._name: str | None = None

    @property
    def name(self) -> str:
        if self._name is None:
            raise RuntimeError("the shard is only lent inside `async with`")
        return self._name

    async def __aenter__(self) -> ShardLease:
        self._name = await self._shards._take()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._shards._give_back(self.name, committed=exc_type is None)
        self._name = None


class UsageRepository:
    def __init__(self, store: MongoStore) -> None:
        self._collection = store.collection(COLLECTION)
        self._shards = store.collection(SHARDS_COLLECTION)

    @staticmethod
    def indexes() -> list[CollectionIndexes]:
        return [
            CollectionIndexes(COLLECTION),
            CollectionIndexes(SHARDS_COLLECTION, [IndexModel([("month", 1)], name="month")]),
        ]

    async def current(self, now: datetime | None = None) -> MonthlyUsage:
        month = month_of(now or utcnow())
        doc = await self._collection.find_one({"_id": month}) or {}
        totals = {name: int(doc.get(name, 0)) for name in COUNTS}
        summed = await self._shards.aggregate(
            [
                {"$match": {"month": month}},
                {"$group": {"_id": None, **{name: {"$sum": f"${name}"} for name in COUNTS}}},
            ]
        )
        async for row in summed:
            for name in COUNTS:
                totals[name] += int(row.get(name, 0))
        return MonthlyUsage.model_validate({**doc, **totals, "month": month})

    async def count(
        self,
        tx: Tx,
        *,
        shard: str,
        replies: int = 0,
        pushes: int = 0,
        multicast_recipients: int = 0,
        held: int = 0,
        now: datetime | None = None,
    ) -> None:
        """Count in `shard`, which the caller holds from `CounterShards.lease` for this `tx`."""
        month = month_of(now or utcnow())
        await self._shards.update_one(
            {"_id": f"{month}:{shard}"},
            {
                "$inc": {
                    "replies": replies,
                    "pushes": pushes,
                    "multicast_recipients": multicast_recipients,
                    "held": held,
                },
                "$setOnInsert": {"month": month},
            },
            upsert=True,
            session=tx.session,
        )

    async def save_quota(
        self, *, limit: int | None, used: int, now: datetime | None = None
    ) -> None:
        now = now or utcnow()
        values: dict[str, object] = {
            "quota_limit": limit,
            "quota_used": used,
            "quota_checked_at": now,
        }
        if limit is None or used < limit:
            # The plan was raised (or the month is not used up): pushes may be tried again.
            values["quota_exhausted_at"] = None
        await self._collection.update_one({"_id": month_of(now)}, {"$set": values}, upsert=True)

    async def mark_quota_exhausted(self, now: datetime | None = None) -> None:
        now = now or utcnow()
        await self._collection.update_one(
            {"_id": month_of(now)}, {"$set": {"quota_exhausted_at": now}}, upsert=True
        )

    async def claim_warning(self, threshold: int, now: datetime | None = None) -> bool:
        """True for the one caller that first reports crossing `threshold` percent this month."""
        result = await self._collection.update_one(
            {"_id": month_of(now or utcnow()), "warned": {"$ne": threshold}},
            {"$addToSet": {"warned": threshold}},
        )
        return bool(result.modified_count)
