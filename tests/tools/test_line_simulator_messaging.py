"""The LINE simulator's Messaging API, driven by the real line-bot-sdk client."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import httpx
import pytest
from linebot.v3.messaging import (
    ApiException,
    AsyncApiClient,
    AsyncMessagingApi,
    Configuration,
    MessageAction,
    MulticastRequest,
    PushMessageRequest,
    QuickReply,
    QuickReplyItem,
    ReplyMessageRequest,
    ShowLoadingAnimationRequest,
    TextMessage,
)
from pydantic.v1 import ValidationError as SdkValidationError

from tests.fixtures.servers import (
    ACCESS_TOKEN,
    SDK_TIMEOUT_SECONDS,
    RunningServer,
    WebhookReceiver,
    running,
    simulator_settings,
)
from tools.line_simulator.app import create_app as create_simulator

USER = "U" + "b2" * 16
OTHER = "U" + "c3" * 16
THIRD = "U" + "d4" * 16
HARUKO = "U920334977bcd630e7dc013431d5f48cb"  # デモ 春子 in demo_users.json
OPTS: dict[str, Any] = {"_request_timeout": SDK_TIMEOUT_SECONDS}


def _text(text: str) -> TextMessage:
    return TextMessage(text=text)


def _error(exc: ApiException) -> dict[str, Any]:
    return dict(json.loads(exc.body))


async def _inbox(sim: httpx.AsyncClient, user: str = USER) -> dict[str, Any]:
    return dict((await sim.get(f"/sim/users/{user}/inbox")).json())


async def _reply_token(sim: httpx.AsyncClient, receiver: WebhookReceiver, text: str) -> str:
    await sim.post(f"/sim/users/{USER}/messages", json={"text": text})
    token = receiver.last_event()["replyToken"]
    assert isinstance(token, str)
    return token


async def _raw(sim: httpx.AsyncClient, path: str, body: Any) -> httpx.Response:
    return await sim.post(path, json=body, headers={"Authorization": f"Bearer {ACCESS_TOKEN}"})


async def test_reply_with_the_token_from_the_webhook(
    sim: httpx.AsyncClient, receiver: WebhookReceiver, line_api: AsyncMessagingApi
) -> None:
    token = await _reply_token(sim, receiver, "こんにちは")
    message = TextMessage(
        text="こんにちは！大ちゃんやで。",
        quickReply=QuickReply(
            items=[QuickReplyItem(action=MessageAction(label="元気やで", text="元気やで"))]
        ),
    )

    response = await line_api.reply_message_with_http_info(
        ReplyMessageRequest(replyToken=token, messages=[message]), **OPTS
    )

    assert response.status_code == 200
    request_id = response.headers["x-line-request-id"]
    uuid.UUID(request_id)
    [sent] = response.data.sent_messages
    assert sent.id.isdigit()
    assert sent.quote_token
    [delivery] = (await _inbox(sim))["messages"]
    assert delivery["via"] == "reply"
    assert delivery["requestId"] == request_id
    assert delivery["retryKey"] is None
    assert delivery["replyToken"] == token  # which of the user's events it answers
    assert delivery["messages"][0]["text"] == "こんにちは！大ちゃんやで。"
    assert delivery["messages"][0]["quickReply"]["items"][0]["action"] == {
        "type": "message",
        "label": "元気やで",
        "text": "元気やで",
    }


async def test_a_reply_token_works_once(
    sim: httpx.AsyncClient, receiver: WebhookReceiver, line_api: AsyncMessagingApi
) -> None:
    token = await _reply_token(sim, receiver, "一回だけ")
    request = ReplyMessageRequest(replyToken=token, messages=[_text("はい")])
    await line_api.reply_message(request, **OPTS)

    with pytest.raises(ApiException) as refused:
        await line_api.reply_message(request, **OPTS)

    assert refused.value.status == 400
    assert _error(refused.value) == {"message": "Invalid reply token"}
    assert len((await _inbox(sim))["messages"]) == 1


async def test_unknown_and_revoked_reply_tokens_are_invalid(
    sim: httpx.AsyncClient, receiver: WebhookReceiver, line_api: AsyncMessagingApi
) -> None:
    token = await _reply_token(sim, receiver, "期限切れにしてね")
    expired = await sim.post("/sim/reply-tokens/expire", json={"replyToken": token})
    assert expired.json() == {"expired": 1}

    for candidate in (token, "0" * 32):
        with pytest.raises(ApiException) as refused:
            await line_api.reply_message(
                ReplyMessageRequest(replyToken=candidate, messages=[_text("遅かった")]), **OPTS
            )
        assert refused.value.status == 400
        assert _error(refused.value)["message"] == "Invalid reply token"


async def test_reply_tokens_expire_after_their_ttl(
    receiver_server: tuple[WebhookReceiver, RunningServer],
) -> None:
    _, receiver_http = receiver_server
    app = create_simulator(
        simulator_settings(f"{receiver_http.url}/callback", reply_token_ttl_seconds=0.3)
    )
    with running(app) as short_lived:
        async with (
            httpx.AsyncClient(base_url=short_lived.url) as sim,
            AsyncApiClient(
                Configuration(host=short_lived.url, access_token=ACCESS_TOKEN)
            ) as client,
        ):
            outcome = (await sim.post(f"/sim/users/{USER}/messages", json={"text": "遅い"})).json()
            await asyncio.sleep(0.5)
            with pytest.raises(ApiException) as refused:
                await AsyncMessagingApi(client).reply_message(
                    ReplyMessageRequest(replyToken=outcome["replyToken"], messages=[_text("x")]),
                    **OPTS,
                )

    assert refused.value.status == 400
    assert _error(refused.value)["message"] == "Invalid reply token"


async def test_push_with_a_retry_key_is_delivered_once(
    sim: httpx.AsyncClient, line_api: AsyncMessagingApi
) -> None:
    key = str(uuid.uuid4())
    request = PushMessageRequest(to=USER, messages=[_text("明日は説明会です。")])

    first = await line_api.push_message_with_http_info(request, x_line_retry_key=key, **OPTS)
    with pytest.raises(ApiException) as again:
        await line_api.push_message_with_http_info(request, x_line_retry_key=key, **OPTS)

    assert first.status_code == 200
    assert again.value.status == 409
    assert again.value.headers["x-line-accepted-request-id"] == first.headers["x-line-request-id"]
    assert again.value.headers["x-line-request-id"] != first.headers["x-line-request-id"]
    body = _error(again.value)
    assert body["message"] == "The retry key is already accepted"
    assert [m["id"] for m in body["sentMessages"]] == [m.id for m in first.data.sent_messages]
    [delivery] = (await _inbox(sim))["messages"]
    assert delivery["via"] == "push"
    assert delivery["retryKey"] == key
    consumption = await line_api.get_message_quota_consumption(**OPTS)
    assert consumption.total_usage == 1


async def test_retry_keys_are_case_insensitive_uuids(
    sim: httpx.AsyncClient, line_api: AsyncMessagingApi
) -> None:
    key = str(uuid.uuid4())
    request = PushMessageRequest(to=USER, messages=[_text("x")])
    await line_api.push_message(request, x_line_retry_key=key, **OPTS)

    with pytest.raises(ApiException) as upper:
        await line_api.push_message(request, x_line_retry_key=key.upper(), **OPTS)
    with pytest.raises(ApiException) as not_uuid:
        await line_api.push_message(request, x_line_retry_key="send-42", **OPTS)

    assert upper.value.status == 409
    assert not_uuid.value.status == 400
    assert _error(not_uuid.value)["message"] == "The retry key must be a UUID"


async def test_six_messages_are_refused(
    sim: httpx.AsyncClient, line_api: AsyncMessagingApi
) -> None:
    six = [_text(f"{i}通目") for i in range(6)]
    # line-bot-sdk checks the count itself; `construct` skips that to reach the server's check.
    with pytest.raises(SdkValidationError):
        PushMessageRequest(to=USER, messages=six)

    with pytest.raises(ApiException) as refused:
        await line_api.push_message(PushMessageRequest.construct(to=USER, messages=six), **OPTS)

    assert refused.value.status == 400
    body = _error(refused.value)
    assert body["message"] == "The request body has 1 error(s)"
    assert body["details"] == [{"message": "Size must be between 1 and 5", "property": "messages"}]
    assert (await _inbox(sim))["messages"] == []


@pytest.mark.parametrize(
    ("message", "bad_property"),
    [
        ({"type": "text", "text": "あ" * 5001}, "messages[0].text"),
        ({"type": "text", "text": ""}, "messages[0].text"),
        ({"type": "text"}, "messages[0].text"),
        ({"type": "hologram"}, "messages[0].type"),
        (
            {
                "type": "text",
                "text": "どれにする？",
                "quickReply": {
                    "items": [
                        {
                            "type": "action",
                            "action": {"type": "message", "label": f"{i}", "text": "x"},
                        }
                        for i in range(14)
                    ]
                },
            },
            "messages[0].quickReply.items",
        ),
        (
            {
                "type": "text",
                "text": "どれにする？",
                "quickReply": {
                    "items": [
                        {
                            "type": "action",
                            "action": {"type": "message", "label": "あ" * 21, "text": "x"},
                        }
                    ]
                },
            },
            "messages[0].quickReply.items[0].action.label",
        ),
        (
            {
                "type": "template",
                "altText": "確認",
                "template": {"type": "confirm", "text": "よろしいですか？", "actions": []},
            },
            "messages[0].template.actions",
        ),
    ],
)
async def test_message_limits_are_enforced(
    sim: httpx.AsyncClient, message: dict[str, Any], bad_property: str
) -> None:
    response = await _raw(sim, "/v2/bot/message/push", {"to": USER, "messages": [message]})

    assert response.status_code == 400
    assert bad_property in [d["property"] for d in response.json()["details"]]
    assert (await _inbox(sim))["messages"] == []


async def test_five_thousand_characters_and_thirteen_quick_replies_are_fine(
    sim: httpx.AsyncClient, line_api: AsyncMessagingApi
) -> None:
    items = [QuickReplyItem(action=MessageAction(label="あ" * 20, text=f"{i}")) for i in range(13)]
    message = TextMessage(text="あ" * 5000, quickReply=QuickReply(items=items))

    response = await line_api.push_message_with_http_info(
        PushMessageRequest(to=USER, messages=[message]), **OPTS
    )

    assert response.status_code == 200


async def test_template_and_flex_messages_are_accepted(sim: httpx.AsyncClient) -> None:
    confirm = {
        "type": "template",
        "altText": "予約の確認",
        "template": {
            "type": "confirm",
            "text": "3月5日の説明会を予約しますか？",
            "actions": [
                {"type": "postback", "label": "はい", "data": "book=yes"},
                {"type": "message", "label": "いいえ", "text": "いいえ"},
            ],
        },
    }
    flex = {"type": "flex", "altText": "お知らせ", "contents": {"type": "bubble"}}

    response = await _raw(sim, "/v2/bot/message/push", {"to": USER, "messages": [confirm, flex]})

    assert response.status_code == 200
    assert len(response.json()["sentMessages"]) == 2
    assert (await _inbox(sim))["messages"][0]["messages"] == [confirm, flex]


async def test_a_wrong_access_token_is_refused(
    sim: httpx.AsyncClient, simulator_server: RunningServer
) -> None:
    async with AsyncApiClient(
        Configuration(host=simulator_server.url, access_token="not-the-token")
    ) as client:
        with pytest.raises(ApiException) as refused:
            await AsyncMessagingApi(client).push_message(
                PushMessageRequest(to=USER, messages=[_text("x")]), **OPTS
            )
    no_header = await sim.post("/v2/bot/message/push", json={"to": USER, "messages": []})

    assert refused.value.status == 401
    assert _error(refused.value) == {
        "message": "Authentication failed. Confirm that the access token in the authorization "
        "header is valid."
    }
    assert no_header.status_code == 401
    assert (await _inbox(sim))["messages"] == []


async def test_multicast_delivers_to_friends_only_and_charges_them(
    sim: httpx.AsyncClient, line_api: AsyncMessagingApi
) -> None:
    await sim.post(f"/sim/users/{OTHER}/unfollow")
    key = str(uuid.uuid4())
    request = MulticastRequest(to=[USER, OTHER, THIRD], messages=[_text("防災訓練のお知らせ")])

    response = await line_api.multicast_with_http_info(request, x_line_retry_key=key, **OPTS)
    with pytest.raises(ApiException) as again:
        await line_api.multicast(request, x_line_retry_key=key, **OPTS)

    assert response.status_code == 200
    uuid.UUID(response.headers["x-line-request-id"])
    assert again.value.status == 409
    for friend in (USER, THIRD):
        [delivery] = (await _inbox(sim, friend))["messages"]
        assert delivery["via"] == "multicast"
        assert delivery["messages"] == [{"type": "text", "text": "防災訓練のお知らせ"}]
    blocked = await _inbox(sim, OTHER)
    assert blocked["messages"] == []
    assert len(blocked["undelivered"]) == 1
    assert (await line_api.get_message_quota_consumption(**OPTS)).total_usage == 2


async def test_push_to_a_blocked_user_is_accepted_but_not_delivered(
    sim: httpx.AsyncClient, line_api: AsyncMessagingApi
) -> None:
    await sim.post(f"/sim/users/{USER}/unfollow")

    response = await line_api.push_message_with_http_info(
        PushMessageRequest(to=USER, messages=[_text("届きません")]), **OPTS
    )

    assert response.status_code == 200
    inbox = await _inbox(sim)
    assert inbox["messages"] == []
    assert inbox["undelivered"][0]["messages"][0]["text"] == "届きません"
    assert (await line_api.get_message_quota_consumption(**OPTS)).total_usage == 0


async def test_loading_animation(sim: httpx.AsyncClient, line_api: AsyncMessagingApi) -> None:
    response = await line_api.show_loading_animation_with_http_info(
        ShowLoadingAnimationRequest(chatId=USER, loadingSeconds=10), **OPTS
    )

    assert response.status_code == 202
    loading = (await sim.get(f"/sim/loading/{USER}")).json()
    assert loading["active"] is True
    assert [call["loadingSeconds"] for call in loading["calls"]] == [10]

    await line_api.push_message(PushMessageRequest(to=USER, messages=[_text("お待たせ")]), **OPTS)
    assert (await sim.get(f"/sim/loading/{USER}")).json()["active"] is False


async def test_loading_seconds_must_be_a_multiple_of_five(
    sim: httpx.AsyncClient, line_api: AsyncMessagingApi
) -> None:
    with pytest.raises(ApiException) as refused:
        await line_api.show_loading_animation(
            ShowLoadingAnimationRequest(chatId=USER, loadingSeconds=7), **OPTS
        )

    assert refused.value.status == 400
    assert _error(refused.value)["details"][0]["property"] == "loadingSeconds"
    assert (await sim.get(f"/sim/loading/{USER}")).json()["calls"] == []


async def test_profiles_of_friends_only(
    sim: httpx.AsyncClient, line_api: AsyncMessagingApi
) -> None:
    profile = await line_api.get_profile(HARUKO, **OPTS)
    with pytest.raises(ApiException) as unknown:
        await line_api.get_profile("U" + "9" * 32, **OPTS)
    await sim.post(f"/sim/users/{HARUKO}/unfollow")
    with pytest.raises(ApiException) as blocked:
        await line_api.get_profile(HARUKO, **OPTS)

    assert profile.user_id == HARUKO
    assert profile.display_name == "デモ 春子"
    assert profile.language == "ja"
    assert unknown.value.status == 404
    assert _error(unknown.value) == {"message": "Not found"}
    assert blocked.value.status == 404


async def test_monthly_quota(
    sim: httpx.AsyncClient, receiver: WebhookReceiver, line_api: AsyncMessagingApi
) -> None:
    quota = await line_api.get_message_quota(**OPTS)
    assert (quota.type, quota.value) == ("limited", 5000)

    await sim.post("/sim/quota", json={"limit": 1, "used": 0})
    await line_api.push_message(PushMessageRequest(to=USER, messages=[_text("一通目")]), **OPTS)
    with pytest.raises(ApiException) as exhausted:
        await line_api.push_message(PushMessageRequest(to=USER, messages=[_text("二通目")]), **OPTS)
    # Replies cost nothing, so they still go out once the allowance is spent.
    token = await _reply_token(sim, receiver, "返事はできる？")
    await line_api.reply_message(
        ReplyMessageRequest(replyToken=token, messages=[_text("はい")]), **OPTS
    )

    assert exhausted.value.status == 429
    assert _error(exhausted.value) == {"message": "You have reached your monthly limit."}
    assert (await line_api.get_message_quota(**OPTS)).value == 1
    assert (await line_api.get_message_quota_consumption(**OPTS)).total_usage == 1
    assert [d["via"] for d in (await _inbox(sim))["messages"]] == ["push", "reply"]


async def test_request_log_records_calls(
    sim: httpx.AsyncClient, line_api: AsyncMessagingApi
) -> None:
    key = str(uuid.uuid4())
    await line_api.push_message(
        PushMessageRequest(to=USER, messages=[_text("記録してね")]), x_line_retry_key=key, **OPTS
    )
    with pytest.raises(ApiException):
        await line_api.get_profile("U" + "8" * 32, **OPTS)

    log = (await sim.get("/sim/requests", params={"limit": 2})).json()["requests"]

    assert [(e["endpoint"], e["status"]) for e in log] == [("push", 200), ("profile", 404)]
    assert log[0]["retryKey"] == key
    assert log[0]["path"] == "/v2/bot/message/push"
    assert log[1]["retryKey"] is None
