"""The delivery policy: how a `line.send.requested` becomes exactly one message to the senior.

Pure decisions, given what is known (the command, the attempt on record, the budget, what LINE
answered, the time); `consumers/outbound.py` does what they say, and records it.

0. A command whose outcome is on record was finished before: its redelivery sends nothing and
   records nothing again (the outcome was committed with the command's claim, so the record
   alone tells; a `failed` outcome is recorded without the claim and does not count).
1. Blocked users get nothing (`skipped_blocked`); a `low` push over the month's budget is held
   (`held`), never sent later (a greeting a month late is worse than none).
2. Reply while the token is valid. If LINE says the token is invalid on the *first* attempt, the
   token expired or was never good: fall back to push. If it says so on a *retried* attempt while
   the token is still valid, the earlier attempt used it: the senior has the message. A 429 on a
   first reply means LINE never took it: the attempt is forgotten.
3. Push carries `X-Line-Retry-Key` derived from the command id, so a retried push is accepted at
   most once; LINE's 409 for an accepted key counts as delivered.
4. A 429 that says the monthly limit is reached holds `low` and `conversation` sends; `safety` and
   `service` sends wait for retry (and are alerted on) until the plan is raised.

A reply's first attempt can also end without an answer LINE stands behind: the gateway was killed
while the request was out, LINE answered 5xx, or the call timed out. LINE's own guidance is that a
message may have been delivered even then. The retry learns something from the reply token:

- while the token is still valid, LINE's "Invalid reply token" means it was used, and only our
  earlier attempt can have used it: the senior has the message (`assumed_delivered`);
- once the token has expired, "invalid" means used *or* expired, and the first outcome stays
  unknown. Then it is a rare double against possible silence, decided by the send's priority:

| priority | unknown first outcome | why |
|---|---|---|
| safety | resend by push | emergency and fraud guidance must not be lost |
| service | resend by push | loan returns, session reminders, staff replies: a senior waits for them |
| conversation | resend by push | a senior who wrote to Dai-chan and hears nothing thinks nobody listens |
| low | assume delivered | a greeting or campaign twice is worse than once too few |

The resend is a push with the command's `X-Line-Retry-Key`, so however often the resend itself is
retried, it reaches the senior at most once more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID, uuid5

from pydantic import BaseModel, ConfigDict

from services.common.events.contracts.line import (
    DeliveryMethod,
    DeliveryOutcome,
    SendPriority,
    SendRequested,
)
from services.line_gateway.domain.budget import ALWAYS_SENT, Budget

# Fixed namespace: the retry key for a command must be the same in every process, forever.
RETRY_KEY_NAMESPACE = UUID("6f1d3c52-8f0e-4d5a-9a43-5b8c2f7e9d10")

# Why a send ended as it did when its reply's first outcome was unknown (the delivery's reason).
REPLY_OUTCOME_UNKNOWN = "reply_outcome_unknown"
BUDGET_EXHAUSTED = "push_budget_exhausted"
QUOTA_REACHED = "monthly_quota_exhausted"


def retry_key_for(command_id: UUID) -> str:
    return str(uuid5(RETRY_KEY_NAMESPACE, str(command_id)))


class UnknownReply(StrEnum):
    RESEND_BY_PUSH = "resent_by_push"
    ASSUME_DELIVERED = "assumed_delivered"


RESENT_WHEN_UNKNOWN = frozenset(
    {SendPriority.SAFETY, SendPriority.SERVICE, SendPriority.CONVERSATION}
)


def after_unknown_reply(priority: SendPriority) -> UnknownReply:
    if priority in RESENT_WHEN_UNKNOWN:
        return UnknownReply.RESEND_BY_PUSH
    return UnknownReply.ASSUME_DELIVERED


class LineRefusal(StrEnum):
    """What LINE's error answer to a send means for the policy."""

    INVALID_REPLY_TOKEN = "invalid_reply_token"  # noqa: S105 (a kind of answer, not a secret)
    RETRY_KEY_ACCEPTED = "retry_key_accepted"  # 409: an earlier try with this key went through
    MONTHLY_LIMIT = "monthly_limit"
    RATE_LIMITED = "rate_limited"
    OTHER = "other"  # 5xx and timeouts (retried) or another 4xx (never succeeds)


class DeliveryAttempt(BaseModel):
    """What the gateway tried for a command before, and how it ended (if it did)."""

    model_config = ConfigDict(frozen=True)

    command_id: UUID
    method: DeliveryMethod | None
    attempted_at: datetime | None = None
    outcome: DeliveryOutcome | None = None
    # Why this method was chosen when it was not the obvious one (e.g. a reply's unknown outcome).
    reason: str | None = None

    @property
    def final(self) -> bool:
        # A failed send was refused by LINE, so nothing reached the senior: a replay from the
        # dead-letter topic may try again.
        return self.outcome is not None and self.outcome is not DeliveryOutcome.FAILED


@dataclass(frozen=True)
class Result:
    method: DeliveryMethod | None
    outcome: DeliveryOutcome
    request_id: str | None = None
    reason: str | None = None


# -- the steps of one send ---------------------------------------------------------------------


@dataclass(frozen=True)
class AlreadyFinished:
    """The command was finished before (its outcome is on record): a redelivery, with nothing to
    send and nothing to record."""


@dataclass(frozen=True)
class Finish:
    """The send is over: record this result. `unknown_reply` when a reply's outcome was unknown."""

    result: Result
    unknown_reply: UnknownReply | None = None


@dataclass(frozen=True)
class Reply:
    """Try the reply token (`retried`: an earlier attempt may have used it)."""

    retried: bool
    reason: str | None = None


@dataclass(frozen=True)
class Push:
    """Push with the command's retry key. A `new` push must fit the budget first; one attempted
    before is finished whatever the budget says now (its retry key makes it safe)."""

    reason: str | None
    new: bool = True
    unknown_reply: UnknownReply | None = None


@dataclass(frozen=True)
class GiveUp:
    """LINE's error stands: raise it (retried if LINE may take it later, else dead-lettered).
    `forget_attempt`: LINE refused before taking it, so the retry is a first attempt again."""

    forget_attempt: bool = False


@dataclass(frozen=True)
class MonthlyLimit:
    """LINE's monthly limit is reached: mark it, then hold or keep trying (`after_monthly_limit`)."""


def token_fresh(command: SendRequested, now: datetime) -> bool:
    return command.reply_token_expires_at is not None and now < command.reply_token_expires_at


def first_step(
    command: SendRequested, *, blocked: bool, previous: DeliveryAttempt | None, now: datetime
) -> AlreadyFinished | Finish | Reply | Push:
    """Where a send starts, from the attempt on record (None: never tried)."""
    if previous is not None and previous.final:
        # Before the follow status: a senior who blocked after getting it has it all the same.
        return AlreadyFinished()
    if blocked:
        return Finish(Result(None, DeliveryOutcome.SKIPPED_BLOCKED))
    if previous is not None and (
        previous.outcome is DeliveryOutcome.FAILED
        or (previous.method is None and previous.outcome is None)
    ):
        # LINE refused the last try (for good, or before taking it): nothing was delivered.
        previous = None
    reason = previous.reason if previous is not None else None
    retried_reply = previous is not None and previous.method is DeliveryMethod.REPLY
    # A retried reply tries its token even past our expiry margin: LINE may still take it, and
    # if it does, the first attempt cannot have used it.
    if command.reply_token and (retried_reply or (previous is None and token_fresh(command, now))):
        return Reply(retried=retried_reply, reason=reason)
    pushed_before = previous is not None and previous.method is DeliveryMethod.PUSH
    return Push(reason=reason, new=not pushed_before)


def after_reply_refused(
    command: SendRequested, refusal: LineRefusal, *, step: Reply, now: datetime
) -> Finish | Push | GiveUp:
    """LINE answered the reply with an error."""
    if refusal is not LineRefusal.INVALID_REPLY_TOKEN:
        return GiveUp(forget_attempt=refusal is LineRefusal.RATE_LIMITED and not step.retried)
    if not step.retried:
        return Push(reason=step.reason)  # the token expired or was never good: push instead
    if token_fresh(command, now):
        # Still valid, yet used: our earlier attempt used it, so the senior has it.
        return Finish(Result(DeliveryMethod.REPLY, DeliveryOutcome.ASSUMED_DELIVERED))
    decision = after_unknown_reply(command.priority)
    if decision is UnknownReply.ASSUME_DELIVERED:
        return Finish(
            Result(
                DeliveryMethod.REPLY,
                DeliveryOutcome.ASSUMED_DELIVERED,
                reason=REPLY_OUTCOME_UNKNOWN,
            ),
            unknown_reply=decision,
        )
    return Push(reason=REPLY_OUTCOME_UNKNOWN, unknown_reply=decision)


def held_by_budget(budget: Budget, priority: SendPriority, recipients: int = 1) -> Result | None:
    """The held result when the budget refuses a new push of `recipients`, else None."""
    if budget.allows(priority, recipients):
        return None
    reason = QUOTA_REACHED if budget.quota_exhausted else BUDGET_EXHAUSTED
    return Result(None, DeliveryOutcome.HELD, reason=reason)


def after_push_refused(refusal: LineRefusal, *, step: Push) -> Finish | MonthlyLimit | GiveUp:
    """LINE answered the push with an error."""
    if refusal is LineRefusal.RETRY_KEY_ACCEPTED:
        return Finish(
            Result(DeliveryMethod.PUSH, DeliveryOutcome.ALREADY_ACCEPTED, reason=step.reason)
        )
    if refusal is LineRefusal.MONTHLY_LIMIT:
        return MonthlyLimit()
    return GiveUp()


def after_monthly_limit(priority: SendPriority) -> Result | None:
    """Held for `low` and `conversation`; None (keep trying, and alert) for what must go."""
    if priority in ALWAYS_SENT:
        return None
    return Result(None, DeliveryOutcome.HELD, reason=QUOTA_REACHED)


def sent(method: DeliveryMethod, request_id: str | None, *, reason: str | None = None) -> Finish:
    return Finish(Result(method, DeliveryOutcome.SENT, request_id, reason=reason))


@dataclass(frozen=True)
class UsageCounts:
    replies: int = 0
    pushes: int = 0
    held: int = 0

    def __bool__(self) -> bool:
        return bool(self.replies or self.pushes or self.held)


def usage_counts(result: Result) -> UsageCounts:
    """What a finished send adds to the month's counts (replies are free, pushes billed)."""
    if result.outcome is DeliveryOutcome.HELD:
        return UsageCounts(held=1)
    if result.method is DeliveryMethod.REPLY:
        return UsageCounts(replies=1)
    if result.method is DeliveryMethod.PUSH:
        return UsageCounts(pushes=1)
    return UsageCounts()
