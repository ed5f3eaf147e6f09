"""The LINE simulator as a webhook sender: signed, LINE-shaped events the gateway can parse."""

from __future__ import annotations

import base64
import json
import re
import time
from typing import Any

import httpx
from linebot.v3.messaging import AsyncApiClient, AsyncMessagingApiBlob, Configuration

from services.line_gateway.domain.signature import is_valid_signature
from services.line_gateway.domain.webhook import WebhookBody
from tests.fixtures.servers import (
    ACCESS_TOKEN,
    CHANNEL_SECRET,
    RunningServer,
    WebhookReceiver,
    running,
    simulator_settings,
)
from tools.line_simulator.app import create_app as create_simulator

USER = "U" + "a1" * 16
ULID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")


async def _say(sim: httpx.AsyncClient, text: str, user: str = USER) -> dict[str, Any]:
    response = await sim.post(f"/sim/users/{user}/messages", json={"text": text})
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_message_webhook_is_signed_with_the_channel_secret(
    sim: httpx.AsyncClient, receiver: WebhookReceiver
) -> None:
    outcome = await _say(sim, "こんにちは")

    assert outcome["status"] == 200
    hit = receiver.received[-1]
    assert is_valid_signature(hit["body"], hit["signature"], CHANNEL_SECRET)
    assert not is_valid_signature(hit["body"], hit["signature"], "some-other-secret")
    assert hit["headers"]["content-type"].startswith("application/json")


async def test_message_webhook_has_lines_shape(
    sim: httpx.AsyncClient, receiver: WebhookReceiver
) -> None:
    before_ms = int(time.time() * 1000)
    outcome = await _say(sim, "今日はええ天気やね")

    body = json.loads(receiver.received[-1]["body"])
    assert re.fullmatch(r"U[0-9a-f]{32}", body["destination"])
    [event] = body["events"]
    assert event["type"] == "message"
    assert event["mode"] == "active"
    assert ULID.fullmatch(event["webhookEventId"])
    assert event["webhookEventId"] == outcome["webhookEventId"]
    assert event["deliveryContext"] == {"isRedelivery": False}
    assert event["source"] == {"type": "user", "userId": USER}
    assert event["replyToken"] == outcome["replyToken"]
    assert before_ms - 1000 <= event["timestamp"] <= int(time.time() * 1000) + 1000
    message = event["message"]
    assert message["type"] == "text"
    assert message["text"] == "今日はええ天気やね"
    assert message["id"].isdigit()
    assert message["id"] == outcome["messageId"]
    assert message["quoteToken"]


async def test_each_message_gets_fresh_ids_and_reply_token(
    sim: httpx.AsyncClient, receiver: WebhookReceiver
) -> None:
    first = await _say(sim, "一つ目")
    second = await _say(sim, "二つ目")

    assert first["webhookEventId"] != second["webhookEventId"]
    assert first["replyToken"] != second["replyToken"]
    assert int(second["messageId"]) > int(first["messageId"])


async def test_the_gateways_own_model_parses_the_webhook(
    sim: httpx.AsyncClient, receiver: WebhookReceiver
) -> None:
    await _say(sim, "よろしくね")

    parsed = WebhookBody.model_validate_json(receiver.received[-1]["body"])
    assert parsed.events[0].message is not None
    assert parsed.events[0].message.text == "よろしくね"
    assert parsed.events[0].delivery_context.is_redelivery is False


async def test_follow_unfollow_and_unblock(
    sim: httpx.AsyncClient, receiver: WebhookReceiver
) -> None:
    followed = (
        await sim.post(f"/sim/users/{USER}/follow", json={"displayName": "テスト 花子"})
    ).json()
    follow_event = receiver.last_event()
    assert followed["status"] == 200
    assert follow_event["type"] == "follow"
    assert follow_event["follow"] == {"isUnblocked": False}
    assert follow_event["replyToken"] == followed["replyToken"]

    unfollowed = (await sim.post(f"/sim/users/{USER}/unfollow")).json()
    unfollow_event = receiver.last_event()
    assert unfollowed["status"] == 200
    assert unfollow_event["type"] == "unfollow"
    assert "replyToken" not in unfollow_event
    users = {u["userId"]: u for u in (await sim.get("/sim/users")).json()["users"]}
    assert users[USER]["following"] is False
    assert users[USER]["displayName"] == "テスト 花子"

    await sim.post(f"/sim/users/{USER}/follow")
    assert receiver.last_event()["follow"] == {"isUnblocked": True}


async def test_a_blocked_user_cannot_send_messages(
    sim: httpx.AsyncClient, receiver: WebhookReceiver
) -> None:
    await sim.post(f"/sim/users/{USER}/unfollow")
    received = len(receiver.received)

    response = await sim.post(f"/sim/users/{USER}/messages", json={"text": "届く？"})

    assert response.status_code == 409
    assert len(receiver.received) == received


async def test_redelivery_repeats_the_event_marked_as_redelivered(
    sim: httpx.AsyncClient, receiver: WebhookReceiver
) -> None:
    original = await _say(sim, "もう一回届く？")

    redelivered = await sim.post(f"/sim/events/{original['webhookEventId']}/redeliver")

    assert redelivered.status_code == 200
    assert redelivered.json()["webhookEventId"] == original["webhookEventId"]
    assert redelivered.json()["status"] == 200
    first, second = receiver.events()[-2:]
    assert second["webhookEventId"] == first["webhookEventId"]
    assert second["replyToken"] == first["replyToken"]
    assert second["message"] == first["message"]
    assert first["deliveryContext"] == {"isRedelivery": False}
    assert second["deliveryContext"] == {"isRedelivery": True}
    assert is_valid_signature(
        receiver.received[-1]["body"], receiver.received[-1]["signature"], CHANNEL_SECRET
    )


async def test_redelivery_of_an_unknown_event_is_404(sim: httpx.AsyncClient) -> None:
    response = await sim.post("/sim/events/01HZZZZZZZZZZZZZZZZZZZZZZZ/redeliver")
    assert response.status_code == 404


async def test_postback_event(sim: httpx.AsyncClient, receiver: WebhookReceiver) -> None:
    outcome = await sim.post(
        f"/sim/users/{USER}/postbacks",
        json={"data": "action=book&session=42", "displayText": "予約する"},
    )

    assert outcome.json()["status"] == 200
    event = receiver.last_event()
    assert event["type"] == "postback"
    assert event["postback"] == {"data": "action=book&session=42"}
    assert event["replyToken"] == outcome.json()["replyToken"]


async def test_sticker_and_location_events(
    sim: httpx.AsyncClient, receiver: WebhookReceiver
) -> None:
    await sim.post(
        f"/sim/users/{USER}/messages",
        json={"type": "sticker", "packageId": "11537", "stickerId": "52002734"},
    )
    sticker = receiver.last_event()["message"]
    await sim.post(f"/sim/users/{USER}/messages", json={"type": "location", "title": "大阪城"})
    location = receiver.last_event()["message"]

    assert sticker["type"] == "sticker"
    assert (sticker["packageId"], sticker["stickerId"]) == ("11537", "52002734")
    assert location["type"] == "location"
    assert location["title"] == "大阪城"
    assert isinstance(location["latitude"], float)


async def test_voice_message_content_downloads_through_the_sdk(
    sim: httpx.AsyncClient, receiver: WebhookReceiver, simulator_server: RunningServer
) -> None:
    audio = b"RIFF-not-really-audio"
    outcome = await sim.post(
        f"/sim/users/{USER}/messages",
        json={
            "type": "audio",
            "duration": 2500,
            "contentBase64": base64.b64encode(audio).decode(),
            "contentType": "audio/x-m4a",
        },
    )
    event = receiver.last_event()
    assert event["message"]["type"] == "audio"
    assert event["message"]["duration"] == 2500

    async with AsyncApiClient(
        Configuration(host=simulator_server.url, access_token=ACCESS_TOKEN)
    ) as client:
        blob = AsyncMessagingApiBlob(client)
        content = await blob.get_message_content(outcome.json()["messageId"], _request_timeout=5)
    assert bytes(content) == audio


async def test_image_without_given_content_serves_a_png(
    sim: httpx.AsyncClient, receiver: WebhookReceiver
) -> None:
    outcome = await sim.post(f"/sim/users/{USER}/messages", json={"type": "image"})

    response = await sim.get(
        f"/v2/bot/message/{outcome.json()['messageId']}/content",
        headers={"Authorization": f"Bearer {ACCESS_TOKEN}"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.content.startswith(b"\x89PNG")


async def test_raw_webhook_reports_the_gateways_answer(
    sim: httpx.AsyncClient, receiver: WebhookReceiver
) -> None:
    body = '{"destination":"U0000000000000000000000000000b07a","events":[]}'

    signed = (await sim.post("/sim/webhook/raw", json={"body": body})).json()
    forged = (await sim.post("/sim/webhook/raw", json={"body": body, "signature": "bad"})).json()

    assert signed["status"] == 200
    assert forged["status"] == 401
    assert "Invalid signature" in forged["body"]
    assert receiver.received[-1]["body"] == body.encode()


async def test_gateway_errors_are_reported_not_hidden(
    sim: httpx.AsyncClient, receiver: WebhookReceiver
) -> None:
    receiver.answer_status = 503

    outcome = await _say(sim, "失敗するかな")

    assert outcome["status"] == 503


async def test_unreachable_gateway_is_status_0(receiver: WebhookReceiver) -> None:
    # Port 9 (discard) is closed on test machines: the connection is refused at once.
    app = create_simulator(simulator_settings("http://127.0.0.1:9/callback"))
    with running(app) as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
            outcome = (
                await client.post(f"/sim/users/{USER}/messages", json={"text": "誰か"})
            ).json()

    assert outcome["status"] == 0
    assert outcome["error"]
