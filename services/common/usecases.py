"""The one way a use case (an endpoint's or a job's) commits what it decided.

A consumer's handler returns a `Commit` and the framework writes it with the event's claim
(`services/common/kafka/handling.py`). A use case has no framework around it, so it does the same
with `run_commit`: it loads and decides outside any transaction, then hands over a `Commit` whose
`write` is one of its methods with the decision bound by `functools.partial` (never a closure
written for the occasion). The write runs in one transaction, retried as a whole on a transient
error, so it must not act outside MongoDB; what follows the commit (a metric, a log line, a count)
goes to `tx.after_commit`, and runs once, after the attempt that committed.
"""

from __future__ import annotations

import contextlib

from services.common.kafka.handling import Commit
from services.common.store import MongoStore

__all__ = ["Commit", "run_commit"]


async def run_commit(store: MongoStore, decided: Commit) -> None:
    """Write `decided` in one transaction, holding its lease (if any) from before it opens."""
    async with decided.lease or contextlib.nullcontext():
        await store.transaction(decided.write)
