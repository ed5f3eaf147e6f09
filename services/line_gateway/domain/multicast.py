"""The multicast policy: one `line.multicast.requested` to many seniors, in batches safe to retry.

Blocked users are dropped; the rest go in batches of at most 500, each with its own retry key
(UUIDv5 of command id and batch index). The batches are recorded before the first one leaves, so a
retry sends exactly the same batches with the same keys. A batch the budget cannot take, or one
LINE's monthly limit stops, is held (for sends that may be held).
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID, uuid5

from pydantic import BaseModel, ConfigDict

from services.common.events.contracts.line import DeliveryOutcome
from services.line_gateway.domain.delivery import (
    BUDGET_EXHAUSTED,
    RETRY_KEY_NAMESPACE,
    GiveUp,
    LineRefusal,
    MonthlyLimit,
)


class MulticastPlan(BaseModel):
    model_config = ConfigDict(frozen=True)

    batches: list[list[str]]
    skipped_blocked: int
    done: list[int] = []
    held: list[int] = []


def batch_retry_key(command_id: UUID, index: int) -> str:
    return str(uuid5(RETRY_KEY_NAMESPACE, f"{command_id}:batch:{index}"))


def batches_of(user_ids: list[str], size: int) -> list[list[str]]:
    return [user_ids[start : start + size] for start in range(0, len(user_ids), size)]


def recipients_of(user_ids: list[str]) -> list[str]:
    """Each recipient once, in the order given."""
    return list(dict.fromkeys(user_ids))


def plan_for(user_ids: list[str], *, blocked: set[str], batch_size: int) -> MulticastPlan:
    """The batches for these recipients (each once, in order), without those who blocked us."""
    return MulticastPlan(
        batches=batches_of([u for u in recipients_of(user_ids) if u not in blocked], batch_size),
        skipped_blocked=len(blocked),
    )


@dataclass(frozen=True)
class BatchDone:
    """LINE took the batch (or had taken it: 409 for its key)."""


def after_batch_refused(refusal: LineRefusal) -> BatchDone | MonthlyLimit | GiveUp:
    if refusal is LineRefusal.RETRY_KEY_ACCEPTED:
        return BatchDone()
    if refusal is LineRefusal.MONTHLY_LIMIT:
        return MonthlyLimit()
    return GiveUp()


@dataclass(frozen=True)
class MulticastResult:
    outcome: DeliveryOutcome
    sent: int
    held: int
    reason: str | None


def multicast_result(plan: MulticastPlan) -> MulticastResult:
    sent = sum(len(plan.batches[i]) for i in plan.done)
    held = sum(len(plan.batches[i]) for i in plan.held)
    if not plan.batches:
        outcome = DeliveryOutcome.SKIPPED_BLOCKED
    elif not plan.done:
        outcome = DeliveryOutcome.HELD
    else:
        outcome = DeliveryOutcome.SENT
    return MulticastResult(
        outcome=outcome, sent=sent, held=held, reason=BUDGET_EXHAUSTED if plan.held else None
    )
