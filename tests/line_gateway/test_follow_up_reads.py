"""What the gateway's follow-ups of `line.inbound` ask mongod and LINE per event, on a real mongod
and the real consumer protocol: a text asks neither anything (nothing ever claims a text, and no
LINE profile is fetched), a tap or a follow has no follow-up at all, and a voice message reads its
claim so that a redelivery fetches its content from LINE only once. Profiles that earlier versions
stored are erased by the periodic job, once.

LINE is a small local HTTP server answering the profile and content endpoints the real SDK calls,
so a profile fetched by mistake would be seen.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from services.common.events import new_event
from services.common.events.contracts.line import (
    MessageReceived,
    MessageType,
    PostbackReceived,
    UserFollowed,
)
from services.common.events.envelope import Envelope
from services.common.kafka.handling import EventHandling, Route
from services.common.store.processed import ProcessedEvents
from services.common.time import utcnow
from services.line_gateway.app import SERVICE, Repositories, read_model_routes
from services.line_gateway.clients.messaging import LineMessaging
from services.line_gateway.settings import LineGatewaySettings
from services.line_gateway.store import LineUserRepository, all_indexes
from services.line_gateway.store.line_users import PROFILE_FIELDS
from services.line_gateway.usecases.maintenance import erase_stored_profiles
from tests.fixtures.line import new_user_id
from tests.fixtures.mongo import CountingStore, scratch_store
from tools.devstack.stack import Stack

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
    routes: list[Route[Any]]
    line: Line

    @property
    def route(self) -> Route[Any]:
        [message_route] = [r for r in self.routes if r.contract is MessageReceived]
        return message_route

    async def senior(self) -> str:
        """A senior the webhook has recorded (the follow-ups only run after it)."""
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
            try:
                yield FollowUps(store, EventHandling(store=store, group=SERVICE), routes, line)
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


async def test_a_text_asks_mongod_and_line_nothing(follow_ups: FollowUps) -> None:
    user = await follow_ups.senior()
    first = message(user, "text")

    assert await follow_ups.handle(first) == "handled"
    assert follow_ups.store.commands.targets == []
    assert await follow_ups.handle(first) == "handled"  # redelivered: the same nothing
    assert follow_ups.store.commands.targets == []
    assert follow_ups.line.profiles == []
    assert not await ProcessedEvents(follow_ups.store).contains(group=SERVICE, event_id=first.id)
    stored = await follow_ups.store.db.line_users.find_one({"_id": user})
    assert stored is not None
    assert not set(PROFILE_FIELDS) & set(stored)


def test_taps_and_follows_have_no_follow_up(follow_ups: FollowUps) -> None:
    # Not subscribed: the consumer skips them without a read (counted as not_subscribed).
    assert [r for r in follow_ups.routes if r.contract in (PostbackReceived, UserFollowed)] == []


async def test_profiles_stored_by_earlier_versions_are_erased_once(follow_ups: FollowUps) -> None:
    users = LineUserRepository(follow_ups.store)
    kept_by_old_version, erased_by_old_version, never_had_one = (new_user_id() for _ in range(3))
    await follow_ups.store.db.line_users.insert_many(
        [
            {
                "_id": kept_by_old_version,
                "following": True,
                "display_name": "はなこ",
                "picture_url": "https://profile.line-scdn.net/x",
                "language": "ja",
                "profile_fetched_at": utcnow(),
            },
            # The old retention job set the fields to null rather than removing them.
            {"_id": erased_by_old_version, "following": False, "display_name": None},
            {"_id": never_had_one, "following": True, "messages_received": 3},
        ]
    )

    assert await erase_stored_profiles(users=users) == 2
    assert await erase_stored_profiles(users=users) == 0  # nothing left: no new stamp either

    docs = {d["_id"]: d async for d in follow_ups.store.db.line_users.find({})}
    for user in (kept_by_old_version, erased_by_old_version):
        assert not set(PROFILE_FIELDS) & set(docs[user])
        assert docs[user]["personal_data_erased_at"] is not None
    assert docs[kept_by_old_version]["following"] is True  # only the profile goes
    assert "personal_data_erased_at" not in docs[never_had_one]
    assert docs[never_had_one]["messages_received"] == 3


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
