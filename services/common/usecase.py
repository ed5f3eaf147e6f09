"""The one way a use case commits what it decided (ARCHITECTURE.md, "How a use case commits").

A use case loads through repositories, asks `domain/` for the decision and writes it in one
transaction. An endpoint's use case has no framework to open that transaction for it (a consumer
has: `services.common.kafka.handling`), so it hands the write to `commit`: `write` is a method of
the use case with its arguments bound by `functools.partial`, never a closure written around a
transaction by hand. `write` may run more than once (transient errors are retried as a whole),
so it acts only on MongoDB; what must follow the commit goes to `tx.after_commit`, run once after
the attempt that committed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from typing import TypeVar

from services.common.store.mongo import MongoStore, Tx

T = TypeVar("T")


async def commit(
    store: MongoStore,
    write: Callable[[Tx], Awaitable[T]],
    *,
    lease: contextlib.AbstractAsyncContextManager[object] | None = None,
) -> T:
    """Run `write` in one transaction (holding `lease` around it, if given); its result."""
    async with lease or contextlib.nullcontext():
        return await store.transaction(write)
