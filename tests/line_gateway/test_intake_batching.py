"""A webhook body is recorded in one transaction of a few batched commands, on a real mongod:
duplicates within a body and across bodies (also two at once) are left out, each user's order is
the outbox's."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any
from uuid import uuid4

import pytest

from services.common.events import decode_event
from services.common.store import MongoStore
from services.line_gateway.app import Repositories, webhook_intake
from services.line_gateway.clients.messaging import LineMessaging
from services.line_gateway.domain.webhook import WebhookEvent, plan_body
from services.line_gateway.settings import LineGatewaySettings
from services.line_gateway.store import all_indexes
from services.line_gateway.usecases.intake import WebhookIntake
from services.line_gateway.usecases.loading import LoadingAnimation
from tests.fixtures.mongo import CountingStore
from tools.devstack.stack import Stack

# Long past: the loading animation is never due, so nothing here calls LINE.
SENT_AT_MS = 1_764_000_000_000


def text(event_id: str, user: str, words: str) -> WebhookEvent:
    return WebhookEvent.model_validate(
        {
            "type": "message",
            "mode": "active",
            "timestamp": SENT_AT_MS,
            "source": {"type": "user", "userId": user},
            "webhookEventId": event_id,
            "deliveryContext": {"isRedelivery": False},
            "replyToken": f"r{event_id}",
            "message": {"type": "text", "id": f"m{event_id}", "text": words},
        }
    )


def test_a_plan_keeps_each_id_once_in_the_body_order_and_leaves_out_the_recorded() -> None:
    body = [
        text("e1", "U1", "a"),
        text("e2", "U2", "b"),
        text("e1", "U1", "a"),
        text("e3", "U1", "c"),
    ]

    plan = plan_body(body, already_accepted={"e2"})

    assert plan.fresh == [0, 3]  # e1 (its first occurrence), e3
    assert plan.repeated == [1, 2]  # e2 recorded before, e1 again
    assert plan_body([], set()).fresh == []


@pytest.fixture
async def store(infra: Stack) -> AsyncIterator[CountingStore]:
    store = CountingStore(uri=infra.mongo.uri, database=f"t_{uuid4().hex[:10]}", app_name="test")
    await store.ensure_indexes(all_indexes(webhook_event_retention_days=7))
    try:
        yield store
    finally:
        await store.drop_database()
        await store.close()


@pytest.fixture
async def intake(store: CountingStore) -> AsyncIterator[WebhookIntake]:
    settings = LineGatewaySettings()
    messaging = LineMessaging(base_url="http://127.0.0.1:9", access_token="t", timeout_seconds=1)
    loading = LoadingAnimation(messaging=messaging, seconds=5, max_age=timedelta(seconds=20))
    try:
        yield webhook_intake(settings, store=store, repos=Repositories.on(store), loading=loading)
    finally:
        await loading.stop()
        await messaging.close()


async def inbound(store: MongoStore) -> list[tuple[str, str]]:
    """(user, text) of every `line.inbound` entry in the outbox, in the relay's order."""
    found: list[tuple[str, str]] = []
    async for doc in store.db.outbox.find({"topic": "line.inbound"}).sort("_id", 1):
        payload: Any = decode_event(doc["value"]).data
        found.append((doc["key"], payload.text))
    return found


async def test_a_body_of_100_events_is_one_transaction_of_a_few_commands(
    store: CountingStore, intake: WebhookIntake
) -> None:
    users = [f"U{n:032d}" for n in range(10)]
    body = [text(f"a{n}", users[n % 10], f"{n // 10}") for n in range(100)]
    store.commands.names.clear()

    result = await intake.accept(body)

    assert (result.published, result.duplicates, result.ignored) == (100, 0, 0)
    assert store.transactions == 1
    # One read of the ids and the users together, insert of the ids, bulk write of the users,
    # the outbox's stamped upserts (the commit goes to admin): not five commands per event.
    assert store.commands.names == ["aggregate", "insert", "update", "update"]
    recorded = await inbound(store)
    assert len(recorded) == 100
    for user in users:  # each user's messages in the order they came
        assert [t for u, t in recorded if u == user] == [str(n) for n in range(10)]
    counts = {d["_id"]: d["messages_received"] async for d in store.db.line_users.find({})}
    assert counts == dict.fromkeys(users, 10)


async def test_duplicates_within_a_body_and_across_bodies_are_recorded_once(
    store: CountingStore, intake: WebhookIntake
) -> None:
    first = await intake.accept([text("b1", "U1", "one"), text("b1", "U1", "one")])
    again = await intake.accept(
        [text("b1", "U1", "one"), text("b2", "U1", "two"), text("b2", "U1", "two")]
    )
    replay = await intake.accept([text("b1", "U1", "one"), text("b2", "U1", "two")])

    assert (first.published, first.duplicates) == (1, 1)
    assert (again.published, again.duplicates) == (1, 2)
    assert (replay.published, replay.duplicates) == (0, 2)
    assert store.transactions == 3
    assert await inbound(store) == [("U1", "one"), ("U1", "two")]
    user = await store.db.line_users.find_one({"_id": "U1"})
    assert user is not None
    assert user["messages_received"] == 2


async def test_the_same_body_delivered_twice_at_once_is_recorded_once(
    store: CountingStore, intake: WebhookIntake
) -> None:
    body = [text(f"c{n}", f"U{n % 3}", f"{n}") for n in range(30)]

    results = await asyncio.gather(intake.accept(body), intake.accept(body))

    assert sorted(r.published for r in results) == [0, 30]
    assert sorted(r.duplicates for r in results) == [0, 30]
    assert len(await inbound(store)) == 30
    assert await store.db.webhook_events.count_documents({}) == 30


async def test_bodies_arriving_together_share_one_commit_and_keep_their_own_answers(
    store: CountingStore, intake: WebhookIntake
) -> None:
    first = await intake.accept([text("d0", "U0", "before")])
    bodies = [
        [text(f"d{n}", f"U{n}", f"{n}"), text(f"d{n}x", f"U{n}", f"{n}x")] for n in range(1, 11)
    ]
    # Recorded before, and in an earlier body of the same group.
    bodies.append([text("d0", "U0", "before"), text("d3", "U3", "3")])
    store.transactions = 0

    results = await asyncio.gather(*(intake.accept(body) for body in bodies))

    assert first.published == 1
    assert store.transactions == 1  # eleven requests, one transaction
    assert [(r.published, r.duplicates) for r in results] == [(2, 0)] * 10 + [(0, 2)]
    recorded = await inbound(store)
    assert len(recorded) == 21
    for n in range(1, 11):
        assert [t for u, t in recorded if u == f"U{n}"] == [f"{n}", f"{n}x"]
