"""Sends LINE refuses for good: reported as failed, dead-lettered, and open to a replay.

A 4xx other than 409 and 429 can never succeed, so the failure is recorded and published as a
delivery event *without* claiming the command as processed: a replay from the dead-letter topic
after the cause is fixed is then sent afresh (a refused attempt leaves nothing to de-duplicate).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any
from uuid import UUID, uuid5

from services.common.events.contracts.line import (
    DeliveryCompleted,
    DeliveryMethod,
    DeliveryOutcome,
    MulticastCompleted,
    MulticastRequested,
    SendRequested,
)
from services.common.events.envelope import Envelope, new_event
from services.common.kafka.handling import Commit, PermanentError
from services.common.kafka.topics import LINE_DELIVERIES
from services.common.logging import get_logger, user_ref
from services.common.store import Tx
from services.common.time import utcnow
from services.line_gateway.clients.messaging import LineApiError
from services.line_gateway.metrics import SENDS
from services.line_gateway.store import DeliveryRepository

log = get_logger(__name__)

SOURCE = "line_gateway"
FAILURE_NAMESPACE = UUID("b7a0e3c4-1d2f-4e5a-8b6c-9d0e1f2a3b4c")


@dataclass(frozen=True)
class Refused(Exception):
    """LINE refused a send for good (a 4xx other than 409 and 429)."""

    method: DeliveryMethod
    error: LineApiError

    def __str__(self) -> str:
        return f"{self.method.value}: {self.error}"


def dead_letter(
    deliveries: DeliveryRepository, envelope: Envelope[Any], refused: Refused
) -> PermanentError:
    """The error that dead-letters the command, after its failure is recorded and published
    without claiming the command, so a replay can still send it."""
    command = envelope.data
    SENDS.labels(refused.method.value, command.priority.value, "failed").inc()
    log.warning(
        "LINE refused a send; dead-lettering it",
        user=user_ref(command.user_id),
        status=refused.error.status,
        error=refused.error.message,
        purpose=command.purpose,
    )
    error = str(refused.error)[:1000]
    record = Commit(
        partial(
            _record, deliveries=deliveries, envelope=envelope, method=refused.method, error=error
        )
    )
    return PermanentError(str(refused), record=record)


async def _record(
    tx: Tx,
    *,
    deliveries: DeliveryRepository,
    envelope: Envelope[Any],
    method: DeliveryMethod,
    error: str,
) -> None:
    command = envelope.data
    await deliveries.record_failure(
        tx,
        command_id=envelope.id,
        error=error,
        user_id=command.user_id if isinstance(command, SendRequested) else None,
        audience=command.audience if isinstance(command, MulticastRequested) else None,
    )
    if isinstance(command, SendRequested):
        result: DeliveryCompleted | MulticastCompleted = DeliveryCompleted(
            command_id=envelope.id,
            user_id=command.user_id,
            method=method,
            outcome=DeliveryOutcome.FAILED,
            purpose=command.purpose,
            priority=command.priority,
            message_count=len(command.messages),
            error=error,
            completed_at=utcnow(),
        )
    else:
        assert isinstance(command, MulticastRequested)
        result = MulticastCompleted(
            command_id=envelope.id,
            audience=command.audience,
            purpose=command.purpose,
            priority=command.priority,
            outcome=DeliveryOutcome.FAILED,
            requested=len(command.user_ids),
            skipped_blocked=0,
            sent=0,
            held=0,
            batches=0,
            message_count=len(command.messages),
            error=error,
            completed_at=utcnow(),
        )
    # The same failure computed twice (a crash before the dead letter is written) publishes the
    # same event id, which consumers de-duplicate.
    await publish_result(
        tx, envelope, result, event_id=uuid5(FAILURE_NAMESPACE, f"{envelope.id}:{error}")
    )


async def publish_result(
    tx: Tx,
    cause: Envelope[Any],
    result: DeliveryCompleted | MulticastCompleted,
    *,
    event_id: UUID | None = None,
) -> None:
    """What became of a send, on `line.deliveries` (keyed like the command it answers)."""
    key = result.user_id if isinstance(result, DeliveryCompleted) else result.audience
    await tx.emit(
        topic=LINE_DELIVERIES,
        key=key,
        event=new_event(result, source=SOURCE, cause=cause, event_id=event_id),
    )
