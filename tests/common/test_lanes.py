"""Keyed lanes: one key in order, different keys at once, a bound on the total in flight."""

from __future__ import annotations

import asyncio

from services.common.kafka.streams import KeyedLanes


async def test_same_key_runs_in_order_and_keys_run_concurrently() -> None:
    log: list[tuple[str, int, str]] = []
    running = 0
    peak = 0

    async def process(item: tuple[str, int]) -> None:
        nonlocal running, peak
        key, n = item
        running += 1
        peak = max(peak, running)
        log.append((key, n, "start"))
        await asyncio.sleep(0.05)
        log.append((key, n, "end"))
        running -= 1

    lanes: KeyedLanes[tuple[str, int]] = KeyedLanes(limit=100, process=process)
    for n in range(3):
        for key in ("a", "b", "c"):
            await lanes.submit(key, (key, n))
    await lanes.close(grace_seconds=5)

    for key in ("a", "b", "c"):
        mine = [(n, phase) for k, n, phase in log if k == key]
        assert mine == [
            (0, "start"),
            (0, "end"),
            (1, "start"),
            (1, "end"),
            (2, "start"),
            (2, "end"),
        ]
    assert peak == 3  # the three keys overlapped, never two items of one key


async def test_limit_bounds_items_in_flight() -> None:
    release = asyncio.Event()
    started = 0

    async def process(_item: int) -> None:
        nonlocal started
        started += 1
        await release.wait()

    lanes: KeyedLanes[int] = KeyedLanes(limit=2, process=process)
    await lanes.submit("a", 1)
    await lanes.submit("b", 2)
    third = asyncio.create_task(lanes.submit("c", 3))
    await asyncio.sleep(0.05)
    assert not third.done()  # waits for a free slot
    release.set()
    await asyncio.wait_for(third, 1)
    await lanes.close(grace_seconds=1)
    assert started == 3


async def test_close_abandons_work_that_outlives_the_grace_period() -> None:
    finished: list[int] = []

    async def process(item: int) -> None:
        await asyncio.sleep(item)
        finished.append(item)

    lanes: KeyedLanes[float] = KeyedLanes(limit=10, process=process)  # type: ignore[arg-type]
    await lanes.submit("fast", 0.01)
    await lanes.submit("slow", 5)
    await lanes.close(grace_seconds=0.3)
    assert finished == [0.01]
