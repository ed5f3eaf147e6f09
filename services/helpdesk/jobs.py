"""Background work of the helpdesk process: the SLA check, closing old resolved tickets, and
refreshing the backlog gauges. Each runs on an interval; a failed round is logged and the next
round tries again (all of them are safe to repeat)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from services.common.events.contracts.helpdesk import Priority
from services.common.logging import get_logger
from services.common.time import as_utc, utcnow
from services.helpdesk.domain.tickets import ACTIVE
from services.helpdesk.metrics import BACKLOG, OLDEST_UNCLAIMED_SECONDS, OLDEST_WAITING_SECONDS
from services.helpdesk.store import TicketRepository

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


async def refresh_backlog_metrics(tickets: TicketRepository) -> None:
    counts = {(s.value, p.value): 0 for s in ACTIVE for p in Priority}
    for row in await tickets.backlog([s.value for s in ACTIVE]):
        counts[(row["_id"]["status"], row["_id"]["priority"])] = row["n"]
    for (status, priority), n in counts.items():
        BACKLOG.labels(status, priority).set(n)
    now = utcnow()
    for gauge, rows in (
        (OLDEST_WAITING_SECONDS, await tickets.oldest_awaiting()),
        (OLDEST_UNCLAIMED_SECONDS, await tickets.oldest_unclaimed([s.value for s in ACTIVE])),
    ):
        oldest = {p.value: 0.0 for p in Priority}
        for row in rows:
            oldest[row["_id"]] = max((now - as_utc(row["since"])).total_seconds(), 0.0)
        for priority, seconds in oldest.items():
            gauge.labels(priority).set(seconds)
