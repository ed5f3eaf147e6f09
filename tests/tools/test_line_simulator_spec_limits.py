"""What LINE's Messaging API refuses, the simulator refuses: lengths counted as LINE counts them
(UTF-16 units for texts, grapheme clusters for labels) and the places LINE's OpenAPI
specification constrains that the simulator used to let through."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.fixtures.servers import ACCESS_TOKEN

USER = "U" + "b2" * 16
FAMILY = "👨\u200d👩\u200d👧"  # one grapheme, five code points, eight UTF-16 units


def text(**extra: Any) -> dict[str, Any]:
    return {"type": "text", "text": "どうぞ", **extra}


def quick(action: dict[str, Any], **item: Any) -> dict[str, Any]:
    return text(quickReply={"items": [{"type": "action", "action": action, **item}]})


def buttons(action: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "template",
        "altText": "選択",
        "template": {"type": "buttons", "text": "選んでください", "actions": [action]},
    }


async def push(
    sim: httpx.AsyncClient, messages: list[dict[str, Any]], **body: Any
) -> httpx.Response:
    return await sim.post(
        "/v2/bot/message/push",
        json={"to": USER, "messages": messages, **body},
        headers={"Authorization": f"Bearer {ACCESS_TOKEN}"},
    )


@pytest.mark.parametrize(
    ("message", "bad_property"),
    [
        # 4,999 characters and one emoji: 5,001 UTF-16 units, which LINE refuses.
        ({"type": "text", "text": "あ" * 4999 + "😀"}, "messages[0].text"),
        (
            quick({"type": "message", "label": "a" * 21, "text": "x"}),
            "messages[0].quickReply.items[0].action.label",
        ),
        (text(sender={"name": "大ちゃん" * 6}), "messages[0].sender.name"),
        (text(sender={"iconUrl": "http://example.com/icon.png"}), "messages[0].sender.iconUrl"),
        (
            quick({"type": "message", "label": "はい", "text": "はい"}, imageUrl="http://x/a.png"),
            "messages[0].quickReply.items[0].imageUrl",
        ),
        (
            buttons({"type": "clipboard", "label": "コピー"}),
            "messages[0].template.actions[0].clipboardText",
        ),
        (
            buttons({"type": "clipboard", "label": "コピー", "clipboardText": "x" * 1001}),
            "messages[0].template.actions[0].clipboardText",
        ),
        (
            buttons(
                {
                    "type": "richmenuswitch",
                    "label": "切替",
                    "data": "d",
                    "richMenuAliasId": "a" * 33,
                }
            ),
            "messages[0].template.actions[0].richMenuAliasId",
        ),
        (
            buttons(
                {"type": "postback", "label": "送る", "data": "d", "inputOption": "openCamera"}
            ),
            "messages[0].template.actions[0].inputOption",
        ),
        (
            buttons({"type": "postback", "label": "送る", "data": "d", "fillInText": "下書き"}),
            "messages[0].template.actions[0].fillInText",
        ),
        (
            buttons({"type": "uri", "label": "開く", "uri": "javascript:alert(1)"}),
            "messages[0].template.actions[0].uri",
        ),
        (
            buttons(
                {
                    "type": "uri",
                    "label": "開く",
                    "uri": "https://x",
                    "altUri": {"desktop": "https://" + "x" * 1000},
                }
            ),
            "messages[0].template.actions[0].altUri.desktop",
        ),
        (
            {
                "type": "template",
                "altText": "写真",
                "template": {
                    "type": "image_carousel",
                    "columns": [{"action": {"type": "message", "text": "x"}}],
                },
            },
            "messages[0].template.columns[0].imageUrl",
        ),
        (
            {"type": "imagemap", "baseUrl": "https://x/map", "altText": "地図", "actions": [{}]},
            "messages[0].baseSize",
        ),
        (
            text(emojis=[{"index": "first", "productId": "p", "emojiId": "e"}]),
            "messages[0].emojis[0].index",
        ),
        (text(quoteToken=12345), "messages[0].quoteToken"),
    ],
)
async def test_what_lines_specification_refuses_is_refused(
    sim: httpx.AsyncClient, message: dict[str, Any], bad_property: str
) -> None:
    response = await push(sim, [message])
    assert response.status_code == 400, response.text
    assert bad_property in [d["property"] for d in response.json()["details"]]
    assert (await sim.get(f"/sim/users/{USER}/inbox")).json()["messages"] == []


@pytest.mark.parametrize(
    ("body", "bad_property"),
    [
        ({"notificationDisabled": "yes"}, "notificationDisabled"),
        ({"customAggregationUnits": ["a-b"]}, "customAggregationUnits[0]"),
        ({"customAggregationUnits": ["a", "b"]}, "customAggregationUnits"),
    ],
)
async def test_request_options_are_checked(
    sim: httpx.AsyncClient, body: dict[str, Any], bad_property: str
) -> None:
    response = await push(sim, [text()], **body)
    assert response.status_code == 400, response.text
    assert bad_property in [d["property"] for d in response.json()["details"]]


async def test_lengths_are_counted_as_line_counts_them(sim: httpx.AsyncClient) -> None:
    # 4,998 characters and one emoji are 5,000 UTF-16 units; a 20-grapheme label of family emoji
    # has 100 code points; both are within LINE's limits.
    fine = quick({"type": "message", "label": FAMILY * 20, "text": "x"})
    fine["text"] = "あ" * 4998 + "😀"
    sent = await push(sim, [fine], notificationDisabled=True, customAggregationUnits=["campaign_1"])
    assert sent.status_code == 200, sent.text
