"""Sending `line.outbound` commands to LINE, as the delivery policy says (domain/delivery.py for
one senior, domain/multicast.py for many), so that every send is safe to retry.

The attempt (reply or push) is recorded *before* the request leaves, outside any transaction, so a
restarted gateway can tell "never sent" from "maybe sent". The outcome, the month's counts (in a
counter shard no other running send writes, see `store/usage.py`) and a `line.delivery.completed`
event commit together with the processed mark.

Before a send there is one read (`DeliveryRepository.before_send`): the attempt, the outcome and
the senior's follow status in one command. The outcome is what tells a redelivered command that
was finished before, so the route recognises its own redeliveries (`recognises_redeliveries` in
`services/common/kafka/handling.py`) and the framework reads no processed mark first: the outcome
commits only with the mark, and a `failed` one (recorded without it) does not count as finished.

Failures: a 429 rate limit, 5xx and timeouts are retried with backoff by the stream processor (the
same retry key keeps them safe). A 429 that says the monthly limit is reached is not retried
blindly: `low` and `conversation` sends are held; `safety` and `service` sends are retried and
alerted on, then dead-lettered for replay once the plan is raised. Other 4xx can never succeed:
see `refusals.py`.
"""

from __future__ import annotations

from functools import partial
from uuid import UUID

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
from services.common.kafka.handling import REDELIVERED, Commit, Redelivered
from services.common.logging import get_logger, user_ref
from services.common.store import Tx
from services.common.time import utcnow
from services.line_gateway.clients.messaging import LineApiError, LineMessaging
from services.line_gateway.consumers.refusals import Refused, dead_letter, publish_result
from services.line_gateway.domain.budget import is_budgeted
from services.line_gateway.domain.delivery import (
    AlreadyFinished,
    Finish,
    GiveUp,
    MonthlyLimit,
    Push,
    Reply,
    Result,
    after_monthly_limit,
    after_push_refused,
    after_reply_refused,
    first_step,
    held_by_budget,
    retry_key_for,
    sent,
    usage_counts,
)
from services.line_gateway.domain.multicast import (
    BatchDone,
    MulticastPlan,
    MulticastResult,
    after_batch_refused,
    batch_retry_key,
    multicast_result,
    plan_for,
    recipients_of,
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
    ShardLease,
    UsageRepository,
)
from services.line_gateway.usecases.budget import BudgetKeeper

log = get_logger(__name__)


class MonthlyQuotaReached(Exception):
    """LINE's monthly limit is reached and this send must not be dropped: retry, and alert."""


class OutboundSender:
    def __init__(
        self,
        *,
        deliveries: DeliveryRepository,
        users: LineUserRepository,
        usage: UsageRepository,
        messaging: LineMessaging,
        budget: BudgetKeeper,
        multicast_batch_size: int = 500,
    ) -> None:
        self._messaging = messaging
        self._budget = budget
        self._deliveries = deliveries
        self._users = users
        self._usage = usage
        self._shards = CounterShards()
        self._batch_size = multicast_batch_size

    # -- one senior --------------------------------------------------------------------------

    async def on_send_requested(self, envelope: Envelope[SendRequested]) -> Commit | Redelivered:
        # Retried on failure: the recorded attempt and the retry key make repeats safe. A command
        # finished before (its outcome on record) is a redelivery: nothing is sent or recorded.
        command = envelope.data
        try:
            result = await self._deliver(envelope.id, command)
        except Refused as refused:
            raise dead_letter(self._deliveries, envelope, refused) from refused
        if isinstance(result, AlreadyFinished):
            return REDELIVERED
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
        counts = usage_counts(result)
        if counts:
            await self._usage.count(
                tx,
                shard=shard.name,
                replies=counts.replies,
                pushes=counts.pushes,
                held=counts.held,
            )
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
        await self._budget.sent(messages)

    async def _deliver(self, command_id: UUID, command: SendRequested) -> Result | AlreadyFinished:
        known = await self._deliveries.before_send(command_id, command.user_id)
        step = first_step(command, blocked=known.blocked, previous=known.previous, now=utcnow())
        if isinstance(step, AlreadyFinished):
            return step
        if isinstance(step, Reply):
            step = await self._reply(command_id, command, step)
        if isinstance(step, Push):
            step = await self._push(command_id, command, step)
        return step.result

    async def _reply(self, command_id: UUID, command: SendRequested, step: Reply) -> Finish | Push:
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
            after = after_reply_refused(command, error.refusal, step=step, now=utcnow())
            if isinstance(after, GiveUp):
                if after.forget_attempt:
                    # Refused before LINE took it: the retry is a first attempt again.
                    await self._deliveries.forget_attempt(command_id=command_id)
                raise _classified(DeliveryMethod.REPLY, error) from error
            if after.unknown_reply is not None:
                UNKNOWN_REPLY_OUTCOMES.labels(
                    command.priority.value, after.unknown_reply.value
                ).inc()
                log.warning(
                    "a retried reply's first outcome is unknown",
                    user=user_ref(command.user_id),
                    priority=command.priority.value,
                    purpose=command.purpose,
                    decision=after.unknown_reply.value,
                )
            return after
        return sent(DeliveryMethod.REPLY, receipt.request_id)

    async def _push(self, command_id: UUID, command: SendRequested, step: Push) -> Finish:
        if step.new and is_budgeted(command.priority):
            held = held_by_budget(await self._budget.for_push(), command.priority)
            if held is not None:
                return Finish(held)
        await self._deliveries.record_attempt(
            command_id=command_id,
            user_id=command.user_id,
            method=DeliveryMethod.PUSH,
            reason=step.reason,
        )
        try:
            receipt = await self._messaging.push(
                user_id=command.user_id,
                messages=command.messages,
                retry_key=retry_key_for(command_id),
            )
        except LineApiError as error:
            SEND_ERRORS.labels("push", str(error.status)).inc()
            after = after_push_refused(error.refusal, step=step)
            if isinstance(after, MonthlyLimit):
                return Finish(await self._monthly_limit(command.priority))
            if isinstance(after, GiveUp):
                raise _classified(DeliveryMethod.PUSH, error) from error
            return after
        return sent(DeliveryMethod.PUSH, receipt.request_id, reason=step.reason)

    async def _monthly_limit(self, priority: SendPriority) -> Result:
        await self._budget.quota_exhausted()
        QUOTA_EXHAUSTED.labels(priority.value).inc()
        held = after_monthly_limit(priority)
        if held is None:
            log.error(
                "LINE's monthly message limit is reached; a safety or service message waits "
                "for retry (raise the plan, then replay the dead letters)",
                priority=priority.value,
            )
            raise MonthlyQuotaReached(priority.value)
        return held

    # -- many seniors ------------------------------------------------------------------------

    async def on_multicast_requested(self, envelope: Envelope[MulticastRequested]) -> Commit:
        # Retried on failure: the recorded batches and their retry keys make repeats safe.
        command = envelope.data
        try:
            plan = await self._multicast(envelope.id, command)
        except Refused as refused:
            raise dead_letter(self._deliveries, envelope, refused) from refused
        result = multicast_result(plan)
        SENDS.labels("multicast", command.priority.value, result.outcome.value).inc()
        log.info(
            "multicast finished",
            audience=command.audience,
            sent=result.sent,
            held=result.held,
            skipped_blocked=plan.skipped_blocked,
            purpose=command.purpose,
        )
        shard = self._shards.lease()
        return Commit(
            partial(
                self._record_multicast, envelope=envelope, plan=plan, result=result, shard=shard
            ),
            lease=shard,
        )

    async def _record_multicast(
        self,
        tx: Tx,
        *,
        envelope: Envelope[MulticastRequested],
        plan: MulticastPlan,
        result: MulticastResult,
        shard: ShardLease,
    ) -> None:
        command = envelope.data
        await self._deliveries.record_outcome(
            tx,
            command_id=envelope.id,
            audience=command.audience,
            method=DeliveryMethod.MULTICAST,
            outcome=result.outcome,
            line_request_id=None,
            reason=result.reason,
        )
        await self._usage.count(
            tx, shard=shard.name, multicast_recipients=result.sent, held=result.held
        )
        completed = MulticastCompleted(
            command_id=envelope.id,
            audience=command.audience,
            purpose=command.purpose,
            priority=command.priority,
            outcome=result.outcome,
            requested=len(command.user_ids),
            skipped_blocked=plan.skipped_blocked,
            sent=result.sent,
            held=result.held,
            batches=len(plan.batches),
            message_count=len(command.messages),
            reason=result.reason,
            completed_at=utcnow(),
        )
        await publish_result(tx, envelope, completed)
        if result.sent:
            tx.after_commit(partial(self._billed, "multicast", command.priority, result.sent))

    async def _multicast(self, command_id: UUID, command: MulticastRequested) -> MulticastPlan:
        recipients = recipients_of(command.user_ids)
        blocked = await self._users.blocked_among(recipients)
        plan = await self._deliveries.save_multicast_plan(
            command_id=command_id,
            plan=plan_for(recipients, blocked=blocked, batch_size=self._batch_size),
        )
        done, held = set(plan.done), set(plan.held)
        sent_now = 0
        for index, batch in enumerate(plan.batches):
            if index in done or index in held:
                continue
            # A batch is up to 500 recipients: always decided on a fresh read.
            budget = await self._budget.current() if is_budgeted(command.priority) else None
            if (
                budget is not None
                and held_by_budget(budget, command.priority, sent_now + len(batch)) is not None
            ):
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
                after = after_batch_refused(error.refusal)
                if isinstance(after, MonthlyLimit):
                    await self._monthly_limit(command.priority)  # raises unless it may be held
                    await self._deliveries.mark_batch(command_id=command_id, index=index, held=True)
                    held.add(index)
                    continue
                if isinstance(after, GiveUp):
                    raise _classified(DeliveryMethod.MULTICAST, error) from error
                assert isinstance(after, BatchDone)
            # Recorded right after LINE accepted it; a crash before this resends the batch with
            # the same key, and LINE answers 409.
            await self._deliveries.mark_batch(command_id=command_id, index=index, held=False)
            done.add(index)
            sent_now += len(batch)
        return plan.model_copy(update={"done": sorted(done), "held": sorted(held)})


def _classified(method: DeliveryMethod, error: LineApiError) -> Exception:
    return error if error.retryable else Refused(method, error)
