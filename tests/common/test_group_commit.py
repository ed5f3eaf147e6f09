"""Group commit: what arrives during a write goes into the next one; each caller hears its own
item's fate (its result or its error), and one refused item fails no other caller."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from services.common.group_commit import GroupCommit


class Writes:
    """A write that records its groups, can be held open, refuses some items, or fails whole."""

    def __init__(self) -> None:
        self.groups: list[list[str]] = []
        self.hold = asyncio.Event()
        self.hold.set()
        self.refuse: set[str] = set()
        self.fail_next = False

    async def __call__(self, items: Sequence[str]) -> list[str | Exception]:
        self.groups.append(list(items))
        await self.hold.wait()
        if self.fail_next:
            self.fail_next = False
            raise ConnectionError("mongod went away")
        return [ValueError(item) if item in self.refuse else item.upper() for item in items]


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_an_item_alone_is_written_at_once_and_what_comes_meanwhile_goes_together() -> None:
    writes = Writes()
    group = GroupCommit(writes, max_items=10)

    assert await group.add("a") == "A"  # each caller gets its own item's result
    assert writes.groups == [["a"]]

    writes.hold.clear()
    first = asyncio.create_task(group.add("b"))
    await settle()  # "b" is being written, alone
    later = [asyncio.create_task(group.add(item)) for item in "cdef"]
    await settle()
    assert writes.groups == [["a"], ["b"]]
    assert not first.done()
    writes.hold.set()
    await asyncio.gather(first, *later)

    assert writes.groups == [["a"], ["b"], ["c", "d", "e", "f"]]


async def test_a_group_holds_at_most_max_items() -> None:
    writes = Writes()
    writes.hold.clear()
    group = GroupCommit(writes, max_items=2)
    added = [asyncio.create_task(group.add(item)) for item in "abcde"]
    await settle()
    writes.hold.set()
    await asyncio.gather(*added)

    assert writes.groups == [["a", "b"], ["c", "d"], ["e"]]


async def test_a_refused_item_fails_its_own_caller_only() -> None:
    writes = Writes()
    writes.hold.clear()
    writes.refuse = {"bad"}
    group = GroupCommit(writes, max_items=10)
    added = [asyncio.create_task(group.add(item)) for item in ("ok1", "bad", "ok2")]
    await settle()
    writes.hold.set()
    results = await asyncio.gather(*added, return_exceptions=True)

    assert writes.groups == [["ok1", "bad", "ok2"]]
    assert results[0] == "OK1"
    assert results[2] == "OK2"
    assert isinstance(results[1], ValueError)


async def test_a_failed_write_fails_its_whole_group_and_the_next_group_is_written() -> None:
    writes = Writes()
    writes.hold.clear()
    writes.fail_next = True
    group = GroupCommit(writes, max_items=10)
    failing = [asyncio.create_task(group.add(item)) for item in "ab"]
    await settle()
    later = asyncio.create_task(group.add("c"))
    await settle()
    writes.hold.set()

    results = await asyncio.gather(*failing, return_exceptions=True)
    assert all(isinstance(r, ConnectionError) for r in results)
    await later  # the next group is not touched by the failure before it
    with pytest.raises(ConnectionError):
        await failing[0]
    assert writes.groups == [["a", "b"], ["c"]]


async def test_a_cancelled_caller_leaves_the_others_of_its_group_written() -> None:
    writes = Writes()
    writes.hold.clear()
    group = GroupCommit(writes, max_items=10)
    first = asyncio.create_task(group.add("a"))
    await settle()
    cancelled = asyncio.create_task(group.add("b"))
    kept = asyncio.create_task(group.add("c"))
    await settle()
    cancelled.cancel()
    writes.hold.set()

    await asyncio.gather(first, kept)
    assert cancelled.cancelled()
    assert writes.groups == [["a"], ["b", "c"]]


def test_a_group_of_nothing_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        GroupCommit(Writes(), max_items=0)
