"""What the sender asks mongod per send, on a real mongod and the real consumer protocol: one read
before the request leaves LINE's way (the attempt and outcome on record and the senior's follow
status together), the attempt recorded before the request, the outcome committed with the claim,
and a redelivered command that was already sent sends nothing and opens no transaction.

LINE is a small local HTTP server answering like LINE does (409 for a retry key it took before,
400 for a reply token used before), so the real client and its errors are used.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from pymongo import AsyncMongoClient

from services.common.events import decode_event, new_event
from services.common.events.contracts.line import (
    DeliveryCompleted,
    DeliveryOutcome,
    SendPriority,
    SendRequested,
    TextMessage,
)
from services.common.events.envelope import Envelope
from services.common.kafka.handling import EventHandling, PermanentError, Route
from services.common.store.processed import ProcessedEvents
from services.common.time import utcnow
from services.line_gateway.app import Repositories, sender_routes
from services.line_gateway.clients.messaging import LineMessaging
from services.line_gateway.settings import LineGatewaySettings
from services.line_gateway.store import all_indexes
from services.line_gateway.usecases.budget import BudgetKeeper
from tests.fixtures.line import new_user_id
from tests.fixtures.mongo import CountingStore, scratch_store
from tools.devstack.stack import Stack

GROUP = "line_gateway"

# What a send costs mongod, in the driver's commands to the gateway's database (the transaction's
# commit goes to `admin`, so it is not listed): one read, the attempt, then the outcome
# transaction (the claim first, the outcome, the month's count, the delivery event). Before
# issue 11's change the one read was four: the processed mark, the user, the attempt, the outcome.
ONE_READ = [("aggregate", "delivery_attempts")]
ATTEMPT = [("update", "delivery_attempts")]
OUTCOME = [("insert", "processed_events"), ("update", "deliveries")]
COUNTED = [("update", "monthly_usage_shards")]  # replies and pushes, in this send's shard
PUBLISHED = [("update", "outbox")]  # the stamped upsert (Tx.emit_all)
# After a push's commit, at most once per `budget_cache_seconds`: the gauges' report.
REPORT = {("find", "monthly_usage"), ("aggregate", "monthly_usage_shards")}


@dataclass
class Line:
    """LINE's reply and push endpoints, remembering what reached the senior."""

    db: Any
    commands: list[tuple[str, str]]
    delivered: list[str] = field(default_factory=list)
    used_tokens: set[str] = field(default_factory=set)
    accepted_keys: set[str] = field(default_factory=set)
    # For each request: the commands sent before it, and whether its attempt was on record.
    before: list[list[tuple[str, str]]] = field(default_factory=list)
    attempt_recorded: list[bool] = field(default_factory=list)
    # The next push is taken, then answered 500 (as if the gateway had died waiting).
    lose_next_answer: bool = False
    refuse_next: bool = False

    async def _arrived(self, user: str) -> None:
        self.before.append(list(self.commands))
        recorded = await self.db.delivery_attempts.find_one(
            {"user_id": user, "method": {"$ne": None}}
        )
        self.attempt_recorded.append(recorded is not None)

    async def reply(self, request: web.Request) -> web.Response:
        body = await request.json()
        token = body["replyToken"]
        await self._arrived(token.removeprefix("token-"))
        if token in self.used_tokens:
            return web.json_response({"message": "Invalid reply token"}, status=400)
        self.used_tokens.add(token)
        self.delivered.append(body["messages"][0]["text"])
        return _sent()

    async def push(self, request: web.Request) -> web.Response:
        body = await request.json()
        await self._arrived(body["to"])
        if self.refuse_next:
            self.refuse_next = False
            return web.json_response({"message": "The request body has 1 error(s)"}, status=400)
        key = request.headers["X-Line-Retry-Key"]
        if key in self.accepted_keys:
            return web.json_response({"message": "The retry key is already accepted"}, status=409)
        self.accepted_keys.add(key)
        self.delivered.append(body["messages"][0]["text"])
        if self.lose_next_answer:
            self.lose_next_answer = False
            return web.json_response({"message": "Internal error"}, status=500)
        return _sent()


def _sent() -> web.Response:
    return web.json_response(
        {"sentMessages": [{"id": "1", "quoteToken": "q"}]}, headers={"x-line-request-id": "r1"}
    )


@dataclass
class Sender:
    store: CountingStore
    handling: EventHandling
    route: Route[Any]
    line: Line

    async def handle(self, envelope: Envelope[SendRequested]) -> str:
        return await self.handling.handle(self.route, envelope)

    def reset(self) -> None:
        self.store.commands.clear()
        self.store.transactions = 0
        self.line.before.clear()


@pytest.fixture
async def sender(infra: Stack) -> AsyncIterator[Sender]:
    async with scratch_store(infra, CountingStore) as store:
        await store.ensure_indexes(all_indexes(webhook_event_retention_days=7))
        plain: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infra.mongo.uri, tz_aware=True)
        line = Line(db=plain[store.db.name], commands=store.commands.targets)
        app = web.Application()
        app.router.add_post("/v2/bot/message/reply", line.reply)
        app.router.add_post("/v2/bot/message/push", line.push)
        repos = Repositories.on(store)
        async with TestServer(app, host="127.0.0.1") as server:
            messaging = LineMessaging(
                base_url=str(server.make_url("")).rstrip("/"), access_token="t", timeout_seconds=5
            )
            settings = LineGatewaySettings()
            budget = BudgetKeeper(  # as the sender builds it
                usage=repos.usage,
                configured_budget=settings.monthly_push_budget,
                cache_seconds=settings.budget_cache_seconds,
                exact_within=settings.budget_exact_within,
            )
            routes = sender_routes(settings, repos=repos, messaging=messaging, budget=budget)
            [send_route] = [r for r in routes if r.contract is SendRequested]
            try:
                yield Sender(store, EventHandling(store=store, group=GROUP), send_route, line)
            finally:
                await budget.stop()
                await messaging.close()
                await plain.close()


def command(user: str, *, reply: bool) -> Envelope[SendRequested]:
    return new_event(
        SendRequested(
            user_id=user,
            messages=[TextMessage(text=f"お知らせ {user[-4:]}")],
            reply_token=f"token-{user}" if reply else None,
            reply_token_expires_at=utcnow() + timedelta(seconds=40) if reply else None,
            priority=SendPriority.SERVICE,
            purpose="test.sender_reads",
        ),
        source="test",
    )


async def completions(sender: Sender, command_id: UUID) -> list[DeliveryCompleted]:
    found: list[DeliveryCompleted] = []
    async for doc in sender.store.db.outbox.find({"topic": "line.deliveries"}):
        data = decode_event(doc["value"]).data
        if isinstance(data, DeliveryCompleted) and data.command_id == command_id:
            found.append(data)
    return found


async def test_a_reply_reads_once_records_its_attempt_then_commits_with_the_claim(
    sender: Sender,
) -> None:
    user = new_user_id()
    envelope = command(user, reply=True)
    sender.reset()

    assert await sender.handle(envelope) == "handled"

    assert sender.line.before == [ONE_READ + ATTEMPT]
    assert sender.line.attempt_recorded == [True]
    assert sender.store.commands.targets == ONE_READ + ATTEMPT + OUTCOME + COUNTED + PUBLISHED
    assert sender.store.transactions == 1
    assert await ProcessedEvents(sender.store).contains(group=GROUP, event_id=envelope.id)
    [completed] = await completions(sender, envelope.id)
    assert completed.outcome is DeliveryOutcome.SENT
    assert sender.line.delivered == [f"お知らせ {user[-4:]}"]


async def test_a_push_to_a_known_senior_also_reads_once(sender: Sender) -> None:
    user = new_user_id()
    await sender.store.db.line_users.insert_one({"_id": user, "following": True, "mode": "bot"})
    sender.reset()

    assert await sender.handle(command(user, reply=False)) == "handled"

    assert sender.line.before == [ONE_READ + ATTEMPT]
    sent = ONE_READ + ATTEMPT + OUTCOME + COUNTED + PUBLISHED
    assert sender.store.commands.targets[: len(sent)] == sent
    assert set(sender.store.commands.targets[len(sent) :]) <= REPORT
    assert len(sender.line.delivered) == 1


async def test_a_redelivered_finished_send_reads_once_and_sends_and_writes_nothing(
    sender: Sender,
) -> None:
    user = new_user_id()
    envelope = command(user, reply=True)
    assert await sender.handle(envelope) == "handled"
    sender.reset()

    assert await sender.handle(envelope) == "duplicate"

    assert sender.store.commands.targets == ONE_READ
    assert sender.store.transactions == 0
    assert sender.line.before == []
    assert len(sender.line.delivered) == 1
    assert len(await completions(sender, envelope.id)) == 1


async def test_a_blocked_senior_is_skipped_on_the_one_read_and_a_redelivery_adds_nothing(
    sender: Sender,
) -> None:
    user = new_user_id()
    await sender.store.db.line_users.insert_one({"_id": user, "following": False, "mode": "bot"})
    envelope = command(user, reply=False)
    sender.reset()

    assert await sender.handle(envelope) == "handled"
    assert await sender.handle(envelope) == "duplicate"

    assert sender.store.commands.targets == ONE_READ + OUTCOME + PUBLISHED + ONE_READ
    assert sender.line.before == []
    [completed] = await completions(sender, envelope.id)
    assert completed.outcome is DeliveryOutcome.SKIPPED_BLOCKED


async def test_a_push_line_took_but_did_not_answer_is_retried_with_its_key_and_arrives_once(
    sender: Sender,
) -> None:
    user = new_user_id()
    envelope = command(user, reply=False)
    sender.line.lose_next_answer = True

    with pytest.raises(Exception, match="500"):
        await sender.handle(envelope)  # the stream processor retries it
    assert not await ProcessedEvents(sender.store).contains(group=GROUP, event_id=envelope.id)
    assert await sender.handle(envelope) == "handled"
    assert await sender.handle(envelope) == "duplicate"

    assert sender.line.attempt_recorded == [True, True]  # each before its request
    assert len(sender.line.delivered) == 1
    [completed] = await completions(sender, envelope.id)
    assert completed.outcome is DeliveryOutcome.ALREADY_ACCEPTED


async def test_a_send_line_refused_for_good_is_sent_afresh_when_replayed(sender: Sender) -> None:
    user = new_user_id()
    envelope = command(user, reply=False)
    sender.line.refuse_next = True

    with pytest.raises(PermanentError):
        await sender.handle(envelope)
    # Recorded as failed without the claim: the replay from the dead-letter topic is not taken
    # for a redelivery of a finished send.
    assert await sender.handle(envelope) == "handled"

    assert len(sender.line.delivered) == 1
    assert [c.outcome for c in await completions(sender, envelope.id)] == [
        DeliveryOutcome.FAILED,
        DeliveryOutcome.SENT,
    ]
