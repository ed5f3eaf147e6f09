"""The rich menu provisioned through the Messaging API, and personal-data retention, on the real
stack."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from services.line_gateway.domain.rich_menu import HEIGHT, WIDTH
from services.line_gateway.store.line_users import PROFILE_FIELDS
from tests.fixtures.line import Simulator, new_user_id
from tests.fixtures.waiting import eventually
from tests.line_gateway.support import gateway_db, gateway_user, metric, metrics
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


MAINTENANCE_ENV = {
    # Twice a second: the real default is hourly.
    "LINE_GATEWAY_MAINTENANCE_INTERVAL_SECONDS": "0.5",
}


@pytest.fixture(scope="module")
async def frequent_maintenance(stack: Stack) -> AsyncIterator[Stack]:
    await stack.restart_app(GATEWAY_SENDER, env=MAINTENANCE_ENV)
    try:
        yield stack
    finally:
        await stack.restart_app(GATEWAY_SENDER)


async def test_profiles_an_earlier_version_stored_are_erased(
    frequent_maintenance: Stack, simulator: Simulator
) -> None:
    stack = frequent_maintenance
    user = new_user_id()
    await simulator.follow(user)
    await eventually(functools.partial(gateway_user, stack, user), bool)
    # What a version before 2026-12-04 kept from LINE's profile API.
    async with gateway_db(stack) as db:
        await db.line_users.update_one(
            {"_id": user},
            {"$set": {"display_name": "残る 花子", "picture_url": "https://x", "language": "ja"}},
        )

    erased = await eventually(
        lambda: gateway_user(stack, user),
        lambda doc: bool(doc and doc.get("personal_data_erased_at")),
        timeout=20,
    )
    assert erased is not None
    assert not set(PROFILE_FIELDS) & set(erased)
    assert erased["following"] is True  # only the profile goes
    async with httpx.AsyncClient() as client:
        text = (await client.get(f"{stack.config.url(GATEWAY_SENDER)}/metrics")).text
    assert metric(text, "sslp_line_personal_data_erased_total") >= 1
