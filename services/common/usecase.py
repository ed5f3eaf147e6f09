"""The one way a use case commits (ARCHITECTURE.md): its writes, in one transaction.

A use case (an endpoint's or a job's) loads, asks `domain/` for the decision and commits it. The
transaction's work is a named function of the use case module, `write(tx, ...)`, given its inputs
here rather than closed over in a hand-written `work(tx)`, so every commit reads the same way (the
consumers' twin is the framework's `Commit`, `services/common/kafka/handling.py`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Concatenate, ParamSpec, TypeVar

from services.common.store.mongo import MongoStore, Tx

P = ParamSpec("P")
T = TypeVar("T")


async def commit(
    store: MongoStore,
    write: Callable[Concatenate[Tx, P], Awaitable[T]],
    /,
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    """Run `write(tx, *args, **kwargs)` in one transaction and return what it returns.

    As with `MongoStore.transaction`, `write` may run more than once (transient errors retry
    the whole transaction): it reads and writes MongoDB only, and what must follow the commit
    goes to `tx.after_commit`. A refusal it raises aborts the transaction and reaches the caller.
    """

    async def work(tx: Tx) -> T:
        return await write(tx, *args, **kwargs)

    return await store.transaction(work)
