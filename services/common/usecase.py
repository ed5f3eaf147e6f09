"""The one way a use case commits (ARCHITECTURE.md): its body, in one transaction.

A use case (an endpoint's or a job's) loads through repositories, asks `domain/` for the decision
and commits it. Written as `@transactional async def do_it(db, tx, *, ...)`, it is called as
`do_it(db, ...)`: the decorator opens the transaction on `db.store` and hands it in, so no use
case writes its own `work(tx)` closure (the consumers' twin is the framework's `Commit`,
`services/common/kafka/handling.py`). `db` is anything with a `store`: a service's bundle of
repositories, or the use case's own object when it is a method.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Concatenate, ParamSpec, Protocol, TypeVar

from services.common.store.mongo import MongoStore, Tx


class HasStore(Protocol):
    @property
    def store(self) -> MongoStore: ...


S = TypeVar("S", bound=HasStore)
P = ParamSpec("P")
T = TypeVar("T")


def transactional(
    use_case: Callable[Concatenate[S, Tx, P], Awaitable[T]],
) -> Callable[Concatenate[S, P], Awaitable[T]]:
    """Run the use case's body in one transaction of `db.store` and return what it returns.

    As with `MongoStore.transaction`, the body may run more than once (transient errors retry
    the whole transaction): it reads and writes MongoDB only, and what must follow the commit (a
    metric, a log line) goes to `tx.after_commit`. A refusal it raises aborts the transaction, so
    nothing is written, and reaches the caller.
    """

    @functools.wraps(use_case)
    async def run(db: S, /, *args: P.args, **kwargs: P.kwargs) -> T:
        async def work(tx: Tx) -> T:
            return await use_case(db, tx, *args, **kwargs)

        return await db.store.transaction(work)

    return run
