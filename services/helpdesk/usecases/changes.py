"""What every ticket use case does with a decided change: write it, stage what it publishes and
sends, and count its metrics once it is committed."""

from __future__ import annotations

from functools import partial

from services.common.kafka.topics import HELPDESK_EVENTS, LINE_OUTBOUND
from services.common.store import MongoStore, Tx
from services.helpdesk.domain.change import TicketChange, TicketRules
from services.helpdesk.domain.errors import StaleVersion
from services.helpdesk.domain.parts import Measure
from services.helpdesk.metrics import (
    FIRST_RESPONSE_BY_CHANNEL_SECONDS,
    FIRST_RESPONSE_SECONDS,
    REPLIES_SENT,
    RESOLUTION_SECONDS,
    TICKETS_OPENED,
    TICKETS_REOPENED,
)
from services.helpdesk.store import TicketRepository


def record(measures: list[Measure]) -> None:
    for measure in measures:
        if measure.name == "opened":
            TICKETS_OPENED.labels(*measure.labels).inc()
        elif measure.name == "reopened":
            TICKETS_REOPENED.labels(*measure.labels).inc()
        elif measure.name == "reply_sent":
            REPLIES_SENT.labels(*measure.labels).inc()
        elif measure.name == "first_response":
            FIRST_RESPONSE_SECONDS.labels(*measure.labels).observe(measure.value)
        elif measure.name == "first_response_by_channel":
            FIRST_RESPONSE_BY_CHANNEL_SECONDS.labels(*measure.labels).observe(measure.value)
        else:
            RESOLUTION_SECONDS.labels(*measure.labels).observe(measure.value)


async def write_change(
    tx: Tx, tickets: TicketRepository, change: TicketChange, *, expected_version: int | None
) -> None:
    """Write `change` in `tx`; `StaleVersion` if the ticket is no longer at `expected_version`."""
    if not await tickets.save(tx, change, expected_version=expected_version):
        raise StaleVersion(
            "The ticket changed since you loaded it. Reload it and try again.",
            current_version=change.before.version if change.before else None,
        )
    for outgoing in change.events:
        await tx.emit(topic=HELPDESK_EVENTS, key=outgoing.key, event=outgoing.event)
    for send in change.sends:
        await tx.emit(topic=LINE_OUTBOUND, key=send.key, event=send.event)
    for mail in change.mails:
        await tickets.stage_mail(tx, mail)
    if change.measures:
        tx.after_commit(partial(record, change.measures))


class TicketUseCase:
    """A use case over tickets: the store to commit in, the repository, the rules to decide by."""

    def __init__(self, *, store: MongoStore, tickets: TicketRepository, rules: TicketRules) -> None:
        self._store = store
        self._tickets = tickets
        self._rules = rules

    async def _write(
        self, tx: Tx, change: TicketChange | None, *, expected_version: int | None = None
    ) -> bool:
        """Write `change` if there is one (None: the aggregate decided nothing changes)."""
        if change is None:
            return False
        await write_change(tx, self._tickets, change, expected_version=expected_version)
        return True
