"""`line.deliveries`: a staff reply that did not reach the senior is said on its ticket.

Staff answer a senior from the ticket; the gateway sends it to LINE and publishes what became of
it. When LINE refused it, or the senior blocked the account, the person who wrote it must know
(and call instead), so the ticket's thread says so. Delivered replies, and everything the helpdesk
did not send, change nothing here.
"""

from __future__ import annotations

from functools import partial

from services.common.events.contracts.line import DeliveryCompleted, DeliveryOutcome
from services.common.events.envelope import Envelope
from services.common.kafka.handling import Commit
from services.common.logging import get_logger
from services.common.store import Tx
from services.helpdesk.usecases.senior import SeniorWork

log = get_logger(__name__)

STAFF_REPLY_PURPOSE = "helpdesk.reply"
NOT_DELIVERED = frozenset(
    {DeliveryOutcome.FAILED, DeliveryOutcome.SKIPPED_BLOCKED, DeliveryOutcome.HELD}
)


class DeliveryHandlers:
    def __init__(self, *, senior: SeniorWork) -> None:
        self._senior = senior

    async def on_delivery_completed(self, envelope: Envelope[DeliveryCompleted]) -> Commit | None:
        # Retried on failure (MongoDB only): the entry is keyed by the reply, so it is added once.
        # Other deliveries change nothing and open no transaction (a redelivery skips them again).
        delivery = envelope.data
        if delivery.purpose != STAFF_REPLY_PURPOSE or delivery.outcome not in NOT_DELIVERED:
            return None
        return Commit(partial(self._not_delivered, delivery=delivery))

    async def _not_delivered(self, tx: Tx, *, delivery: DeliveryCompleted) -> None:
        said = await self._senior.reply_not_delivered(
            tx,
            command_id=delivery.command_id,
            outcome=delivery.outcome.value,
            at=delivery.completed_at,
        )
        tx.after_commit(
            partial(
                log.warning if said else log.info,
                "a staff reply did not reach the senior",
                outcome=delivery.outcome.value,
                on_ticket=said,
            )
        )
