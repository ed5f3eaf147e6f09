"""Sending `line.outbound` commands to LINE so that every send is safe to retry.

How a command becomes exactly one message to the senior:

1. The attempt (reply or push) is recorded *before* the request leaves, outside any transaction.
2. Reply while the token is valid. If LINE says the token is invalid on the *first* attempt, the
   token expired or was never good: fall back to push. If it says so on a *retried* attempt, the
   earlier attempt used it, which means the senior already has the message: do not send again.
3. Push carries `X-Line-Retry-Key` derived from the command id, so a retried push is accepted at
   most once; LINE's 409 for an accepted key counts as delivered.
4. The outcome and a `line.delivery.completed` event commit together with the processed mark.

Failures: 429, 5xx and timeouts raise and are retried with backoff by the stream processor (the
same retry key keeps them safe); other 4xx can never succeed and are dead-lettered at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID, uuid5

from services.common.events.contracts.line import (
    DeliveryCompleted,
    DeliveryMethod,
    DeliveryOutcome,
    SendRequested,
)
from services.common.events.envelope import Envelope, new_event
from services.common.kafka.streams import HandlerContext, PermanentError
from services.common.kafka.topics import LINE_DELIVERIES
from services.common.logging import get_logger, user_ref
from services.common.store import Tx
from services.common.time import utcnow
from services.line_gateway.clients.messaging import LineApiError, LineMessaging, SendReceipt
from services.line_gateway.metrics import SEND_ERRORS, SENDS
from services.line_gateway.store import DeliveryRepository, LineUserRepository

log = get_logger(__name__)

# Fixed namespace: the retry key for a command must be the same in every process, forever.
RETRY_KEY_NAMESPACE = UUID("6f1d3c52-8f0e-4d5a-9a43-5b8c2f7e9d10")
SOURCE = "line_gateway"


def retry_key_for(command_id: UUID) -> str:
    return str(uuid5(RETRY_KEY_NAMESPACE, str(command_id)))


@dataclass(frozen=True)
class Result:
    method: DeliveryMethod | None
    outcome: DeliveryOutcome
    request_id: str | None = None


class OutboundSender:
    def __init__(
        self,
        *,
        messaging: LineMessaging,
        deliveries: DeliveryRepository,
        users: LineUserRepository,
    ) -> None:
        self._messaging = messaging
        self._deliveries = deliveries
        self._users = users

    async def on_send_requested(
        self, envelope: Envelope[SendRequested], ctx: HandlerContext
    ) -> None:
        # Retried on failure: the recorded attempt and the retry key make repeats safe.
        command = envelope.data
        result = await self._deliver(envelope.id, command)
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
        )

        async def record(tx: Tx) -> None:
            await self._deliveries.record_outcome(
                tx,
                command_id=envelope.id,
                method=result.method,
                outcome=result.outcome,
                line_request_id=result.request_id,
            )
            await tx.emit(
                topic=LINE_DELIVERIES,
                key=command.user_id,
                event=new_event(
                    DeliveryCompleted(
                        command_id=envelope.id,
                        user_id=command.user_id,
                        method=result.method,
                        outcome=result.outcome,
                        purpose=command.purpose,
                        priority=command.priority,
                        message_count=len(command.messages),
                        line_request_id=result.request_id,
                        completed_at=utcnow(),
                    ),
                    source=SOURCE,
                    cause=envelope,
                ),
            )

        await ctx.transaction(record)

    async def _deliver(self, command_id: UUID, command: SendRequested) -> Result:
        user = await self._users.get(command.user_id)
        if user is not None and not user.following:
            return Result(None, DeliveryOutcome.SKIPPED_BLOCKED)

        previous = await self._deliveries.get(command_id)
        if previous is not None and previous.outcome is not None:
            return Result(previous.method, previous.outcome)

        retried_reply = previous is not None and previous.method is DeliveryMethod.REPLY
        token_usable = (
            command.reply_token is not None
            and command.reply_token_expires_at is not None
            and (retried_reply or utcnow() < command.reply_token_expires_at)
        )
        if command.reply_token and token_usable and (previous is None or retried_reply):
            await self._deliveries.record_attempt(
                command_id=command_id, user_id=command.user_id, method=DeliveryMethod.REPLY
            )
            try:
                receipt = await self._messaging.reply(
                    reply_token=command.reply_token, messages=command.messages
                )
                return _sent(DeliveryMethod.REPLY, receipt)
            except LineApiError as error:
                SEND_ERRORS.labels("reply", str(error.status)).inc()
                if not error.is_invalid_reply_token:
                    raise _classified(error) from error
                if retried_reply:
                    # Our earlier attempt used this token: the senior has the message already.
                    return Result(DeliveryMethod.REPLY, DeliveryOutcome.ASSUMED_DELIVERED)
                # Token no longer accepted on a first attempt: push instead.

        await self._deliveries.record_attempt(
            command_id=command_id, user_id=command.user_id, method=DeliveryMethod.PUSH
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
                return Result(DeliveryMethod.PUSH, DeliveryOutcome.ALREADY_ACCEPTED)
            raise _classified(error) from error
        return _sent(DeliveryMethod.PUSH, receipt)


def _sent(method: DeliveryMethod, receipt: SendReceipt) -> Result:
    return Result(method, DeliveryOutcome.SENT, receipt.request_id)


def _classified(error: LineApiError) -> Exception:
    return error if error.retryable else PermanentError(str(error))
