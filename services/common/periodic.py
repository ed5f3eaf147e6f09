"""Background jobs on an interval inside a service process.

A failed round is logged and the next round tries again, so every job must be safe to repeat.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from services.common.logging import get_logger

log = get_logger(__name__)


class Periodic:
    def __init__(self) -> None:
        self._tasks: list[asyncio.Task[None]] = []

    def every(self, seconds: float, name: str, job: Callable[[], Awaitable[object]]) -> None:
        async def loop() -> None:
            while True:
                try:
                    await job()
                except Exception:
                    log.exception("background job failed; trying again next round", job=name)
                await asyncio.sleep(seconds)

        self._tasks.append(asyncio.create_task(loop(), name=name))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
