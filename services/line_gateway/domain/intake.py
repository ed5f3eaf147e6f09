"""Accepting a verified webhook: each new event is recorded and queued for Kafka atomically."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from services.common.events.contracts.line import (
    ConversationMode,
    MessageReceived,
    UserFollowed,
    UserUnfollowed,
)
from services.common.events.envelope import new_event
from services.common.kafka.topics import LINE_INBOUND
from services.common.store import MongoStore, Tx
from services.line_gateway.domain.webhook import WebhookEvent, normalise
from services.line_gateway.metrics import WEBHOOK_EVENTS
from services.line_gateway.store import LineUserRepository, WebhookEventRepository
from services.line_gateway.store.webhook_events import DuplicateWebhookEvent

SOURCE = "line_gateway"


@dataclass(frozen=True)
class IntakeResult:
    published: int
    duplicates: int
    ignored: int


class WebhookIntake:
    def __init__(self, *, store: MongoStore, reply_token_ttl: timedelta) -> None:
        self._store = store
        self._events = WebhookEventRepository(store)
        self._users = LineUserRepository(store)
        self._reply_token_ttl = reply_token_ttl

    async def accept(self, events: list[WebhookEvent]) -> IntakeResult:
        published = duplicates = ignored = 0
        # One transaction per event: a redelivered batch re-publishes only what is missing.
        for event in events:
            outcome = await self._accept_one(event)
            WEBHOOK_EVENTS.labels(event.type, outcome).inc()
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
                if event.source and event.source.user_id
                else None
            )
            normalised = normalise(
                event,
                mode=user.mode if user else ConversationMode.BOT,
                reply_token_ttl=self._reply_token_ttl,
            )
            if normalised.contract is None or normalised.user_id is None:
                return f"ignored_{normalised.ignored_because}"
            contract = normalised.contract
            if isinstance(contract, MessageReceived):
                await self._users.record_message(tx, user_id=contract.user_id, at=contract.sent_at)
            elif isinstance(contract, UserFollowed):
                await self._users.record_follow(tx, user_id=contract.user_id, at=contract.sent_at)
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
