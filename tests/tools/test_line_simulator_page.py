"""The demo side of the LINE simulator: the chat page, the demo seniors, the conversation feed."""

from __future__ import annotations

import re
from typing import Any

import httpx
from linebot.v3.messaging import (
    AsyncMessagingApi,
    PushMessageRequest,
    ShowLoadingAnimationRequest,
    TextMessage,
)

from tests.fixtures.servers import SDK_TIMEOUT_SECONDS, WebhookReceiver

USER = "U" + "f6" * 16
OPTS: dict[str, Any] = {"_request_timeout": SDK_TIMEOUT_SECONDS}
AREAS = {"大阪市生野区", "大阪市東住吉区", "大阪市住吉区", "大阪市阿倍野区", "泉大津市"}


async def test_the_chat_page_is_served_in_japanese(sim: httpx.AsyncClient) -> None:
    page = await sim.get("/")
    script = await sim.get("/static/app.js")
    style = await sim.get("/static/style.css")

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<html lang="ja">' in page.text
    assert "開発用のシミュレーター" in page.text
    assert "送信" in page.text
    assert "/static/app.js" in page.text
    assert script.status_code == 200
    assert "javascript" in script.headers["content-type"]
    assert "/sim/users/" in script.text
    assert style.status_code == 200


async def test_demo_seniors_live_in_the_programme_areas(sim: httpx.AsyncClient) -> None:
    users = (await sim.get("/sim/users")).json()["users"]

    assert len(users) == 6
    assert all(re.fullmatch(r"U[0-9a-f]{32}", u["userId"]) for u in users)
    assert len({u["userId"] for u in users}) == 6
    assert {u["area"] for u in users} == AREAS
    assert {u["cohort"] for u in users} == {"phase-4-demo"}
    assert all(re.fullmatch(r"4001000[1-6]", u["linkCode"]) for u in users)
    assert all(u["demo"] and u["following"] for u in users)
    assert all(re.search(r"[ぁ-んァ-ン一-龥]", u["displayName"]) for u in users)


async def test_conversation_feed_has_both_sides_in_order(
    sim: httpx.AsyncClient, receiver: WebhookReceiver, line_api: AsyncMessagingApi
) -> None:
    await sim.post(f"/sim/users/{USER}/messages", json={"text": "おはよう"})
    await line_api.show_loading_animation(
        ShowLoadingAnimationRequest(chatId=USER, loadingSeconds=20), **OPTS
    )
    feed = (await sim.get(f"/sim/users/{USER}/conversation")).json()
    assert feed["loading"]["active"] is True

    await line_api.push_message(
        PushMessageRequest(to=USER, messages=[TextMessage(text="おはようさん！")]), **OPTS
    )
    later = (
        await sim.get(f"/sim/users/{USER}/conversation", params={"after": feed["lastSeq"]})
    ).json()

    [said] = feed["items"]
    assert (said["from"], said["kind"], said["message"]["text"]) == ("user", "message", "おはよう")
    [answered] = later["items"]
    assert (answered["from"], answered["kind"], answered["delivered"]) == ("bot", "delivery", True)
    assert answered["messages"][0]["text"] == "おはようさん！"
    assert answered["seq"] > said["seq"]
    assert later["loading"]["active"] is False
    assert later["user"]["following"] is True


async def test_put_user_creates_a_friend_without_a_webhook(
    sim: httpx.AsyncClient, receiver: WebhookReceiver, line_api: AsyncMessagingApi
) -> None:
    response = await sim.put(f"/sim/users/{USER}", json={"displayName": "テスト 一郎"})

    assert response.json()["user"]["following"] is True
    assert receiver.received == []
    assert (await line_api.get_profile(USER, **OPTS)).display_name == "テスト 一郎"


async def test_control_api_checks_user_ids(sim: httpx.AsyncClient) -> None:
    bad = await sim.post("/sim/users/not-a-line-id/messages", json={"text": "x"})
    no_text = await sim.post(f"/sim/users/{USER}/messages", json={"type": "text"})

    assert bad.status_code == 422
    assert no_text.status_code == 422


async def test_short_hand_typed_user_ids_work_for_demos(sim: httpx.AsyncClient) -> None:
    sent = await sim.post("/sim/users/U1/messages", json={"text": "こんにちは"})
    assert sent.status_code == 200
    assert (await sim.get("/sim/users/U1/inbox")).status_code == 200
