"""Background work of the helpdesk process beside the SLA check and closing old resolved tickets
(all run on `services.common.periodic.Periodic`): refreshing the backlog gauges."""

from __future__ import annotations

from services.common.events.contracts.helpdesk import Priority
from services.common.time import as_utc, utcnow
from services.helpdesk.domain.tickets import ACTIVE
from services.helpdesk.metrics import BACKLOG, OLDEST_UNCLAIMED_SECONDS, OLDEST_WAITING_SECONDS
from services.helpdesk.store import TicketRepository


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
