"""Every LINE webhook event on the real stack: published, answered, or knowingly ignored."""

from __future__ import annotations

import asyncio
import base64
from datetime import datetime
from typing import Any

from services.common.events.contracts.line import (
    AudioFetched,
    MessageReceived,
    PostbackReceived,
    UserFollowed,
    UserUnfollowed,
)
from services.line_gateway.domain import texts
from services.line_gateway.store.line_users import PROFILE_FIELDS
from tests.fixtures.line import Simulator, gateway_body, new_user_id
from tests.fixtures.line import texts as inbox_texts
from tests.fixtures.waiting import eventually
from tests.line_gateway.support import (
    events_for,
    gateway_user,
    metric,
    metrics,
    raw_event,
    signed_body,
    wait_for_events,
)
from tools.devstack.stack import Stack


async def test_every_message_type_is_published_with_its_type(
    simulator: Simulator, stack: Stack
) -> None:
    user = new_user_id()
    bodies: list[dict[str, Any]] = [
        {"text": "こんにちは"},
        {"type": "sticker"},
        {"type": "image"},
        {"type": "video", "duration": 4000},
        {"type": "location", "title": "大阪城公園"},
        {"type": "file"},
    ]
    for body in bodies:
        sent = await simulator.send(user, body)
        assert sent["status"] == 200, sent
        assert gateway_body(sent) == {"accepted": 1, "duplicates": 0, "ignored": 0}

    received = await wait_for_events(stack, "line.inbound", user, kind=MessageReceived, count=6)

    assert [m.message_type for m in received] == [
        "text",
        "sticker",
        "image",
        "video",
        "location",
        "file",
    ]
    assert received[0].text == "こんにちは"
    assert received[3].duration_ms == 4000
    assert all(m.reply_token and m.reply_token_expires_at for m in received)
    stored = await gateway_user(stack, user)
    assert stored is not None
    assert stored["messages_received"] == 6


async def test_a_voice_message_is_fetched_and_handed_on_for_transcription(
    simulator: Simulator, stack: Stack
) -> None:
    user = new_user_id()
    voice = b"RIFF-fake-voice-bytes"
    sent = await simulator.send(
        user,
        {
            "type": "audio",
            "duration": 2500,
            "contentBase64": base64.b64encode(voice).decode(),
            "contentType": "audio/m4a",
        },
    )

    [fetched] = await wait_for_events(stack, "line.inbound", user, kind=AudioFetched)

    assert fetched.message_id == sent["messageId"]
    assert base64.b64decode(fetched.audio_base64) == voice
    assert fetched.content_type == "audio/m4a"
    assert fetched.duration_ms == 2500
    assert fetched.reply_token == sent["replyToken"]


async def test_a_voice_message_that_is_too_long_gets_a_kind_request(
    simulator: Simulator, stack: Stack
) -> None:
    user = new_user_id()
    await simulator.send(user, {"type": "audio", "duration": 180_000})

    # (Until ai_chat stops answering audio messages itself, its fixed answer may come too.)
    inbox = await eventually(
        lambda: simulator.inbox(user), lambda found: texts.AUDIO_TOO_LONG in inbox_texts(found)
    )

    assert texts.AUDIO_TOO_LONG in inbox_texts(inbox)
    await asyncio.sleep(1.5)
    assert not [
        e for e in await events_for(stack, "line.inbound", user) if isinstance(e, AudioFetched)
    ]


async def test_the_loading_animation_shows_while_dai_chan_thinks(simulator: Simulator) -> None:
    user = new_user_id()
    await simulator.send_text(user, "今日の天気は？")

    loading = await eventually(
        lambda: simulator.http.get(f"/sim/loading/{user}"),
        lambda response: bool(response.json()["calls"]),
    )

    [call] = loading.json()["calls"]
    assert call["loadingSeconds"] == 20
    # The sender takes the request ahead of the answer, in the senior's lane: never after it.
    [answer, *_] = await simulator.wait_for_inbox(user)
    assert datetime.fromisoformat(call["at"]) <= datetime.fromisoformat(answer["at"])
    # Stickers get a fixed answer at once: no animation for them.
    other = new_user_id()
    await simulator.send(other, {"type": "sticker"})
    await simulator.wait_for_inbox(other)
    assert (await simulator.http.get(f"/sim/loading/{other}")).json()["calls"] == []


async def test_follow_tells_a_new_friend_from_an_unblock_and_unfollow_stops_it(
    simulator: Simulator, stack: Stack
) -> None:
    user = new_user_id()
    await simulator.follow(user)
    await simulator.unfollow(user)
    await simulator.follow(user)

    followed = await wait_for_events(stack, "line.inbound", user, kind=UserFollowed, count=2)
    [unfollowed] = await wait_for_events(stack, "line.inbound", user, kind=UserUnfollowed)

    assert [f.is_unblocked for f in followed] == [False, True]
    assert followed[0].reply_token
    assert unfollowed.user_id == user
    stored = await gateway_user(stack, user)
    assert stored is not None
    assert stored["following"] is True
    assert stored["unblocked_count"] == 1
    assert stored["first_followed_at"] < stored["followed_at"]


async def test_no_line_profile_is_fetched_or_kept(simulator: Simulator, stack: Stack) -> None:
    user = new_user_id()
    await simulator.http.put(f"/sim/users/{user}", json={"displayName": "テスト 花子"})
    await simulator.follow(user)
    await simulator.send_text(user, "こんにちは")
    # The greeting and the answer have come through the sender, so its follow-ups of the follow
    # and the text (where an earlier version fetched the profile) have run.
    assert len(await simulator.settled_inbox(user, count=2)) >= 2

    stored = await gateway_user(stack, user)
    assert stored is not None
    assert stored["messages_received"] == 1
    assert not set(PROFILE_FIELDS) & set(stored)
    log = (await simulator.http.get("/sim/requests", params={"limit": 1000})).json()["requests"]
    assert [r for r in log if user in r["path"] and "/profile/" in r["path"]] == []


async def test_a_postback_is_published_with_its_data_and_params(
    simulator: Simulator, stack: Stack
) -> None:
    user = new_user_id()
    sent = await simulator._post(
        f"/sim/users/{user}/postbacks",
        {"data": "lending:book?session=S1", "params": {"date": "2025-06-01"}},
    )
    assert sent["status"] == 200

    [postback] = await wait_for_events(stack, "line.inbound", user, kind=PostbackReceived)

    assert postback.data == "lending:book?session=S1"
    assert postback.params == {"date": "2025-06-01"}
    assert postback.reply_token == sent["replyToken"]


async def test_link_help_from_the_menu_is_answered_by_the_gateway(simulator: Simulator) -> None:
    user = new_user_id()
    await simulator._post(f"/sim/users/{user}/postbacks", {"data": "line:link_help"})

    inbox = await simulator.settled_inbox(user)

    assert inbox_texts(inbox) == [texts.LINK_HELP]
    assert inbox[0]["via"] == "reply"


async def test_a_group_gets_one_polite_note_and_nothing_else(
    simulator: Simulator, stack: Stack
) -> None:
    group = "C" + new_user_id()[1:]
    joined = await simulator._post(f"/sim/groups/{group}/join")
    said = await simulator._post(
        f"/sim/groups/{group}/messages", {"userId": new_user_id(), "text": "みなさん こんにちは"}
    )

    assert joined["status"] == said["status"] == 200
    assert gateway_body(said) == {"accepted": 0, "duplicates": 0, "ignored": 1}

    async def group_inbox() -> list[dict[str, Any]]:
        return list((await simulator.http.get(f"/sim/groups/{group}/inbox")).json()["messages"])

    await eventually(group_inbox, bool)
    await asyncio.sleep(2)
    inbox = await group_inbox()
    assert len(inbox) == 1
    assert inbox[0]["via"] == "reply"
    assert inbox_texts(inbox) == [texts.GROUP_NOTE]
    assert await events_for(stack, "line.inbound", group) == []


async def test_standby_account_link_and_unknown_events_are_acknowledged_and_ignored(
    simulator: Simulator, stack: Stack
) -> None:
    user = new_user_id()
    source = {"type": "user", "userId": user}
    events = [
        raw_event(
            "message",
            mode="standby",
            source=source,
            message={"id": "1", "type": "text", "text": "待機中"},
        ),
        raw_event(
            "accountLink", source=source, replyToken="a" * 32, link={"result": "ok", "nonce": "n"}
        ),
        raw_event("unsend", source=source, unsend={"messageId": "1"}),
        raw_event("somethingNew", source=source),
    ]

    answered = await simulator.raw_webhook(signed_body(events))

    assert answered["status"] == 200
    assert gateway_body(answered) == {"accepted": 0, "duplicates": 0, "ignored": 4}
    await asyncio.sleep(1.5)
    assert await events_for(stack, "line.inbound", user) == []
    text = await metrics(stack)
    assert (
        metric(
            text,
            "sslp_line_webhook_events_total",
            {"type": "message", "outcome": "ignored_standby"},
        )
        >= 1
    )
    assert metric(text, "sslp_line_webhook_events_total", {"type": "accountLink"}) >= 1
    assert (
        metric(
            text,
            "sslp_line_webhook_events_total",
            {"type": "other", "outcome": "ignored_unknown_event_type"},
        )
        >= 1
    )


async def test_a_redelivered_postback_is_published_once(simulator: Simulator, stack: Stack) -> None:
    user = new_user_id()
    sent = await simulator._post(f"/sim/users/{user}/postbacks", {"data": "daichan:sessions"})

    again = await simulator.redeliver(sent["webhookEventId"])

    assert gateway_body(again) == {"accepted": 0, "duplicates": 1, "ignored": 0}
    published = await wait_for_events(
        stack, "line.inbound", user, kind=PostbackReceived, timeout=30.0
    )
    assert published, "the first delivery was never published"
    await asyncio.sleep(1.5)
    postbacks = [
        e for e in await events_for(stack, "line.inbound", user) if isinstance(e, PostbackReceived)
    ]
    # Two with one webhook event id would be a relay resend; two ids, a failed de-duplication.
    assert len(postbacks) == 1, [p.webhook_event_id for p in postbacks]


async def test_metrics_show_webhook_events_by_type(simulator: Simulator, stack: Stack) -> None:
    user = new_user_id()
    await simulator.follow(user)
    await simulator.send_text(user, "こんにちは")
    text = await metrics(stack)
    for event_type in ("follow", "message"):
        assert (
            metric(
                text, "sslp_line_webhook_events_total", {"type": event_type, "outcome": "published"}
            )
            >= 1
        )
