"""The delivery policy as pure decisions: reply or push, the budget, what LINE's errors mean.

No database and no LINE: each case is the data the sender has at that point and what it must do.
"""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest

from services.common.events.contracts.line import (
    DeliveryMethod,
    DeliveryOutcome,
    SendPriority,
    SendRequested,
    TextMessage,
)
from services.common.time import utcnow
from services.line_gateway.domain.budget import Budget
from services.line_gateway.domain.delivery import (
    BUDGET_EXHAUSTED,
    QUOTA_REACHED,
    REPLY_OUTCOME_UNKNOWN,
    AlreadyFinished,
    DeliveryAttempt,
    Finish,
    GiveUp,
    LineRefusal,
    MonthlyLimit,
    Push,
    Reply,
    Result,
    UnknownReply,
    after_monthly_limit,
    after_push_refused,
    after_reply_refused,
    first_step,
    held_by_budget,
    usage_counts,
)
from services.line_gateway.domain.multicast import (
    BatchDone,
    MulticastPlan,
    after_batch_refused,
    multicast_result,
    plan_for,
)

NOW = utcnow()
COMMAND_ID = UUID(int=1)


def command(
    *, token: bool = True, expires_in: float = 30, priority: SendPriority = SendPriority.SERVICE
) -> SendRequested:
    return SendRequested(
        user_id="U" + "1" * 32,
        messages=[TextMessage(text="こんにちは")],
        reply_token="token" if token else None,
        reply_token_expires_at=NOW + timedelta(seconds=expires_in) if token else None,
        priority=priority,
        purpose="test",
    )


def attempt(
    method: DeliveryMethod | None,
    outcome: DeliveryOutcome | None = None,
    reason: str | None = None,
) -> DeliveryAttempt:
    return DeliveryAttempt(command_id=COMMAND_ID, method=method, outcome=outcome, reason=reason)


def test_a_fresh_token_is_replied_to_and_without_one_it_is_a_new_push() -> None:
    assert first_step(command(), blocked=False, previous=None, now=NOW) == Reply(retried=False)
    assert first_step(command(token=False), blocked=False, previous=None, now=NOW) == Push(
        reason=None, new=True
    )
    expired = command(expires_in=-1)
    assert first_step(expired, blocked=False, previous=None, now=NOW) == Push(reason=None)


def test_a_blocked_senior_gets_nothing_and_a_finished_send_is_not_sent_again() -> None:
    assert first_step(command(), blocked=True, previous=None, now=NOW) == Finish(
        Result(None, DeliveryOutcome.SKIPPED_BLOCKED)
    )
    done = attempt(DeliveryMethod.PUSH, DeliveryOutcome.SENT)
    assert first_step(command(), blocked=False, previous=done, now=NOW) == AlreadyFinished()
    # Nor recorded again as skipped when the senior blocked after getting it.
    assert first_step(command(), blocked=True, previous=done, now=NOW) == AlreadyFinished()
    skipped = attempt(None, DeliveryOutcome.SKIPPED_BLOCKED)
    assert first_step(command(), blocked=False, previous=skipped, now=NOW) == AlreadyFinished()


def test_a_retry_tries_the_reply_token_again_even_past_its_expiry() -> None:
    retried = attempt(DeliveryMethod.REPLY, reason="earlier")
    step = first_step(command(expires_in=-5), blocked=False, previous=retried, now=NOW)
    assert step == Reply(retried=True, reason="earlier")


def test_a_push_attempted_before_is_finished_whatever_the_budget() -> None:
    pushed = attempt(DeliveryMethod.PUSH, reason=REPLY_OUTCOME_UNKNOWN)
    step = first_step(command(token=False), blocked=False, previous=pushed, now=NOW)
    assert step == Push(reason=REPLY_OUTCOME_UNKNOWN, new=False)


@pytest.mark.parametrize(
    "previous",
    [
        attempt(None, DeliveryOutcome.FAILED),  # refused for good: a replay starts afresh
        attempt(None),  # forgotten after a 429 on a first reply
    ],
)
def test_an_attempt_that_delivered_nothing_starts_afresh(previous: DeliveryAttempt) -> None:
    assert first_step(command(), blocked=False, previous=previous, now=NOW) == Reply(retried=False)


def test_an_invalid_token_on_a_first_reply_falls_back_to_push() -> None:
    step = after_reply_refused(
        command(), LineRefusal.INVALID_REPLY_TOKEN, step=Reply(retried=False), now=NOW
    )
    assert step == Push(reason=None, new=True)


def test_a_used_token_still_valid_on_a_retry_means_the_senior_has_it() -> None:
    step = after_reply_refused(
        command(), LineRefusal.INVALID_REPLY_TOKEN, step=Reply(retried=True), now=NOW
    )
    assert step == Finish(Result(DeliveryMethod.REPLY, DeliveryOutcome.ASSUMED_DELIVERED))


@pytest.mark.parametrize(
    "priority", [SendPriority.SAFETY, SendPriority.SERVICE, SendPriority.CONVERSATION]
)
def test_an_unknown_reply_outcome_is_resent_by_push_unless_low(priority: SendPriority) -> None:
    expired = command(expires_in=-1, priority=priority)
    step = after_reply_refused(
        expired, LineRefusal.INVALID_REPLY_TOKEN, step=Reply(retried=True), now=NOW
    )
    assert step == Push(
        reason=REPLY_OUTCOME_UNKNOWN, new=True, unknown_reply=UnknownReply.RESEND_BY_PUSH
    )


def test_an_unknown_low_reply_is_assumed_delivered() -> None:
    expired = command(expires_in=-1, priority=SendPriority.LOW)
    step = after_reply_refused(
        expired, LineRefusal.INVALID_REPLY_TOKEN, step=Reply(retried=True), now=NOW
    )
    assert step == Finish(
        Result(
            DeliveryMethod.REPLY, DeliveryOutcome.ASSUMED_DELIVERED, reason=REPLY_OUTCOME_UNKNOWN
        ),
        unknown_reply=UnknownReply.ASSUME_DELIVERED,
    )


def test_a_rate_limit_on_a_first_reply_forgets_the_attempt_other_errors_stand() -> None:
    first, retried = Reply(retried=False), Reply(retried=True)
    limited = LineRefusal.RATE_LIMITED
    assert after_reply_refused(command(), limited, step=first, now=NOW) == GiveUp(True)
    assert after_reply_refused(command(), limited, step=retried, now=NOW) == GiveUp(False)
    assert after_reply_refused(command(), LineRefusal.OTHER, step=first, now=NOW) == GiveUp(False)


def test_a_push_whose_key_was_accepted_is_delivered_and_a_monthly_limit_is_marked() -> None:
    step = Push(reason="why")
    assert after_push_refused(LineRefusal.RETRY_KEY_ACCEPTED, step=step) == Finish(
        Result(DeliveryMethod.PUSH, DeliveryOutcome.ALREADY_ACCEPTED, reason="why")
    )
    assert after_push_refused(LineRefusal.MONTHLY_LIMIT, step=step) == MonthlyLimit()
    assert after_push_refused(LineRefusal.OTHER, step=step) == GiveUp()


def test_at_the_monthly_limit_only_safety_and_service_keep_trying() -> None:
    for priority in (SendPriority.SAFETY, SendPriority.SERVICE):
        assert after_monthly_limit(priority) is None
    for priority in (SendPriority.CONVERSATION, SendPriority.LOW):
        assert after_monthly_limit(priority) == Result(
            None, DeliveryOutcome.HELD, reason=QUOTA_REACHED
        )


def test_a_low_push_over_the_budget_is_held_with_the_reason() -> None:
    spent = Budget(month="2026-12", limit=10, used=10)
    assert held_by_budget(spent, SendPriority.LOW) == Result(
        None, DeliveryOutcome.HELD, reason=BUDGET_EXHAUSTED
    )
    assert held_by_budget(spent, SendPriority.SAFETY) is None
    exhausted = Budget(month="2026-12", limit=None, used=0, quota_exhausted=True)
    assert held_by_budget(exhausted, SendPriority.LOW) == Result(
        None, DeliveryOutcome.HELD, reason=QUOTA_REACHED
    )


def test_only_pushes_are_billed_in_the_months_counts() -> None:
    assert usage_counts(Result(DeliveryMethod.REPLY, DeliveryOutcome.SENT)).replies == 1
    assert usage_counts(Result(DeliveryMethod.PUSH, DeliveryOutcome.SENT)).pushes == 1
    assert usage_counts(Result(None, DeliveryOutcome.HELD)).held == 1
    assert not usage_counts(Result(None, DeliveryOutcome.SKIPPED_BLOCKED))


def test_a_multicast_skips_the_blocked_and_reports_what_was_sent_and_held() -> None:
    plan = plan_for(["A", "B", "A", "C", "D"], blocked={"B"}, batch_size=2)
    assert plan == MulticastPlan(batches=[["A", "C"], ["D"]], skipped_blocked=1)
    partly = plan.model_copy(update={"done": [0], "held": [1]})
    result = multicast_result(partly)
    assert (result.outcome, result.sent, result.held, result.reason) == (
        DeliveryOutcome.SENT,
        2,
        1,
        BUDGET_EXHAUSTED,
    )
    assert multicast_result(plan.model_copy(update={"held": [0, 1]})).outcome is (
        DeliveryOutcome.HELD
    )
    nobody = plan_for(["B"], blocked={"B"}, batch_size=2)
    assert multicast_result(nobody).outcome is DeliveryOutcome.SKIPPED_BLOCKED
    assert after_batch_refused(LineRefusal.RETRY_KEY_ACCEPTED) == BatchDone()
    assert after_batch_refused(LineRefusal.MONTHLY_LIMIT) == MonthlyLimit()
    assert after_batch_refused(LineRefusal.OTHER) == GiveUp()
