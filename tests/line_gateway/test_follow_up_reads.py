"""What the gateway's follow-ups of `line.inbound` ask mongod per event, on a real mongod and the
real consumer protocol: a text reads the senior's profile state once and nothing else (nothing
ever claims a text, so there is no claim to read), a stale profile is fetched from LINE and saved,
and a voice message reads its claim so that a redelivery fetches its content from LINE only once.

LINE is a small local HTTP server answering the profile and content endpoints the real SDK calls.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from services.common.events import new_event
from services.common.events.contracts.line import MessageReceived, MessageType
from services.common.events.envelope import Envelope
from services.common.kafka.handling import EventHandling, Route
from services.common.store.processed import ProcessedEvents
from services.common.time import utcnow
from services.line_gateway.app import SERVICE, Repositories, read_model_routes
from services.line_gateway.clients.messaging import LineMessaging
from services.line_gateway.settings import LineGatewaySettings
from services.line_gateway.store import all_indexes
from tests.fixtures.line import new_user_id
from tests.fixtures.mongo import CountingStore, scratch_store
from tools.devstack.stack import Stack

PROFILE_STATE = [("find", "line_users")]
PROFILE_SAVED = [("update", "line_users")]
CLAIM_READ = [("find", "processed_events")]


@dataclass
class Line:
    """LINE's profile and message-content endpoints, remembering what was asked."""

    profiles: list[str] = field(default_factory=list)
    contents: list[str] = field(default_factory=list)

    async def profile(self, request: web.Request) -> web.Response:
        user = request.match_info["user"]
        self.profiles.append(user)
        return web.json_response({"userId": user, "displayName": "はなこ", "language": "ja"})

    async def content(self, request: web.Request) -> web.Response:
        self.contents.append(request.match_info["message"])
        return web.Response(body=b"\x00" * 64, content_type="audio/m4a")


@dataclass
class FollowUps:
    store: CountingStore
    handling: EventHandling
    route: Route[Any]
    line: Line

    async def senior(self) -> str:
        """A senior the webhook has recorded (the follow-ups only run after it), no profile yet."""
        user = new_user_id()
        await self.store.db.line_users.insert_one({"_id": user, "following": True})
        return user

    async def handle(self, envelope: Envelope[MessageReceived]) -> str:
        self.store.commands.clear()
        return await self.handling.handle(self.route, envelope)


@pytest.fixture
async def follow_ups(infra: Stack) -> AsyncIterator[FollowUps]:
    async with scratch_store(infra, CountingStore) as store:
        await store.ensure_indexes(all_indexes(webhook_event_retention_days=7))
        line = Line()
        app = web.Application()
        app.router.add_get("/v2/bot/profile/{user}", line.profile)
        app.router.add_get("/v2/bot/message/{message}/content", line.content)
        async with TestServer(app, host="127.0.0.1") as server:
            url = str(server.make_url("")).rstrip("/")
            messaging = LineMessaging(
                base_url=url, data_base_url=url, access_token="t", timeout_seconds=5
            )
            routes = read_model_routes(
                LineGatewaySettings(),
                store=store,
                repos=Repositories.on(store),
                messaging=messaging,
            )
            [message_route] = [r for r in routes if r.contract is MessageReceived]
            try:
                yield FollowUps(
                    store, EventHandling(store=store, group=SERVICE), message_route, line
                )
            finally:
                await messaging.close()


def message(user: str, message_type: MessageType) -> Envelope[MessageReceived]:
    return new_event(
        MessageReceived(
            user_id=user,
            webhook_event_id=f"W{user[-8:]}{message_type}",
            message_id=f"M{user[-8:]}",
            message_type=message_type,
            text="こんにちは" if message_type == "text" else None,
            sent_at=utcnow(),
            duration_ms=3000 if message_type == "audio" else None,
        ),
        source="line_gateway",
    )


async def test_a_text_reads_the_profile_state_once_and_claims_nothing(
    follow_ups: FollowUps,
) -> None:
    user = await follow_ups.senior()
    first = message(user, "text")

    assert await follow_ups.handle(first) == "handled"
    # A new senior: the profile state is read, fetched from LINE, saved; no claim read.
    assert follow_ups.store.commands.targets == PROFILE_STATE + PROFILE_SAVED
    assert follow_ups.line.profiles == [user]

    assert await follow_ups.handle(first) == "handled"  # redelivered: the profile is fresh
    assert follow_ups.store.commands.targets == PROFILE_STATE
    assert follow_ups.line.profiles == [user]
    assert not await ProcessedEvents(follow_ups.store).contains(group=SERVICE, event_id=first.id)


async def test_a_voice_message_reads_its_claim_and_a_redelivery_fetches_nothing(
    follow_ups: FollowUps,
) -> None:
    user = await follow_ups.senior()
    voice = message(user, "audio")

    assert await follow_ups.handle(voice) == "handled"
    assert follow_ups.store.commands.targets[0] == CLAIM_READ[0]
    assert follow_ups.line.contents == [voice.data.message_id]
    assert await ProcessedEvents(follow_ups.store).contains(group=SERVICE, event_id=voice.id)

    assert await follow_ups.handle(voice) == "duplicate"
    assert follow_ups.store.commands.targets == CLAIM_READ
    assert follow_ups.line.contents == [voice.data.message_id]
