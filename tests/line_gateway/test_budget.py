"""The push budget: who is held when it runs out."""

from __future__ import annotations

from uuid import UUID

from services.common.events.contracts.line import SendPriority
from services.line_gateway.domain.budget import Budget, MonthlyUsage, budget_from
from services.line_gateway.domain.delivery import retry_key_for
from services.line_gateway.domain.multicast import batch_retry_key, batches_of


def test_only_low_priority_is_held_when_the_budget_is_used_up() -> None:
    budget = Budget(month="2025-06", limit=100, used=100)
    assert not budget.allows(SendPriority.LOW)
    for priority in (SendPriority.SAFETY, SendPriority.SERVICE, SendPriority.CONVERSATION):
        assert budget.allows(priority)
    assert Budget(month="2025-06", limit=100, used=99).allows(SendPriority.LOW)
    assert not Budget(month="2025-06", limit=100, used=99).allows(SendPriority.LOW, 2)
    assert not Budget(month="2025-06", limit=None, used=0, quota_exhausted=True).allows(
        SendPriority.LOW
    )


def test_the_budget_is_the_smaller_limit_and_the_larger_count() -> None:
    usage = MonthlyUsage(
        month="2025-06", pushes=30, multicast_recipients=20, quota_limit=200, quota_used=70
    )
    assert budget_from(usage, configured=0) == Budget(month="2025-06", limit=200, used=70)
    assert budget_from(usage, configured=100).limit == 100
    assert budget_from(MonthlyUsage(month="2025-06", pushes=5), configured=0).limit is None
    assert Budget(month="m", limit=200, used=170).used_ratio == 0.85


def test_multicast_batches_and_their_keys_are_deterministic() -> None:
    users = [f"U{i}" for i in range(1201)]
    batches = batches_of(users, 500)
    assert [len(b) for b in batches] == [500, 500, 201]
    assert [u for batch in batches for u in batch] == users
    command = UUID(int=7)
    keys = {batch_retry_key(command, i) for i in range(3)}
    assert len(keys) == 3
    assert retry_key_for(command) not in keys
    assert batch_retry_key(command, 1) == batch_retry_key(UUID(int=7), 1)
