"""The one way a use case (an endpoint's or a job's) commits: the two shapes of a handler.

A consumer's handler is written `apply=` (it gets the transaction) or `decide=` (it returns a
`Commit` the framework writes with the claim; `services/common/kafka/handling.py`). A use case has
no framework around it and takes the same two shapes from here:

- `@transactional async def do_it(db, tx, *, ...)`, called `do_it(db, ...)`: load, decide and
  write in one transaction of `db.store` (`db` is anything with a `store`: a service's bundle of
  repositories, or the use case's own object when it is a method);
- `commit(store, write)`: decide outside any transaction (a model or LINE call, or a pure
  aggregate's transition), then write it: `write` is a method with the decision bound by
  `functools.partial`, as a handler's `Commit` is.

Either way no use case writes its own `work(tx)` closure, the write runs in one transaction that
is retried whole on a transient error (so it acts on MongoDB only), and what follows the commit
(a metric, a log line) goes to `tx.after_commit`, run once after the attempt that committed. A
refusal raised inside aborts the transaction, so nothing is written, and reaches the caller.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Awaitable, Callable
from typing import Concatenate, ParamSpec, Protocol, TypeVar

from services.common.store.mongo import MongoStore, Tx

__all__ = ["HasStore", "commit", "transactional"]


class HasStore(Protocol):
    @property
    def store(self) -> MongoStore: ...


S = TypeVar("S", bound=HasStore)
P = ParamSpec("P")
T = TypeVar("T")


def transactional(
    use_case: Callable[Concatenate[S, Tx, P], Awaitable[T]],
) -> Callable[Concatenate[S, P], Awaitable[T]]:
    """Run the use case's body in one transaction of `db.store` and return what it returns."""

    @functools.wraps(use_case)
    async def run(db: S, /, *args: P.args, **kwargs: P.kwargs) -> T:
        async def work(tx: Tx) -> T:
            return await use_case(db, tx, *args, **kwargs)

        return await db.store.transaction(work)

    return run


async def commit(
    store: MongoStore,
    write: Callable[[Tx], Awaitable[T]],
    *,
    lease: contextlib.AbstractAsyncContextManager[object] | None = None,
) -> T:
    """Run `write` in one transaction (holding `lease` from before it opens, if given)."""
    async with lease or contextlib.nullcontext():
        return await store.transaction(write)
