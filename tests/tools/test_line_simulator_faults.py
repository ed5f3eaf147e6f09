"""Injected faults: rate limits, server errors, and failures after LINE already accepted a send."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

import httpx
import pytest
from linebot.v3.messaging import (
    ApiException,
    AsyncMessagingApi,
    PushMessageRequest,
    ReplyMessageRequest,
    ShowLoadingAnimationRequest,
    TextMessage,
)

from tests.fixtures.servers import SDK_TIMEOUT_SECONDS, WebhookReceiver

USER = "U" + "e5" * 16
OPTS: dict[str, Any] = {"_request_timeout": SDK_TIMEOUT_SECONDS}


def _push(text: str) -> PushMessageRequest:
    return PushMessageRequest(to=USER, messages=[TextMessage(text=text)])


async def _delivered(sim: httpx.AsyncClient) -> list[str]:
    inbox = (await sim.get(f"/sim/users/{USER}/inbox")).json()
    return [m["text"] for delivery in inbox["messages"] for m in delivery["messages"]]


async def _fault(sim: httpx.AsyncClient, **fault: Any) -> None:
    response = await sim.post("/sim/faults", json=fault)
    assert response.status_code == 200, response.text


async def test_rate_limit_once_then_success(
    sim: httpx.AsyncClient, line_api: AsyncMessagingApi
) -> None:
    await _fault(sim, endpoint="push", status=429, times=1)

    with pytest.raises(ApiException) as limited:
        await line_api.push_message(_push("一回目"), **OPTS)
    await line_api.push_message(_push("二回目"), **OPTS)

    assert limited.value.status == 429
    assert json.loads(limited.value.body) == {
        "message": "The API rate limit has been exceeded. Try again later."
    }
    assert await _delivered(sim) == ["二回目"]
    assert (await sim.get("/sim/faults")).json()["faults"] == []


async def test_a_fault_counts_down_its_times(
    sim: httpx.AsyncClient, line_api: AsyncMessagingApi
) -> None:
    await _fault(sim, endpoint="push", status=500, times=2)

    statuses = []
    for attempt in range(3):
        try:
            await line_api.push_message(_push(f"{attempt}"), **OPTS)
            statuses.append(200)
        except ApiException as exc:
            statuses.append(exc.status)

    assert statuses == [500, 500, 200]
    assert await _delivered(sim) == ["2"]


async def test_failure_after_accept_delivers_and_remembers_the_retry_key(
    sim: httpx.AsyncClient, line_api: AsyncMessagingApi
) -> None:
    await _fault(sim, endpoint="push", status=500, afterAccept=True)
    key = str(uuid.uuid4())

    with pytest.raises(ApiException) as crashed:
        await line_api.push_message(_push("大事なお知らせ"), x_line_retry_key=key, **OPTS)
    with pytest.raises(ApiException) as retried:
        await line_api.push_message(_push("大事なお知らせ"), x_line_retry_key=key, **OPTS)

    assert crashed.value.status == 500
    assert retried.value.status == 409
    assert await _delivered(sim) == ["大事なお知らせ"]


async def test_timeout_after_accept_delivers_while_the_client_gives_up(
    sim: httpx.AsyncClient, line_api: AsyncMessagingApi
) -> None:
    await _fault(sim, endpoint="push", delaySeconds=1.0, afterAccept=True)
    key = str(uuid.uuid4())

    started = time.monotonic()
    with pytest.raises(asyncio.TimeoutError):
        await line_api.push_message(
            _push("時間切れでも届く"), x_line_retry_key=key, _request_timeout=0.3
        )
    assert time.monotonic() - started < 0.9
    assert await _delivered(sim) == ["時間切れでも届く"]

    with pytest.raises(ApiException) as retried:
        await line_api.push_message(_push("時間切れでも届く"), x_line_retry_key=key, **OPTS)
    assert retried.value.status == 409
    assert await _delivered(sim) == ["時間切れでも届く"]


async def test_reply_failure_after_accept_uses_up_the_token(
    sim: httpx.AsyncClient, receiver: WebhookReceiver, line_api: AsyncMessagingApi
) -> None:
    await sim.post(f"/sim/users/{USER}/messages", json={"text": "返事ちょうだい"})
    token = receiver.last_event()["replyToken"]
    await _fault(sim, endpoint="reply", status=500, afterAccept=True)
    request = ReplyMessageRequest(replyToken=token, messages=[TextMessage(text="はいよ")])

    with pytest.raises(ApiException) as crashed:
        await line_api.reply_message(request, **OPTS)
    with pytest.raises(ApiException) as retried:
        await line_api.reply_message(request, **OPTS)

    assert crashed.value.status == 500
    assert retried.value.status == 400
    assert json.loads(retried.value.body)["message"] == "Invalid reply token"
    assert await _delivered(sim) == ["はいよ"]


async def test_a_plain_fault_changes_nothing(
    sim: httpx.AsyncClient, receiver: WebhookReceiver, line_api: AsyncMessagingApi
) -> None:
    await sim.post(f"/sim/users/{USER}/messages", json={"text": "もしもし"})
    token = receiver.last_event()["replyToken"]
    await _fault(sim, endpoint="reply", status=500)
    request = ReplyMessageRequest(replyToken=token, messages=[TextMessage(text="はい")])

    with pytest.raises(ApiException):
        await line_api.reply_message(request, **OPTS)
    await line_api.reply_message(request, **OPTS)

    assert await _delivered(sim) == ["はい"]


async def test_delay_without_status_slows_a_successful_call(
    sim: httpx.AsyncClient, line_api: AsyncMessagingApi
) -> None:
    await _fault(sim, endpoint="loading", delaySeconds=0.3)

    started = time.monotonic()
    response = await line_api.show_loading_animation_with_http_info(
        ShowLoadingAnimationRequest(chatId=USER, loadingSeconds=5), **OPTS
    )

    assert response.status_code == 202
    assert time.monotonic() - started >= 0.3


async def test_custom_fault_body(sim: httpx.AsyncClient, line_api: AsyncMessagingApi) -> None:
    await _fault(sim, endpoint="profile", status=503, body={"message": "メンテナンス中"})

    with pytest.raises(ApiException) as unavailable:
        await line_api.get_profile(USER, **OPTS)

    assert unavailable.value.status == 503
    assert json.loads(unavailable.value.body) == {"message": "メンテナンス中"}


async def test_faults_are_listed_and_cleared(
    sim: httpx.AsyncClient, line_api: AsyncMessagingApi
) -> None:
    await _fault(sim, endpoint="push", status=500, times=3)
    await _fault(sim, endpoint="multicast", status=429)
    listed = (await sim.get("/sim/faults")).json()["faults"]
    assert [(f["endpoint"], f["times"]) for f in listed] == [("push", 3), ("multicast", 1)]

    await sim.delete("/sim/faults")
    await line_api.push_message(_push("通った"), **OPTS)

    assert (await sim.get("/sim/faults")).json()["faults"] == []
    assert await _delivered(sim) == ["通った"]


@pytest.mark.parametrize(
    "fault",
    [
        {"endpoint": "push"},
        {"endpoint": "broadcast", "status": 500},
        {"endpoint": "push", "status": 500, "times": 0},
        {"endpoint": "push", "status": 500, "retries": 1},
    ],
)
async def test_malformed_faults_are_refused(sim: httpx.AsyncClient, fault: dict[str, Any]) -> None:
    response = await sim.post("/sim/faults", json=fault)

    assert response.status_code == 422
    assert (await sim.get("/sim/faults")).json()["faults"] == []


async def test_reset_forgets_everything_but_the_demo_users(
    sim: httpx.AsyncClient, line_api: AsyncMessagingApi
) -> None:
    await line_api.push_message(_push("消える"), x_line_retry_key=str(uuid.uuid4()), **OPTS)
    await _fault(sim, endpoint="push", status=500)
    await sim.post("/sim/quota", json={"limit": 10, "used": 3})

    reset = await sim.post("/sim/reset")

    assert reset.json() == {"status": "reset", "users": 6}
    assert await _delivered(sim) == []
    assert (await sim.get("/sim/faults")).json()["faults"] == []
    assert (await sim.get("/sim/quota")).json() == {"limit": 5000, "used": 0}
    assert (await sim.get("/sim/requests")).json()["requests"] == []
