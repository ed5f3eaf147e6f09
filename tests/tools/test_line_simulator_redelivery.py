"""LINE-style webhook redelivery in the simulator: what the bot server did not acknowledge comes
again, flagged, with the same id, after a growing wait, until a 2xx or the attempts run out."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest

from services.line_gateway.domain.signature import is_valid_signature
from tests.fixtures.servers import CHANNEL_SECRET, WebhookReceiver
from tests.fixtures.waiting import eventually
from tools.line_simulator.redelivery import RedeliveryPolicy

USER = "U" + "b2" * 16


@pytest.fixture
async def redelivering(sim: httpx.AsyncClient) -> httpx.AsyncClient:
    """Redelivery on, with short waits (0.2 s, 0.4 s, 0.8 s, then 0.8 s, each +-25 %) and 4
    attempts."""
    response = await sim.put(
        "/sim/redelivery",
        json={"enabled": True, "firstDelaySeconds": 0.2, "maxDelaySeconds": 0.8, "maxAttempts": 4},
    )
    response.raise_for_status()
    return sim


def hits_for(receiver: WebhookReceiver, webhook_event_id: str) -> list[dict[str, Any]]:
    with receiver.lock:
        hits = list(receiver.received)
    found = []
    for hit in hits:
        for event in json.loads(hit["body"])["events"]:
            if event["webhookEventId"] == webhook_event_id:
                found.append({"event": event, **hit})
    return found


async def status(sim: httpx.AsyncClient) -> dict[str, Any]:
    found: dict[str, Any] = (await sim.get("/sim/redelivery")).json()
    return found


async def test_a_webhook_without_a_2xx_comes_again_flagged_with_the_same_id(
    redelivering: httpx.AsyncClient, receiver: WebhookReceiver
) -> None:
    receiver.answer_status = 500
    started = time.monotonic()
    outcome = (
        await redelivering.post(f"/sim/users/{USER}/messages", json={"text": "届いてる？"})
    ).json()
    assert outcome["status"] == 500  # the caller sees the first attempt

    event_id = outcome["webhookEventId"]
    await eventually(lambda: _count(receiver, event_id), lambda n: n >= 3, timeout=10)
    receiver.answer_status = 200
    final = await eventually(
        lambda: status(redelivering), lambda s: s["recovered"] == 1 and s["pending"] == 0
    )

    hits = hits_for(receiver, event_id)
    first, *again = hits
    assert first["event"]["deliveryContext"] == {"isRedelivery": False}
    assert again
    assert all(h["event"]["deliveryContext"] == {"isRedelivery": True} for h in again)
    # Everything else about the event is the same, reply token included; every body is signed.
    assert all(
        {k: v for k, v in h["event"].items() if k != "deliveryContext"}
        == {k: v for k, v in first["event"].items() if k != "deliveryContext"}
        for h in again
    )
    assert all(is_valid_signature(h["body"], h["signature"], CHANNEL_SECRET) for h in hits)
    # 0.2 + 0.4 s (less a quarter) at least passed before the second redelivery.
    assert time.monotonic() - started >= 0.45
    assert final["failedFirstDeliveries"] == 1
    assert final["redeliveries"] == len(again)


async def _count(receiver: WebhookReceiver, event_id: str) -> int:
    return len(hits_for(receiver, event_id))


async def test_redelivery_gives_up_after_its_attempts(
    redelivering: httpx.AsyncClient, receiver: WebhookReceiver
) -> None:
    receiver.answer_status = 503
    outcome = (
        await redelivering.post(f"/sim/users/{USER}/messages", json={"text": "だれかいる？"})
    ).json()

    final = await eventually(lambda: status(redelivering), lambda s: s["givenUp"] == 1, timeout=10)

    assert final["pending"] == 0
    assert len(hits_for(receiver, outcome["webhookEventId"])) == 1 + 4
    assert final["log"][-1]["gaveUp"] is True


async def test_an_acknowledged_webhook_is_not_redelivered(
    redelivering: httpx.AsyncClient, receiver: WebhookReceiver
) -> None:
    outcome = (
        await redelivering.post(f"/sim/users/{USER}/messages", json={"text": "こんにちは"})
    ).json()
    assert outcome["status"] == 200
    assert (await status(redelivering))["pending"] == 0
    assert len(hits_for(receiver, outcome["webhookEventId"])) == 1


async def test_redelivery_is_off_unless_turned_on(
    sim: httpx.AsyncClient, receiver: WebhookReceiver
) -> None:
    receiver.answer_status = 500
    outcome = (await sim.post(f"/sim/users/{USER}/messages", json={"text": "一回だけ"})).json()

    current = await status(sim)
    assert current["enabled"] is False
    assert current["pending"] == 0
    assert current["failedFirstDeliveries"] == 1
    assert len(hits_for(receiver, outcome["webhookEventId"])) == 1


async def test_raw_webhooks_are_sent_once(
    redelivering: httpx.AsyncClient, receiver: WebhookReceiver
) -> None:
    body = '{"destination":"U0000000000000000000000000000b07a","events":[]}'
    forged = (
        await redelivering.post("/sim/webhook/raw", json={"body": body, "signature": "bad"})
    ).json()
    assert forged["status"] == 401
    assert (await status(redelivering))["pending"] == 0


def test_waits_double_up_to_the_cap_and_vary_by_at_most_the_jitter() -> None:
    policy = RedeliveryPolicy(
        enabled=True, first_delay_seconds=1.0, max_delay_seconds=30.0, max_attempts=8
    )
    assert [policy.delay(n) for n in range(1, 8)] == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]
    assert policy.delay(3, spread=-1.0) == 3.0
    assert policy.delay(3, spread=1.0) == 5.0
