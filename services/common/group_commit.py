"""Group commit: items handed in while a write is under way are written together in the next one.

Concurrent callers (consumer lanes of different seniors, say) each wait for their own item to be
written, but share one round trip per group instead of paying one each: with nothing under way an
item is written at once, alone; under load the groups grow by themselves, up to `max_items`.

The `write` decides what failed. It raises when the whole group may not be written (the
connection, the write concern): every caller of that group gets the error. It returns the
positions of the items it could not write when only those failed (a document refused), so one bad
item fails its own caller only and not the others that happened to share its group. A caller that
gets an error retries by handing the item in again, so `write` must be idempotent per item.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")

# Positions in the group (as given to `write`) of the items that were not written, and why.
Refused = Mapping[int, Exception]
Write = Callable[[Sequence[Item]], Awaitable[Refused]]


class GroupCommit(Generic[Item]):
    """One writer task per instance; `add` returns once the item's group is written."""

    def __init__(self, write: Write[Item], *, max_items: int) -> None:
        if max_items < 1:
            raise ValueError("max_items must be at least 1")
        self._write = write
        self._max_items = max_items
        self._waiting: list[tuple[Item, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def add(self, item: Item) -> None:
        """Write `item` with whatever else is waiting; raises what its write raised or refused."""
        written: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, written))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_waiting(), name="group-commit")
        # A caller cancelled (at shutdown) cancels only its own wait: the writer is its own task,
        # so the group it is in is still written for the others.
        await written

    async def _write_waiting(self) -> None:
        while self._waiting:
            group = self._waiting[: self._max_items]
            del self._waiting[: len(group)]
            try:
                refused = await self._write([item for item, _ in group])
            except Exception as error:
                refused = dict.fromkeys(range(len(group)), error)
            for position, (_, written) in enumerate(group):
                if written.done():  # abandoned by a cancelled caller
                    continue
                failure = refused.get(position)
                if failure is None:
                    written.set_result(None)
                else:
                    written.set_exception(failure)
