"""The gateway owns the LINE user ↔ participant link and stamps it on every message and tap it
publishes on `line.inbound` (on a real mongod): readers take the participant from the event."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any
from uuid import uuid4

import pytest

from services.common.events import decode_event
from services.common.events.contracts.lending import ParticipantErased
from services.common.events.contracts.line import MessageReceived, PostbackReceived
from services.common.events.envelope import new_event
from services.common.link_codes import link_code_digest
from services.common.store import MongoStore, Tx
from services.common.time import utcnow
from services.line_gateway.app import Repositories, webhook_intake
from services.line_gateway.clients.messaging import LineMessaging
from services.line_gateway.consumers.lending import LendingHandlers
from services.line_gateway.domain.webhook import WebhookEvent
from services.line_gateway.settings import LineGatewaySettings
from services.line_gateway.store import all_indexes
from services.line_gateway.usecases.intake import WebhookIntake
from services.line_gateway.usecases.loading import LoadingAnimation
from tools.devstack.stack import Stack

# Long past: the loading animation is never due, so nothing here calls LINE.
SENT_AT_MS = 1_764_000_000_000
SETTINGS = LineGatewaySettings()


def event(event_id: str, user: str, **body: Any) -> WebhookEvent:
    return WebhookEvent.model_validate(
        {
            "mode": "active",
            "timestamp": SENT_AT_MS,
            "source": {"type": "user", "userId": user},
            "webhookEventId": event_id,
            "deliveryContext": {"isRedelivery": False},
            "replyToken": f"r{event_id}",
            **body,
        }
    )


def text(event_id: str, user: str, words: str) -> WebhookEvent:
    return event(
        event_id,
        user,
        type="message",
        message={"type": "text", "id": f"m{event_id}", "text": words},
    )


def tap(event_id: str, user: str) -> WebhookEvent:
    return event(event_id, user, type="postback", postback={"data": "lending:book?session=S1"})


@pytest.fixture
async def store(infra: Stack) -> AsyncIterator[MongoStore]:
    store = MongoStore(uri=infra.mongo.uri, database=f"t_{uuid4().hex[:10]}", app_name="test")
    await store.ensure_indexes(all_indexes(webhook_event_retention_days=7))
    try:
        yield store
    finally:
        await store.drop_database()
        await store.close()


@pytest.fixture
async def repos(store: MongoStore) -> Repositories:
    return Repositories.on(store)


@pytest.fixture
async def intake(store: MongoStore, repos: Repositories) -> AsyncIterator[WebhookIntake]:
    messaging = LineMessaging(base_url="http://127.0.0.1:9", access_token="t", timeout_seconds=1)
    loading = LoadingAnimation(messaging=messaging, seconds=5, max_age=timedelta(seconds=20))
    try:
        yield webhook_intake(SETTINGS, store=store, repos=repos, loading=loading)
    finally:
        await loading.stop()
        await messaging.close()


async def issue(store: MongoStore, repos: Repositories, *, participant: str, code: str) -> None:
    async def work(tx: Tx) -> None:
        now = utcnow()
        await repos.codes.issue(
            tx,
            code_digest=link_code_digest(secret=SETTINGS.link_code_secret, code=code),
            participant_id=participant,
            expires_at=now + timedelta(days=1),
            issued_at=now,
        )

    await store.transaction(work)


async def stamped(store: MongoStore) -> dict[str, str | None]:
    """The participant stamped on each message or tap in the outbox, by its webhook event id."""
    found: dict[str, str | None] = {}
    async for doc in store.db.outbox.find({"topic": "line.inbound"}).sort("_id", 1):
        data = decode_event(doc["value"]).data
        if isinstance(data, MessageReceived | PostbackReceived):
            found[data.webhook_event_id] = data.participant_id
    return found


async def test_a_linked_senders_messages_and_taps_carry_the_participant_and_others_none(
    store: MongoStore, repos: Repositories, intake: WebhookIntake
) -> None:
    await issue(store, repos, participant="P1", code="12345678")
    await intake.accept([text("a1", "U1", "こんにちは"), text("a2", "U2", "こんにちは")])
    await intake.accept([text("a3", "U1", "12345678")])
    await intake.accept([text("a4", "U1", "元気です"), tap("a5", "U1"), text("a6", "U2", "はい")])

    events = await stamped(store)

    assert events == {"a1": None, "a2": None, "a4": "P1", "a5": "P1", "a6": None}


async def test_a_sender_who_lost_the_link_is_stamped_with_none_from_the_next_message(
    store: MongoStore, repos: Repositories, intake: WebhookIntake
) -> None:
    await issue(store, repos, participant="P1", code="12345678")
    await intake.accept([text("b1", "U1", "12345678"), text("b2", "U1", "一")])
    await issue(store, repos, participant="P1", code="87654321")
    # The participant links a new phone: in the same body, the old phone's next message is
    # already stamped with no participant, the new phone's with P1.
    await intake.accept(
        [text("b3", "U9", "87654321"), text("b4", "U1", "二"), text("b5", "U9", "三")]
    )
    await intake.accept([text("b6", "U1", "四")])

    assert await stamped(store) == {"b2": "P1", "b4": None, "b5": "P1", "b6": None}


async def test_after_the_participant_is_erased_the_next_message_carries_none(
    store: MongoStore, repos: Repositories, intake: WebhookIntake
) -> None:
    await issue(store, repos, participant="P2", code="11223344")
    await intake.accept([text("c1", "U2", "11223344"), text("c2", "U2", "一")])
    handlers = LendingHandlers(codes=repos.codes, users=repos.users)
    erased = new_event(ParticipantErased(participant_id="P2", erased_at=utcnow()), source="t")

    await store.transaction(lambda tx: handlers.on_participant_erased(erased, tx))
    await intake.accept([text("c3", "U2", "二")])

    assert await stamped(store) == {"c2": "P2", "c3": None}
