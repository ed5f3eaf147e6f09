"""The monthly push budget and LINE's monthly limit, on the real stack.

The gateway is restarted with a budget of 1,000 pushes and a fast quota refresh, and the simulated
LINE account is told 4,000 messages went out this month: the budget is exhausted, LINE's 5,000 is
not. Everything is restored afterwards.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from services.common.events import encode_event, new_event
from services.common.events.contracts.line import (
    DeliveryCompleted,
    DeliveryOutcome,
    MulticastCompleted,
    MulticastRequested,
    SendPriority,
    TextMessage,
)
from tests.e2e.test_line_delivery import send_command
from tests.fixtures.kafka import produce, wait_for_records
from tests.fixtures.line import Simulator, new_user_id, texts
from tests.fixtures.waiting import eventually
from tests.line_gateway.support import gateway_db, metric, metrics, wait_for_events
from tools.devstack.stack import GATEWAY_SENDER, Stack

BUDGET_ENV = {
    "LINE_GATEWAY_MONTHLY_PUSH_BUDGET": "1000",
    "LINE_GATEWAY_QUOTA_REFRESH_SECONDS": "0.5",
}


@pytest.fixture(scope="module")
async def budget_exhausted(stack: Stack) -> AsyncIterator[Stack]:
    sim = Simulator(stack.config.url("line_simulator"))
    try:
        await sim._post("/sim/quota", {"limit": 5000, "used": 4000})
        await stack.restart_app(GATEWAY_SENDER, env=BUDGET_ENV)
        await eventually(
            lambda: metrics(stack),
            lambda text: metric(text, "sslp_line_push_budget_messages", {"kind": "used"}) >= 4000,
        )
        yield stack
    finally:
        await sim._post("/sim/quota", {"limit": 5000, "used": 0})
        await sim.clear_faults()
        await sim.close()
        await stack.restart_app(GATEWAY_SENDER)


async def test_a_low_priority_push_is_held_but_a_safety_message_goes(
    budget_exhausted: Stack, simulator: Simulator
) -> None:
    stack = budget_exhausted
    greeted, warned = new_user_id(), new_user_id()

    await send_command(
        stack, greeted, TextMessage(text="今月の おたより です。"), priority=SendPriority.LOW
    )
    await send_command(
        stack,
        warned,
        TextMessage(text="それは 詐欺かも しれません。#9110 に ご相談を。"),
        priority=SendPriority.SAFETY,
    )

    [held] = await wait_for_events(stack, "line.deliveries", greeted, kind=DeliveryCompleted)
    [sent] = await wait_for_events(stack, "line.deliveries", warned, kind=DeliveryCompleted)
    assert (held.outcome, held.reason) == (DeliveryOutcome.HELD, "push_budget_exhausted")
    assert (sent.outcome, sent.method) == (DeliveryOutcome.SENT, "push")
    assert await simulator.inbox(greeted) == []
    assert texts(await simulator.inbox(warned)) == [
        "それは 詐欺かも しれません。#9110 に ご相談を。"
    ]
    async with gateway_db(stack) as db:
        stored = await db.deliveries.find_one({"_id": str(held.command_id)})
    assert stored is not None
    assert stored["user_id"] == greeted  # a held send has no attempt: its outcome says for whom
    assert stored["held_messages"][0]["text"] == "今月の おたより です。"


async def test_a_reply_is_free_and_still_sent_when_the_budget_is_gone(
    budget_exhausted: Stack, simulator: Simulator
) -> None:
    user = new_user_id()
    sent = await simulator._post(f"/sim/users/{user}/postbacks", {"data": "test:nothing"})
    await send_command(
        budget_exhausted,
        user,
        priority=SendPriority.LOW,
        reply_token=sent["replyToken"],
        expires_in=timedelta(seconds=40),
    )
    [send] = await simulator.wait_for_inbox(user)
    assert send["via"] == "reply"


async def test_a_low_priority_multicast_is_held_whole(
    budget_exhausted: Stack, simulator: Simulator
) -> None:
    stack = budget_exhausted
    audience = "campaign-" + new_user_id()[-6:]
    recipients = [new_user_id() for _ in range(3)]
    command = MulticastRequested(
        audience=audience,
        user_ids=recipients,
        messages=[TextMessage(text="秋の おでかけ キャンペーン")],
        priority=SendPriority.LOW,
        purpose="test.campaign",
    )
    await produce(
        stack.kafka.bootstrap_servers,
        "line.outbound",
        key=audience.encode(),
        value=encode_event(new_event(command, source="test")),
    )

    [done] = await wait_for_events(stack, "line.deliveries", audience, kind=MulticastCompleted)

    assert (done.outcome, done.held, done.sent) == (DeliveryOutcome.HELD, 3, 0)
    assert await simulator.inbox(recipients[0]) == []


async def test_budget_gauges_and_warnings_are_exported(budget_exhausted: Stack) -> None:
    text = await metrics(budget_exhausted)
    assert metric(text, "sslp_line_push_budget_messages", {"kind": "limit"}) == 1000
    assert metric(text, "sslp_line_push_budget_messages", {"kind": "remaining"}) == 0
    assert metric(text, "sslp_line_push_budget_used_ratio") >= 1.0
    assert metric(text, "sslp_line_quota_messages", {"kind": "limit"}) == 5000
    for threshold in ("80", "95"):
        assert metric(text, "sslp_line_push_budget_warnings_total", {"threshold": threshold}) == 1
    async with gateway_db(budget_exhausted) as db:
        [month] = await db.monthly_usage.find({}).to_list()
    assert month["warned"] == [80, 95]
    assert month["quota_limit"] == 5000


async def test_lines_monthly_limit_holds_conversation_but_retries_and_alerts_for_service(
    budget_exhausted: Stack, simulator: Simulator
) -> None:
    stack = budget_exhausted
    await simulator._post("/sim/quota", {"limit": 4000, "used": 4000})
    chat, reminder = new_user_id(), new_user_id()

    await send_command(stack, chat, priority=SendPriority.CONVERSATION)
    await send_command(stack, reminder, priority=SendPriority.SERVICE)

    [held] = await wait_for_events(stack, "line.deliveries", chat, kind=DeliveryCompleted)
    assert (held.outcome, held.reason) == (DeliveryOutcome.HELD, "monthly_quota_exhausted")
    [dead] = await wait_for_records(
        stack.kafka.bootstrap_servers, "line.outbound.dlq", key=reminder.encode(), timeout=30
    )
    assert dead.headers["dlq.reason"] == b"retries_exhausted"
    assert b"MonthlyQuotaReached" in dead.headers["dlq.error"]
    text = await metrics(stack)
    assert metric(text, "sslp_line_quota_exhausted_total", {"priority": "service"}) >= 1
    assert metric(text, "sslp_line_sends_total", {"method": "none", "outcome": "held"}) >= 2
    await simulator._post("/sim/quota", {"limit": 5000, "used": 4000})
