"""Sending `line.outbound` commands to LINE so that every send is safe to retry.

How a command becomes exactly one message to the senior:

1. Blocked users get nothing (`skipped_blocked`); a `low` push over the month's budget is held
   (`held`), never sent later (a greeting a month late is worse than none).
2. The attempt (reply or push) is recorded *before* the request leaves, outside any transaction.
3. Reply while the token is valid. If LINE says the token is invalid on the *first* attempt, the
   token expired or was never good: fall back to push. If it says so on a *retried* attempt while
   the token is still valid, the earlier attempt used it: the senior has the message. Once the
   token has expired the earlier outcome is unknown, and `domain/delivery.py` decides by priority:
   resend by push (safety, service, conversation: a rare double rather than silence) or assume
   delivered (low). A 429 on a first reply means LINE never took it: the attempt is forgotten.
4. Push carries `X-Line-Retry-Key` derived from the command id, so a retried push is accepted at
   most once; LINE's 409 for an accepted key counts as delivered.
5. The outcome, the month's counts (in a counter shard no other running send writes, see
   `store/usage.py`) and a `line.delivery.completed` event commit together with the processed
   mark.

Failures: a 429 rate limit, 5xx and timeouts are retried with backoff by the stream processor (the
same retry key keeps them safe). A 429 that says the monthly limit is reached is not retried
blindly: `low` and `conversation` sends are held; `safety` and `service` sends are retried and
alerted on, then dead-lettered for replay once the plan is raised. Other 4xx can never succeed:
see `refusals.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from uuid import UUID, uuid5

from services.common.events.contracts.line import (
    DeliveryCompleted,
    DeliveryMethod,
    DeliveryOutcome,
    MulticastCompleted,
    MulticastRequested,
    SendPriority,
    SendRequested,
)
from services.common.events.envelope import Envelope
from services.common.kafka.handling import Commit
from services.common.logging import get_logger, user_ref
from services.common.store import MongoStore, Tx
from services.common.time import utcnow
from services.line_gateway.clients.messaging import LineApiError, LineMessaging, SendReceipt
from services.line_gateway.consumers.refusals import Refused, dead_letter, publish_result
from services.line_gateway.domain.budget import ALWAYS_SENT, BudgetKeeper
from services.line_gateway.domain.delivery import (
    REPLY_OUTCOME_UNKNOWN,
    UnknownReply,
    after_unknown_reply,
)
from services.line_gateway.metrics import (
    BILLABLE_MESSAGES,
    QUOTA_EXHAUSTED,
    SEND_ERRORS,
    SENDS,
    UNKNOWN_REPLY_OUTCOMES,
)
from services.line_gateway.store import (
    CounterShards,
    DeliveryRepository,
    LineUserRepository,
    MulticastPlan,
    ShardLease,
    UsageRepository,
)

log = get_logger(__name__)

# Fixed namespace: the retry key for a command must be the same in every process, forever.
RETRY_KEY_NAMESPACE = UUID("6f1d3c52-8f0e-4d5a-9a43-5b8c2f7e9d10")
SOURCE = "line_gateway"

BUDGET_EXHAUSTED = "push_budget_exhausted"
QUOTA_REACHED = "monthly_quota_exhausted"


def retry_key_for(command_id: UUID) -> str:
    return str(uuid5(RETRY_KEY_NAMESPACE, str(command_id)))


def batch_retry_key(command_id: UUID, index: int) -> str:
    return str(uuid5(RETRY_KEY_NAMESPACE, f"{command_id}:batch:{index}"))


def batches_of(user_ids: list[str], size: int) -> list[list[str]]:
    return [user_ids[start : start + size] for start in range(0, len(user_ids), size)]


class MonthlyQuotaReached(Exception):
    """LINE's monthly limit is reached and this send must not be dropped: retry, and alert."""


@dataclass(frozen=True)
class Result:
    method: DeliveryMethod | None
    outcome: DeliveryOutcome
    request_id: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class PushInstead:
    """The reply did not go out (or may have gone unnoticed): send by push, for this reason."""

    reason: str | None = None


class OutboundSender:
    def __init__(
        self,
        *,
        store: MongoStore,
        messaging: LineMessaging,
        budget: BudgetKeeper,
        multicast_batch_size: int = 500,
    ) -> None:
        self._store = store
        self._messaging = messaging
        self._budget = budget
        self._deliveries = DeliveryRepository(store)
        self._users = LineUserRepository(store)
        self._usage = UsageRepository(store)
        self._shards = CounterShards()
        self._batch_size = multicast_batch_size

    # -- one senior --------------------------------------------------------------------------

    async def on_send_requested(self, envelope: Envelope[SendRequested]) -> Commit:
        # Retried on failure: the recorded attempt and the retry key make repeats safe.
        command = envelope.data
        try:
            result = await self._deliver(envelope.id, command)
        except Refused as refused:
            raise dead_letter(self._deliveries, envelope, refused) from refused
        SENDS.labels(
            result.method.value if result.method else "none",
            command.priority.value,
            result.outcome.value,
        ).inc()
        log.info(
            "send finished",
            user=user_ref(command.user_id),
            method=result.method,
            outcome=result.outcome,
            purpose=command.purpose,
            reason=result.reason,
        )
        # The month's counts are sharded so that concurrent sends never write the same document.
        shard = self._shards.lease()
        return Commit(
            partial(self._record_send, envelope=envelope, result=result, shard=shard), lease=shard
        )

    async def _record_send(
        self, tx: Tx, *, envelope: Envelope[SendRequested], result: Result, shard: ShardLease
    ) -> None:
        command = envelope.data
        await self._deliveries.record_outcome(
            tx,
            command_id=envelope.id,
            user_id=command.user_id,
            method=result.method,
            outcome=result.outcome,
            line_request_id=result.request_id,
            reason=result.reason,
            held_messages=[m.model_dump(mode="json") for m in command.messages]
            if result.outcome is DeliveryOutcome.HELD
            else None,
        )
        await self._count(tx, result, shard=shard.name)
        completed = DeliveryCompleted(
            command_id=envelope.id,
            user_id=command.user_id,
            method=result.method,
            outcome=result.outcome,
            purpose=command.purpose,
            priority=command.priority,
            message_count=len(command.messages),
            line_request_id=result.request_id,
            completed_at=utcnow(),
            reason=result.reason,
        )
        await publish_result(tx, envelope, completed)
        if result.method is DeliveryMethod.PUSH:
            tx.after_commit(partial(self._billed, "push", command.priority, 1))

    async def _billed(self, method: str, priority: SendPriority, messages: int) -> None:
        BILLABLE_MESSAGES.labels(method, priority.value).inc(messages)
        await self._budget.report()

    async def _count(self, tx: Tx, result: Result, *, shard: str) -> None:
        if result.outcome is DeliveryOutcome.HELD:
            await self._usage.count(tx, shard=shard, held=1)
        elif result.method is DeliveryMethod.REPLY:
            await self._usage.count(tx, shard=shard, replies=1)
        elif result.method is DeliveryMethod.PUSH:
            await self._usage.count(tx, shard=shard, pushes=1)

    async def _deliver(self, command_id: UUID, command: SendRequested) -> Result:
        user = await self._users.get(command.user_id)
        if user is not None and not user.following:
            return Result(None, DeliveryOutcome.SKIPPED_BLOCKED)

        previous = await self._deliveries.get(command_id)
        if previous is not None and previous.final and previous.outcome is not None:
            return Result(previous.method, previous.outcome)
        if previous is not None and (
            previous.outcome is DeliveryOutcome.FAILED
            or (previous.method is None and previous.outcome is None)
        ):
            # LINE refused the last try (for good, or before taking it): nothing was delivered.
            previous = None
        reason = previous.reason if previous is not None else None

        retried_reply = previous is not None and previous.method is DeliveryMethod.REPLY
        # A retried reply tries its token even past our expiry margin: LINE may still take it,
        # and if it does, the first attempt cannot have used it.
        if command.reply_token and (
            retried_reply or (previous is None and self._token_fresh(command))
        ):
            replied = await self._reply(command_id, command, retried=retried_reply)
            if isinstance(replied, Result):
                return replied
            reason = replied.reason or reason

        pushed_before = previous is not None and previous.method is DeliveryMethod.PUSH
        if not pushed_before:
            # A push already attempted is finished whatever the budget says now (its retry key
            # makes it safe); a new one must fit the budget.
            budget = await self._budget.current()
            if not budget.allows(command.priority):
                return Result(
                    None,
                    DeliveryOutcome.HELD,
                    reason=QUOTA_REACHED if budget.quota_exhausted else BUDGET_EXHAUSTED,
                )
        await self._deliveries.record_attempt(
            command_id=command_id,
            user_id=command.user_id,
            method=DeliveryMethod.PUSH,
            reason=reason,
        )
        try:
            receipt = await self._messaging.push(
                user_id=command.user_id,
                messages=command.messages,
                retry_key=retry_key_for(command_id),
            )
        except LineApiError as error:
            SEND_ERRORS.labels("push", str(error.status)).inc()
            if error.is_retry_key_accepted:
                return Result(DeliveryMethod.PUSH, DeliveryOutcome.ALREADY_ACCEPTED, reason=reason)
            if error.is_monthly_limit:
                return await self._monthly_limit(command.priority)
            raise _classified(DeliveryMethod.PUSH, error) from error
        return _sent(DeliveryMethod.PUSH, receipt, reason=reason)

    async def _reply(
        self, command_id: UUID, command: SendRequested, *, retried: bool
    ) -> Result | PushInstead:
        assert command.reply_token is not None
        await self._deliveries.record_attempt(
            command_id=command_id, user_id=command.user_id, method=DeliveryMethod.REPLY
        )
        try:
            receipt = await self._messaging.reply(
                reply_token=command.reply_token, messages=command.messages
            )
        except LineApiError as error:
            SEND_ERRORS.labels("reply", str(error.status)).inc()
            if not error.is_invalid_reply_token:
                if error.is_rate_limited and not retried:
                    # Refused before LINE took it: the retry is a first attempt again.
                    await self._deliveries.forget_attempt(command_id=command_id)
                raise _classified(DeliveryMethod.REPLY, error) from error
            if not retried:
                return PushInstead()  # the token expired or was never good: push instead
            if self._token_fresh(command):
                # Still valid, yet used: our earlier attempt used it, so the senior has it.
                return Result(DeliveryMethod.REPLY, DeliveryOutcome.ASSUMED_DELIVERED)
            return self._after_unknown_reply(command)
        return _sent(DeliveryMethod.REPLY, receipt)

    @staticmethod
    def _after_unknown_reply(command: SendRequested) -> Result | PushInstead:
        decision = after_unknown_reply(command.priority)
        UNKNOWN_REPLY_OUTCOMES.labels(command.priority.value, decision.value).inc()
        log.warning(
            "a retried reply's first outcome is unknown",
            user=user_ref(command.user_id),
            priority=command.priority.value,
            purpose=command.purpose,
            decision=decision.value,
        )
        if decision is UnknownReply.ASSUME_DELIVERED:
            return Result(
                DeliveryMethod.REPLY,
                DeliveryOutcome.ASSUMED_DELIVERED,
                reason=REPLY_OUTCOME_UNKNOWN,
            )
        return PushInstead(reason=REPLY_OUTCOME_UNKNOWN)

    @staticmethod
    def _token_fresh(command: SendRequested) -> bool:
        return (
            command.reply_token_expires_at is not None and utcnow() < command.reply_token_expires_at
        )

    async def _monthly_limit(self, priority: SendPriority) -> Result:
        await self._budget.quota_exhausted()
        QUOTA_EXHAUSTED.labels(priority.value).inc()
        if priority in ALWAYS_SENT:
            log.error(
                "LINE's monthly message limit is reached; a safety or service message waits "
                "for retry (raise the plan, then replay the dead letters)",
                priority=priority.value,
            )
            raise MonthlyQuotaReached(priority.value)
        return Result(None, DeliveryOutcome.HELD, reason=QUOTA_REACHED)

    # -- many seniors ------------------------------------------------------------------------

    async def on_multicast_requested(self, envelope: Envelope[MulticastRequested]) -> Commit:
        # Retried on failure: the recorded batches and their retry keys make repeats safe.
        command = envelope.data
        try:
            plan = await self._multicast(envelope.id, command)
        except Refused as refused:
            raise dead_letter(self._deliveries, envelope, refused) from refused
        sent = sum(len(plan.batches[i]) for i in plan.done)
        held = sum(len(plan.batches[i]) for i in plan.held)
        if not plan.batches:
            outcome = DeliveryOutcome.SKIPPED_BLOCKED
        elif not plan.done:
            outcome = DeliveryOutcome.HELD
        else:
            outcome = DeliveryOutcome.SENT
        SENDS.labels("multicast", command.priority.value, outcome.value).inc()
        log.info(
            "multicast finished",
            audience=command.audience,
            sent=sent,
            held=held,
            skipped_blocked=plan.skipped_blocked,
            purpose=command.purpose,
        )
        shard = self._shards.lease()
        return Commit(
            partial(
                self._record_multicast,
                envelope=envelope,
                plan=plan,
                outcome=outcome,
                sent=sent,
                held=held,
                shard=shard,
            ),
            lease=shard,
        )

    async def _record_multicast(
        self,
        tx: Tx,
        *,
        envelope: Envelope[MulticastRequested],
        plan: MulticastPlan,
        outcome: DeliveryOutcome,
        sent: int,
        held: int,
        shard: ShardLease,
    ) -> None:
        command = envelope.data
        reason = BUDGET_EXHAUSTED if plan.held else None
        await self._deliveries.record_outcome(
            tx,
            command_id=envelope.id,
            audience=command.audience,
            method=DeliveryMethod.MULTICAST,
            outcome=outcome,
            line_request_id=None,
            reason=reason,
        )
        await self._usage.count(tx, shard=shard.name, multicast_recipients=sent, held=held)
        completed = MulticastCompleted(
            command_id=envelope.id,
            audience=command.audience,
            purpose=command.purpose,
            priority=command.priority,
            outcome=outcome,
            requested=len(command.user_ids),
            skipped_blocked=plan.skipped_blocked,
            sent=sent,
            held=held,
            batches=len(plan.batches),
            message_count=len(command.messages),
            reason=reason,
            completed_at=utcnow(),
        )
        await publish_result(tx, envelope, completed)
        if sent:
            tx.after_commit(partial(self._billed, "multicast", command.priority, sent))

    async def _multicast(self, command_id: UUID, command: MulticastRequested) -> MulticastPlan:
        recipients = list(dict.fromkeys(command.user_ids))
        blocked = await self._users.blocked_among(recipients)
        plan = await self._deliveries.save_multicast_plan(
            command_id=command_id,
            plan=MulticastPlan(
                batches=batches_of([u for u in recipients if u not in blocked], self._batch_size),
                skipped_blocked=len(blocked),
            ),
        )
        done, held = set(plan.done), set(plan.held)
        sent_now = 0
        for index, batch in enumerate(plan.batches):
            if index in done or index in held:
                continue
            budget = await self._budget.current()
            if not budget.allows(command.priority, sent_now + len(batch)):
                await self._deliveries.mark_batch(command_id=command_id, index=index, held=True)
                held.add(index)
                continue
            try:
                await self._messaging.multicast(
                    user_ids=batch,
                    messages=command.messages,
                    retry_key=batch_retry_key(command_id, index),
                )
            except LineApiError as error:
                SEND_ERRORS.labels("multicast", str(error.status)).inc()
                if error.is_monthly_limit:
                    await self._monthly_limit(command.priority)  # raises unless it may be held
                    await self._deliveries.mark_batch(command_id=command_id, index=index, held=True)
                    held.add(index)
                    continue
                if not error.is_retry_key_accepted:
                    raise _classified(DeliveryMethod.MULTICAST, error) from error
            # Recorded right after LINE accepted it; a crash before this resends the batch with
            # the same key, and LINE answers 409.
            await self._deliveries.mark_batch(command_id=command_id, index=index, held=False)
            done.add(index)
            sent_now += len(batch)
        return plan.model_copy(update={"done": sorted(done), "held": sorted(held)})


def _sent(method: DeliveryMethod, receipt: SendReceipt, *, reason: str | None = None) -> Result:
    return Result(method, DeliveryOutcome.SENT, receipt.request_id, reason=reason)


def _classified(method: DeliveryMethod, error: LineApiError) -> Exception:
    return error if error.retryable else Refused(method, error)
