"""Group commit: items handed in while a write is under way are written together in the next one.

Concurrent callers (webhook requests, consumer lanes of different seniors) each wait for their own
item's outcome, but share one round trip per group instead of paying one each: with nothing under
way an item is written at once, alone; under load the groups grow by themselves, up to
`max_items`.

The `write` decides what failed. It raises when the whole group may not be written (the
connection, the write concern): every caller of that group gets the error. Otherwise it returns
one outcome per item, in order: the item's result, or the exception for an item that could not be
written alone (a document refused), so one bad item fails its own caller only and not the others
that happened to share its group. A caller that gets an error retries by handing the item in
again, so `write` must be idempotent per item.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

# One outcome per item of the group, in the group's order: its result, or why it failed.
Write = Callable[[Sequence[Item]], Awaitable[Sequence[Result | Exception]]]


class GroupCommit(Generic[Item, Result]):
    """One writer task per instance; `add` returns once the item's group is written."""

    def __init__(self, write: Write[Item, Result], *, max_items: int) -> None:
        if max_items < 1:
            raise ValueError("max_items must be at least 1")
        self._write = write
        self._max_items = max_items
        self._waiting: list[tuple[Item, asyncio.Future[Result]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def add(self, item: Item) -> Result:
        """Write `item` with whatever else is waiting; its result, or what its write raised."""
        outcome: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, outcome))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_waiting(), name="group-commit")
        # A caller cancelled (at shutdown, or a client that hung up) cancels only its own wait:
        # the writer is its own task, so the group it is in is still written for the others.
        return await outcome

    async def _write_waiting(self) -> None:
        while self._waiting:
            group = self._waiting[: self._max_items]
            del self._waiting[: len(group)]
            outcomes: Sequence[Result | Exception]
            try:
                outcomes = await self._write([item for item, _ in group])
            except Exception as error:
                outcomes = [error] * len(group)
            for (_, waiting), result in zip(group, outcomes, strict=True):
                if waiting.done():  # abandoned by a cancelled caller
                    continue
                if isinstance(result, Exception):
                    waiting.set_exception(result)
                else:
                    waiting.set_result(result)
