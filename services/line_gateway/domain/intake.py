"""Accepting a verified webhook: each new event is recorded and queued for Kafka atomically.

Per event, one MongoDB transaction claims the `webhookEventId`, updates the user, and stages what
follows in the outbox: the normalised event on `line.inbound`, and any answer the gateway gives
itself (link results, the group note, link help) as a `line.send.requested` on `line.outbound`,
sent by the gateway's own sender with the reply token. Nothing here calls LINE, so the webhook
answers well within LINE's two seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID, uuid5

from services.common.events.contracts.line import (
    MAX_TEXT_LENGTH,
    AccountLinked,
    AccountUnlinked,
    ConversationMode,
    MessageReceived,
    PostbackReceived,
    SendPriority,
    SendRequested,
    TextMessage,
    UserFollowed,
    UserUnfollowed,
)
from services.common.events.envelope import new_event
from services.common.kafka.topics import LINE_INBOUND, LINE_OUTBOUND
from services.common.link_codes import link_code_digest
from services.common.logging import get_logger, user_ref
from services.common.metrics import REJECTED_INPUT
from services.common.store import MongoStore, Tx
from services.common.time import utcnow
from services.line_gateway.domain import texts
from services.line_gateway.domain.linking import ANSWERS, LinkOutcome, code_in, verify
from services.line_gateway.domain.webhook import (
    WebhookEvent,
    event_type_label,
    normalise,
    reply_token_expiry,
)
from services.line_gateway.metrics import LINK_ATTEMPTS, WEBHOOK_EVENTS
from services.line_gateway.store import (
    ChatGroupRepository,
    LineUser,
    LineUserRepository,
    LinkCodeRepository,
    WebhookEventRepository,
)
from services.line_gateway.store.webhook_events import DuplicateWebhookEvent

SOURCE = "line_gateway"
LINK_HELP_POSTBACK = "line:link_help"
# The gateway's own answers get command ids derived from the webhook event, so they are the same
# however often they are computed.
ANSWER_NAMESPACE = UUID("3a4f7b1e-52c6-4d0e-9e1b-7c2d8f6a9b03")

log = get_logger(__name__)


@dataclass(frozen=True)
class IntakeResult:
    published: int
    duplicates: int
    ignored: int


@dataclass(frozen=True)
class LinkingRules:
    max_failures: int
    failure_window: timedelta
    code_secret: str


class WebhookIntake:
    def __init__(
        self, *, store: MongoStore, reply_token_ttl: timedelta, linking: LinkingRules
    ) -> None:
        self._store = store
        self._events = WebhookEventRepository(store)
        self._users = LineUserRepository(store)
        self._groups = ChatGroupRepository(store)
        self._codes = LinkCodeRepository(store)
        self._reply_token_ttl = reply_token_ttl
        self._linking = linking

    async def accept(self, events: list[WebhookEvent]) -> IntakeResult:
        published = duplicates = ignored = 0
        # One transaction per event: a redelivered batch re-publishes only what is missing. The
        # events of one body are handled in order, which keeps each user's order.
        for event in events:
            outcome = await self._accept_one(event)
            WEBHOOK_EVENTS.labels(event_type_label(event.type), outcome).inc()
            if outcome.startswith("link_"):
                LINK_ATTEMPTS.labels(outcome.removeprefix("link_")).inc()
            if outcome == "published":
                published += 1
            elif outcome == "duplicate":
                duplicates += 1
            else:
                ignored += 1
        return IntakeResult(published=published, duplicates=duplicates, ignored=ignored)

    async def _accept_one(self, event: WebhookEvent) -> str:
        async def work(tx: Tx) -> str:
            # A duplicate id aborts the transaction; it must propagate, not be swallowed here.
            await self._events.accept(
                tx, webhook_event_id=event.webhook_event_id, event_type=event.type
            )
            user = (
                await self._users.get(event.source.user_id, tx)
                if event.source and event.source.type == "user" and event.source.user_id
                else None
            )
            normalised = normalise(
                event,
                mode=user.mode if user else ConversationMode.BOT,
                reply_token_ttl=self._reply_token_ttl,
            )
            if normalised.group_chat is not None:
                return await self._group_chat(tx, event, *normalised.group_chat)
            if normalised.contract is None or normalised.user_id is None:
                return f"ignored_{normalised.ignored_because}"
            contract = normalised.contract
            if isinstance(contract, MessageReceived):
                if contract.text_truncated_from is not None:
                    REJECTED_INPUT.labels("line_webhook", "text_truncated").inc()
                    log.warning(
                        "webhook text cut to LINE's limit",
                        length=contract.text_truncated_from,
                        kept=MAX_TEXT_LENGTH,
                    )
                await self._users.record_message(tx, user_id=contract.user_id, at=contract.sent_at)
                code = code_in(contract.text) if contract.message_type == "text" else None
                if code is not None:
                    # A link code is for the gateway only: never forwarded to Dai-chan.
                    outcome = await self._link(tx, contract, code=code, user=user)
                    return f"link_{outcome.value}"
            elif isinstance(contract, PostbackReceived):
                await self._users.record_postback(tx, user_id=contract.user_id, at=contract.sent_at)
                if contract.data == LINK_HELP_POSTBACK:
                    await self._answer(
                        tx, contract, text=texts.LINK_HELP, purpose="line_gateway.link_help"
                    )
            elif isinstance(contract, UserFollowed):
                await self._users.record_follow(
                    tx,
                    user_id=contract.user_id,
                    at=contract.sent_at,
                    is_unblocked=contract.is_unblocked,
                )
            elif isinstance(contract, UserUnfollowed):
                await self._users.record_unfollow(tx, user_id=contract.user_id, at=contract.sent_at)
            await tx.emit(
                topic=LINE_INBOUND,
                key=normalised.user_id,
                event=new_event(contract, source=SOURCE, occurred_at=contract.sent_at),
            )
            return "published"

        try:
            return await self._store.transaction(work)
        except DuplicateWebhookEvent:
            return "duplicate"

    async def _group_chat(self, tx: Tx, event: WebhookEvent, chat_id: str, kind: str) -> str:
        """Groups and rooms get one polite note, once, telling members to talk one to one."""
        if not await self._groups.note_due(tx, chat_id=chat_id, kind=kind, at=event.occurred_at):
            return "ignored_group_chat"
        command = SendRequested(
            user_id=chat_id,
            messages=[TextMessage(text=texts.GROUP_NOTE)],
            reply_token=event.reply_token,
            reply_token_expires_at=reply_token_expiry(event, self._reply_token_ttl),
            priority=SendPriority.LOW,
            purpose="line_gateway.group_note",
        )
        await tx.emit(
            topic=LINE_OUTBOUND,
            key=chat_id,
            event=new_event(
                command,
                source=SOURCE,
                event_id=uuid5(ANSWER_NAMESPACE, f"{event.webhook_event_id}:group_note"),
            ),
        )
        return "group_note"

    async def _answer(
        self,
        tx: Tx,
        inbound: MessageReceived | PostbackReceived,
        *,
        text: str,
        purpose: str,
    ) -> None:
        command = SendRequested(
            user_id=inbound.user_id,
            messages=[TextMessage(text=text)],
            reply_token=inbound.reply_token,
            reply_token_expires_at=inbound.reply_token_expires_at,
            priority=SendPriority.SERVICE,
            purpose=purpose,
        )
        await tx.emit(
            topic=LINE_OUTBOUND,
            key=inbound.user_id,
            event=new_event(
                command,
                source=SOURCE,
                event_id=uuid5(ANSWER_NAMESPACE, f"{inbound.webhook_event_id}:{purpose}"),
            ),
        )

    async def _link(
        self, tx: Tx, message: MessageReceived, *, code: str, user: LineUser | None
    ) -> LinkOutcome:
        now = utcnow()
        user_id = message.user_id
        failures = await self._codes.failures_since(
            tx, user_id=user_id, since=now - self._linking.failure_window
        )
        if failures >= self._linking.max_failures:
            outcome = LinkOutcome.RATE_LIMITED
        else:
            digest = link_code_digest(secret=self._linking.code_secret, code=code)
            verdict = verify(
                match=await self._codes.find(tx, code_digest=digest),
                now=now,
                linked_participant=user.participant_id if user else None,
            )
            outcome = verdict.outcome
            if outcome is LinkOutcome.LINKED and verdict.code is not None:
                await self._codes.mark_used(tx, code_digest=verdict.code.code_digest, at=now)
                await self._link_user(
                    tx,
                    user_id=user_id,
                    participant_id=verdict.code.participant_id,
                    previous=user.participant_id if user else None,
                    at=now,
                )
        await self._codes.record_attempt(
            tx, user_id=user_id, at=now, outcome=outcome.value, failed=outcome.failed
        )
        await self._answer(tx, message, text=ANSWERS[outcome], purpose="line_gateway.account_link")
        log.info("link attempt", user=user_ref(user_id), outcome=outcome.value)
        return outcome

    async def _link_user(
        self, tx: Tx, *, user_id: str, participant_id: str, previous: str | None, at: datetime
    ) -> None:
        # One participant, one LINE user: a participant who links a new phone leaves the old one.
        holder = await self._users.user_linked_to(tx, participant_id)
        if holder is not None and holder != user_id:
            await self._users.unlink(tx, user_id=holder)
            await self._emit_unlinked(
                tx, user_id=holder, participant_id=participant_id, reason="linked_elsewhere", at=at
            )
        if previous is not None and previous != participant_id:
            await self._emit_unlinked(
                tx, user_id=user_id, participant_id=previous, reason="relinked", at=at
            )
        await self._users.link(tx, user_id=user_id, participant_id=participant_id, at=at)
        await tx.emit(
            topic=LINE_INBOUND,
            key=user_id,
            event=new_event(
                AccountLinked(user_id=user_id, participant_id=participant_id, linked_at=at),
                source=SOURCE,
            ),
        )

    async def _emit_unlinked(
        self, tx: Tx, *, user_id: str, participant_id: str, reason: str, at: datetime
    ) -> None:
        await tx.emit(
            topic=LINE_INBOUND,
            key=user_id,
            event=new_event(
                AccountUnlinked(
                    user_id=user_id, participant_id=participant_id, reason=reason, unlinked_at=at
                ),
                source=SOURCE,
            ),
        )
