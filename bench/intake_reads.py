"""Reads of several collections in one command: the webhook intake's two reads in a transaction
(two `$in` finds, or one `Tx.find_among`), and the sender's three documents outside one
(`MongoStore.find_by_ids`' `$unionWith`, or `Tx.find_among`'s `$documents` and `$lookup` form).

    .venv/bin/python -m bench.intake_reads                 # about 40 s
    .venv/bin/python -m bench.intake_reads --transactions 3000 --repeats 3

Starts its own mongod (a one-member replica set) in a temporary folder on a free port, fills a
`webhook_events` and a `line_users` collection, then runs transactions one after another, each
reading what a one-event body reads (is its id recorded, one of two ids asked; the sender's
document) the old way, as two `$in` finds, and the new way, as one aggregation of a `$documents`
and two `$lookup`s, alternating the two forms `--repeats` times. Prints, per form, the wall time
and mongod's CPU time (from /proc) per transaction, the commit included. Then the same for the
sender's read before a send (an attempt, an outcome and a user, by `_id`, no transaction): the
`$unionWith` form `find_by_ids` uses, against the `$lookup` form: whether `find_by_ids` would
gain from running on `find_among`'s form. Both answers are checked to be the same first.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections.abc import Awaitable, Callable, Mapping
from functools import partial

from bench.ai_chat_throughput import process_cpu_seconds
from bench.own_mongod import own_mongod
from services.common.store import AmongIds, ById, MongoStore, Tx
from services.common.store.mongo import Document

USERS = 1000
Figures = tuple[float, float]


async def two_finds(tx: Tx, *, n: int) -> None:
    db = tx.store.db
    await db.webhook_events.find(
        {"_id": {"$in": [f"e{n}", f"new{n}"]}}, {"_id": 1}, session=tx.session
    ).to_list()
    await db.line_users.find({"_id": {"$in": [f"U{n % USERS}"]}}, session=tx.session).to_list()


async def one_find_among(tx: Tx, *, n: int) -> None:
    await tx.find_among(
        [
            AmongIds("webhook_events", [f"e{n}", f"new{n}"], fields=("_id",)),
            AmongIds("line_users", [f"U{n % USERS}"]),
        ]
    )


def sender_read(n: int) -> list[ById]:
    return [
        ById("attempts", f"c{n}", fields=("method",)),
        ById("outcomes", f"c{n}"),
        ById("line_users", f"U{n % USERS}", fields=("following",)),
    ]


async def by_union_with(store: MongoStore, *, n: int) -> list[Document | None]:
    return await store.find_by_ids(sender_read(n))


async def by_lookup(store: MongoStore, *, n: int) -> list[Document | None]:
    """`find_by_ids`' answer from the `$documents` and `$lookup` form (no transaction)."""
    pipeline: list[Document] = [{"$documents": [{}]}]
    for slot, wanted in enumerate(sender_read(n)):
        stages: list[Document] = [{"$match": {"_id": {"$in": [wanted.id]}}}]
        if wanted.fields:
            stages.append({"$project": dict.fromkeys(wanted.fields, 1)})
        pipeline.append(
            {"$lookup": {"from": wanted.collection, "pipeline": stages, "as": f"w{slot}"}}
        )
    [found] = await (await store.db.aggregate(pipeline)).to_list()
    return [next(iter(found[f"w{slot}"]), None) for slot in range(len(sender_read(n)))]


async def timed(call: Callable[[int], Awaitable[object]], count: int, mongod: int) -> Figures:
    """Wall and mongod CPU milliseconds per call of `call(n)`, for n in 0 .. count - 1."""
    cpu, started = process_cpu_seconds(mongod), time.perf_counter()
    for n in range(count):
        await call(n)
    wall, used = time.perf_counter() - started, process_cpu_seconds(mongod) - cpu
    return 1000 * wall / count, 1000 * used / count


async def compare(
    label: str,
    forms: Mapping[str, Callable[[int], Awaitable[object]]],
    args: argparse.Namespace,
    mongod: int,
) -> None:
    """Each form `--transactions` times, the forms alternating, `--repeats` rounds."""
    for repeat in range(1, args.repeats + 1):
        for name, call in forms.items():
            wall, cpu = await timed(call, args.transactions, mongod)
            print(
                f"run {repeat}, {label} by {name}: {wall:.3f} ms, mongod {cpu:.3f} ms "
                f"(load {os.getloadavg()[0]:.1f})"
            )


async def bench(args: argparse.Namespace) -> None:
    async with own_mongod() as mongod:
        store = MongoStore(uri=mongod.uri, database="bench", app_name="bench")
        try:
            await store.db.webhook_events.insert_many(
                [{"_id": f"e{n}"} for n in range(0, args.transactions, 2)]
            )
            await store.db.line_users.insert_many(
                [{"_id": f"U{n}", "mode": "bot", "following": True} for n in range(USERS)]
            )
            in_transaction = {
                "two $in finds": lambda n: store.transaction(partial(two_finds, n=n)),
                "find_among": lambda n: store.transaction(partial(one_find_among, n=n)),
            }
            await timed(in_transaction["find_among"], 200, mongod.pid)  # warm-up: pools, caches
            await compare("a transaction (the commit included)", in_transaction, args, mongod.pid)
            await store.db.attempts.insert_many(
                [{"_id": f"c{n}", "method": "push", "key": "k"} for n in range(args.transactions)]
            )
            await store.db.outcomes.insert_many(
                [{"_id": f"c{n}", "outcome": "sent"} for n in range(0, args.transactions, 2)]
            )
            for n in range(50):
                same = await by_union_with(store, n=n) == await by_lookup(store, n=n)
                assert same, f"the two forms answered read {n} differently"
            sender_forms = {
                "$unionWith": lambda n: by_union_with(store, n=n),
                "$lookup": lambda n: by_lookup(store, n=n),
            }
            await compare("the sender's read", sender_forms, args, mongod.pid)
        finally:
            await store.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--transactions", type=int, default=2000, help="per form and repeat")
    parser.add_argument("--repeats", type=int, default=2)
    asyncio.run(bench(parser.parse_args()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
