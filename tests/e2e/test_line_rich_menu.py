"""The rich menu provisioned through the Messaging API, and personal-data retention, on the real
stack."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from services.line_gateway.domain.rich_menu import HEIGHT, WIDTH
from tests.fixtures.line import Simulator, new_user_id
from tests.fixtures.waiting import eventually
from tests.line_gateway.support import gateway_user, metric, metrics
from tools.devstack.stack import GATEWAY_SENDER, Stack


async def provisioned(simulator: Simulator) -> dict[str, Any]:
    found = await eventually(
        lambda: simulator.http.get("/sim/richmenus"),
        lambda r: (
            r.json()["default"] is not None
            and len(r.json()["richmenus"]) == 2
            and all(m["hasImage"] for m in r.json()["richmenus"])
        ),
        timeout=30,
    )
    body: dict[str, Any] = found.json()
    return body


async def test_the_menus_are_provisioned_with_big_buttons_and_a_default(
    simulator: Simulator,
) -> None:
    menus = await provisioned(simulator)

    by_name = {m["name"].rsplit("-", 1)[0]: m for m in menus["richmenus"]}
    assert set(by_name) == {"sslp-default", "sslp-linked"}
    assert menus["default"] == by_name["sslp-default"]["richMenuId"]
    linked = by_name["sslp-linked"]
    assert linked["size"] == {"width": WIDTH, "height": HEIGHT}
    actions = {a["action"]["label"]: a["action"]["data"] for a in linked["areas"]}
    assert actions == {
        "大ちゃんと話す": "daichan:talk",
        "困ったとき": "daichan:help",
        "わたしのタブレット": "daichan:my_loan",
        "講座の予定": "daichan:sessions",
    }
    # Four equal quarters: each button is a quarter of the menu.
    assert {(a["bounds"]["width"], a["bounds"]["height"]) for a in linked["areas"]} == {
        (WIDTH // 2, HEIGHT // 2)
    }
    image = await simulator.http.get(f"/sim/richmenus/{linked['richMenuId']}/image")
    assert image.headers["content-type"] == "image/png"
    assert len(image.content) <= 1_000_000

    user = new_user_id()
    shown = (await simulator.http.get(f"/sim/users/{user}/richmenu")).json()
    assert shown["source"] == "default"
    assert "タブレット連携" in [a["action"]["label"] for a in shown["menu"]["areas"]]


async def test_a_restart_reuses_the_menus_it_made(simulator: Simulator, stack: Stack) -> None:
    before = await provisioned(simulator)

    await stack.restart_app(GATEWAY_SENDER)
    await eventually(
        lambda: metrics(stack),
        lambda text: (
            metric(
                text,
                "sslp_line_rich_menu_operations_total",
                {"operation": "provision", "outcome": "ok"},
            )
            >= 1
        ),
        timeout=30,
    )

    after = await provisioned(simulator)
    assert {m["richMenuId"] for m in after["richmenus"]} == {
        m["richMenuId"] for m in before["richmenus"]
    }
    assert after["default"] == before["default"]
    text = await metrics(stack)
    assert metric(text, "sslp_line_rich_menu_operations_total", {"operation": "create"}) == 0


RETENTION_ENV = {
    # About two seconds, checked twice a second: the real default is 30 days, checked hourly.
    "LINE_GATEWAY_PERSONAL_DATA_RETENTION_DAYS": "0.000025",
    "LINE_GATEWAY_MAINTENANCE_INTERVAL_SECONDS": "0.5",
}


@pytest.fixture(scope="module")
async def short_retention(stack: Stack) -> AsyncIterator[Stack]:
    await stack.restart_app(GATEWAY_SENDER, env=RETENTION_ENV)
    try:
        yield stack
    finally:
        await stack.restart_app(GATEWAY_SENDER)


async def test_names_of_seniors_who_blocked_the_account_are_erased_after_retention(
    short_retention: Stack, simulator: Simulator
) -> None:
    stack = short_retention
    leaving, staying = new_user_id(), new_user_id()
    for user, name in ((leaving, "去る 太郎"), (staying, "残る 花子")):
        await simulator.http.put(f"/sim/users/{user}", json={"displayName": name})
        await simulator.follow(user)
        await eventually(
            functools.partial(gateway_user, stack, user),
            lambda doc: bool(doc and doc.get("display_name")),
        )

    await simulator.unfollow(leaving)

    erased = await eventually(
        lambda: gateway_user(stack, leaving),
        lambda doc: bool(doc and doc.get("personal_data_erased_at")),
        timeout=20,
    )
    assert erased is not None
    assert erased["display_name"] is None
    assert erased["picture_url"] is None
    assert erased["following"] is False  # the fact that they left is kept; who they were is not
    kept = await gateway_user(stack, staying)
    assert kept is not None
    assert kept["display_name"] == "残る 花子"
    async with httpx.AsyncClient() as client:
        text = (await client.get(f"{stack.config.url(GATEWAY_SENDER)}/metrics")).text
    assert metric(text, "sslp_line_personal_data_erased_total") >= 1
