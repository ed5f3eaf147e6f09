"""Accepting a verified webhook: each new event is recorded and queued for Kafka atomically.

Per event, one MongoDB transaction claims the `webhookEventId`, updates the user, and stages what
follows in the outbox: the normalised event on `line.inbound`, and any answer the gateway gives
itself (link results, the group note, link help) as a `line.send.requested` on `line.outbound`,
sent by the gateway's own sender with the reply token (durable: see domain/answers.py). After the
commit, the loading animation starts in the background (best effort: domain/loading.py). Nothing
here waits for LINE, so the webhook answers well within LINE's two seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from services.common.events.contracts.line import (
    MAX_TEXT_LENGTH,
    ConversationMode,
    MessageReceived,
    PostbackReceived,
    UserFollowed,
    UserUnfollowed,
)
from services.common.events.envelope import new_event
from services.common.kafka.topics import LINE_INBOUND, LINE_OUTBOUND
from services.common.logging import get_logger
from services.common.metrics import REJECTED_INPUT
from services.common.store import MongoStore, Tx
from services.common.usecases import commit
from services.line_gateway.domain import texts
from services.line_gateway.domain.answers import SOURCE, answer, group_note
from services.line_gateway.domain.linking import code_in
from services.line_gateway.domain.webhook import (
    WebhookEvent,
    event_type_label,
    normalise,
    reply_token_expiry,
)
from services.line_gateway.metrics import LINK_ATTEMPTS, WEBHOOK_EVENTS
from services.line_gateway.store import (
    ChatGroupRepository,
    LineUserRepository,
    WebhookEventRepository,
)
from services.line_gateway.store.webhook_events import DuplicateWebhookEvent
from services.line_gateway.usecases.linking import AccountLinking
from services.line_gateway.usecases.loading import LoadingAnimation

LINK_HELP_POSTBACK = "line:link_help"

log = get_logger(__name__)


@dataclass(frozen=True)
class IntakeResult:
    published: int
    duplicates: int
    ignored: int


class WebhookIntake:
    def __init__(
        self,
        *,
        store: MongoStore,
        events: WebhookEventRepository,
        users: LineUserRepository,
        groups: ChatGroupRepository,
        linking: AccountLinking,
        loading: LoadingAnimation,
        reply_token_ttl: timedelta,
    ) -> None:
        self._store = store
        self._events = events
        self._users = users
        self._groups = groups
        self._linking = linking
        self._loading = loading
        self._reply_token_ttl = reply_token_ttl

    async def accept(self, events: list[WebhookEvent]) -> IntakeResult:
        published = duplicates = ignored = 0
        # One transaction per event: a redelivered batch re-publishes only what is missing. The
        # events of one body are handled in order, which keeps each user's order.
        for event in events:
            try:
                outcome = await commit(self._store, partial(self._record, event=event))
            except DuplicateWebhookEvent:
                outcome = "duplicate"
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

    async def _record(self, tx: Tx, *, event: WebhookEvent) -> str:
        """One event's writes, in its transaction; the outcome as the metric's label."""
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
                outcome = await self._linking.attempt(tx, contract, code=code, user=user)
                return f"link_{outcome.value}"
            tx.after_commit(partial(self._loading.after_commit, contract))
        elif isinstance(contract, PostbackReceived):
            await self._users.record_postback(tx, user_id=contract.user_id, at=contract.sent_at)
            if contract.data == LINK_HELP_POSTBACK:
                help_answer = answer(
                    contract, text=texts.LINK_HELP, purpose="line_gateway.link_help"
                )
                await tx.emit(topic=LINE_OUTBOUND, key=contract.user_id, event=help_answer)
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

    async def _group_chat(self, tx: Tx, event: WebhookEvent, chat_id: str, kind: str) -> str:
        """Groups and rooms get one polite note, once, telling members to talk one to one."""
        if not await self._groups.note_due(tx, chat_id=chat_id, kind=kind, at=event.occurred_at):
            return "ignored_group_chat"
        note = group_note(
            webhook_event_id=event.webhook_event_id,
            chat_id=chat_id,
            text=texts.GROUP_NOTE,
            reply_token=event.reply_token,
            reply_token_expires_at=reply_token_expiry(event, self._reply_token_ttl),
        )
        await tx.emit(topic=LINE_OUTBOUND, key=chat_id, event=note)
        return "group_note"
