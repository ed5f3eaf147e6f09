"""The simulator's rich menu endpoints, driven by line-bot-sdk and the gateway's own client."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from linebot.v3.messaging import ApiException, AsyncMessagingApi
from PIL import Image

from services.common.events.contracts.line import TextMessage
from services.line_gateway.clients.messaging import LineApiError, LineMessaging
from services.line_gateway.domain.rich_menu import DEFAULT, LINKED, definition, render
from tests.fixtures.servers import ACCESS_TOKEN, SDK_TIMEOUT_SECONDS, RunningServer, WebhookReceiver

USER = "U" + "e5" * 16
GROUP = "C" + "a1" * 16


@pytest.fixture
async def messaging(simulator_server: RunningServer) -> AsyncIterator[LineMessaging]:
    client = LineMessaging(
        base_url=simulator_server.url,
        access_token=ACCESS_TOKEN,
        timeout_seconds=SDK_TIMEOUT_SECONDS,
    )
    try:
        yield client
    finally:
        await client.close()


async def test_create_upload_set_default_and_link_per_user(
    sim: httpx.AsyncClient, messaging: LineMessaging
) -> None:
    default_id = await messaging.create_rich_menu(definition(DEFAULT))
    linked_id = await messaging.create_rich_menu(definition(LINKED))
    assert not await messaging.has_rich_menu_image(default_id)

    for audience, menu_id in ((DEFAULT, default_id), (LINKED, linked_id)):
        image, media_type = render(audience)
        await messaging.upload_rich_menu_image(menu_id, image, media_type)
    await messaging.set_default_rich_menu(default_id)
    await messaging.link_rich_menu(user_id=USER, rich_menu_id=linked_id)

    assert await messaging.has_rich_menu_image(linked_id)
    assert {m.rich_menu_id for m in await messaging.rich_menus()} == {default_id, linked_id}
    shown = (await sim.get(f"/sim/users/{USER}/richmenu")).json()
    assert (shown["richMenuId"], shown["source"]) == (linked_id, "user")
    other = (await sim.get(f"/sim/users/U{'0' * 32}/richmenu")).json()
    assert (other["richMenuId"], other["source"]) == (default_id, "default")
    drawn = await sim.get(shown["imageUrl"])
    assert drawn.content == render(LINKED)[0]

    await messaging.unlink_rich_menu(user_id=USER)
    assert (await sim.get(f"/sim/users/{USER}/richmenu")).json()["source"] == "default"
    await messaging.link_rich_menu_bulk(user_ids=[USER, "U1"], rich_menu_id=linked_id)
    assert (await sim.get("/sim/richmenus")).json()["linkedUsers"] == 2

    await messaging.delete_rich_menu(linked_id)
    assert (await sim.get(f"/sim/users/{USER}/richmenu")).json()["source"] == "default"


async def test_line_rules_for_rich_menus_are_enforced(
    sim: httpx.AsyncClient, messaging: LineMessaging
) -> None:
    menu_id = await messaging.create_rich_menu(definition(DEFAULT))

    with pytest.raises(LineApiError) as no_image:
        await messaging.set_default_rich_menu(menu_id)
    assert no_image.value.status == 400

    # The simulator reads the real dimensions, so a real PNG of the wrong size is refused.
    buffer = io.BytesIO()
    Image.open(io.BytesIO(render(DEFAULT)[0])).resize((1250, 843)).save(buffer, "PNG")
    with pytest.raises(LineApiError) as wrong_size:
        await messaging.upload_rich_menu_image(menu_id, buffer.getvalue(), "image/png")
    assert wrong_size.value.status == 400
    assert "does not match" in wrong_size.value.message

    with pytest.raises(LineApiError) as too_big:
        await messaging.upload_rich_menu_image(menu_id, b"\x89PNG" + b"0" * 1_100_000, "image/png")
    assert too_big.value.status == 413

    image, media_type = render(DEFAULT)
    await messaging.upload_rich_menu_image(menu_id, image, media_type)
    with pytest.raises(LineApiError) as twice:
        await messaging.upload_rich_menu_image(menu_id, image, media_type)
    assert twice.value.status == 400

    bad = await sim.post(
        "/v2/bot/richmenu",
        headers={"Authorization": f"Bearer {ACCESS_TOKEN}"},
        json={
            "size": {"width": 2500, "height": 1686},
            "selected": True,
            "name": "x",
            "chatBarText": "とても長いチャットバーのテキストです",
            "areas": [
                {
                    "bounds": {"x": 2000, "y": 0, "width": 1000, "height": 100},
                    "action": {"type": "postback", "data": "a:b"},
                }
            ],
        },
    )
    assert bad.status_code == 400
    properties = {d["property"] for d in bad.json()["details"]}
    assert properties == {"chatBarText", "areas[0].bounds"}


async def test_groups_get_webhooks_and_pushes(
    sim: httpx.AsyncClient, receiver: WebhookReceiver, messaging: LineMessaging
) -> None:
    await sim.post(f"/sim/groups/{GROUP}/join")
    await sim.post(f"/sim/groups/{GROUP}/messages", json={"userId": USER, "text": "やあ"})

    joined, said = receiver.events()
    assert joined["type"] == "join"
    assert joined["source"] == {"type": "group", "groupId": GROUP}
    assert said["source"] == {"type": "group", "groupId": GROUP, "userId": USER}
    assert said["message"]["text"] == "やあ"

    await messaging.push(
        user_id=GROUP,
        messages=[TextMessage(text="グループでは お返事できません")],
        retry_key="123e4567-e89b-12d3-a456-426614174000",
    )
    inbox = (await sim.get(f"/sim/groups/{GROUP}/inbox")).json()["messages"]
    assert inbox[0]["messages"][0]["text"] == "グループでは お返事できません"
    assert GROUP not in [u["userId"] for u in (await sim.get("/sim/users")).json()["users"]]


async def test_video_and_file_messages_arrive_as_line_sends_them(
    sim: httpx.AsyncClient, receiver: WebhookReceiver
) -> None:
    await sim.post(f"/sim/users/{USER}/messages", json={"type": "video", "duration": 5000})
    await sim.post(f"/sim/users/{USER}/messages", json={"type": "file"})
    video, file = (e["message"] for e in receiver.events())
    assert (video["type"], video["duration"]) == ("video", 5000)
    assert file["type"] == "file"
    assert file["fileName"]


async def test_the_page_renders_the_rich_menu(sim: httpx.AsyncClient) -> None:
    page = (await sim.get("/")).text
    script = (await sim.get("/static/app.js")).text
    assert 'id="rich-menu"' in page
    assert "/richmenu" in script
    assert "side-by-side" in script  # confirm templates put their two buttons side by side


async def test_an_sdk_error_carries_lines_shape(line_api: AsyncMessagingApi) -> None:
    with pytest.raises(ApiException) as missing:
        await line_api.get_rich_menu("richmenu-missing", _request_timeout=SDK_TIMEOUT_SECONDS)
    assert missing.value.status == 404
    assert json.loads(missing.value.body) == {"message": "richmenu not found"}
