"""A reply whose first attempt may or may not have reached the senior, on the real stack.

The gateway is killed (SIGKILL) while a reply is out and LINE holds its answer; by the time the
restarted gateway retries, the token is no longer accepted. Whether the first attempt delivered
is then unknown: safety, service and conversation sends are resent by push with the retry key,
low sends are assumed delivered, and both are counted.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any
from uuid import UUID

from services.common.events import encode_event, new_event
from services.common.events.contracts.line import (
    DeliveryCompleted,
    DeliveryOutcome,
    SendPriority,
    SendRequested,
    TextMessage,
)
from services.common.time import utcnow
from services.line_gateway.domain.delivery import retry_key_for
from tests.fixtures.kafka import produce
from tests.fixtures.line import Simulator, new_user_id
from tests.fixtures.waiting import eventually
from tests.line_gateway.support import metric, metrics, wait_for_events
from tools.devstack.stack import GATEWAY_SENDER, Stack

TEXT = "お返事です。"


async def reply_command(
    stack: Stack, user: str, reply_token: str, *, priority: SendPriority, expires_in: float
) -> UUID:
    command = SendRequested(
        user_id=user,
        messages=[TextMessage(text=TEXT)],
        reply_token=reply_token,
        reply_token_expires_at=utcnow() + timedelta(seconds=expires_in),
        priority=priority,
        purpose="test.reply_outcome",
    )
    envelope = new_event(command, source="test")
    await produce(
        stack.kafka.bootstrap_servers,
        "line.outbound",
        key=user.encode(),
        value=encode_event(envelope),
    )
    return envelope.id


async def a_reply_token(simulator: Simulator, user: str) -> str:
    # A postback nobody answers: the token is the test's to use.
    sent = await simulator._post(f"/sim/users/{user}/postbacks", {"data": "test:nothing"})
    token: str = sent["replyToken"]
    return token


async def faults_left(simulator: Simulator) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = (await simulator.http.get("/sim/faults")).json()["faults"]
    return found


async def crash_while_replying(
    stack: Stack, simulator: Simulator, user: str, *, priority: SendPriority
) -> UUID:
    """The gateway dies while LINE holds a reply that then fails (not delivered); the restarted
    gateway retries after the token stopped being accepted."""
    token = await a_reply_token(simulator, user)
    await simulator.inject_fault(endpoint="reply", status=500, delaySeconds=30)
    expires_at = utcnow() + timedelta(seconds=10)
    command_id = await reply_command(stack, user, token, priority=priority, expires_in=10)
    # The reply is out: LINE has taken the call and holds it.
    assert await eventually(lambda: faults_left(simulator), lambda f: f == [], timeout=20) == []

    gateway = stack.apps[GATEWAY_SENDER]
    env = dict(gateway.env)
    gateway.kill()
    await simulator.clear_faults()
    # The token's time passes while the gateway is down: by its own clock and by LINE's.
    await simulator._post("/sim/reply-tokens/expire", {"replyToken": token})
    await asyncio.sleep(max((expires_at - utcnow()).total_seconds(), 0) + 0.5)
    await stack.start_apps([GATEWAY_SENDER], env=env)
    return command_id


async def completed(stack: Stack, user: str) -> DeliveryCompleted:
    [done] = await wait_for_events(
        stack, "line.deliveries", user, kind=DeliveryCompleted, timeout=40
    )
    assert isinstance(done, DeliveryCompleted)
    return done


async def unknown_outcomes(stack: Stack, priority: SendPriority, decision: str) -> float:
    return metric(
        await metrics(stack),
        "sslp_line_unknown_reply_outcomes_total",
        {"priority": priority.value, "decision": decision},
    )


async def test_a_conversation_reply_lost_in_a_crash_is_resent_by_push(
    stack: Stack, simulator: Simulator
) -> None:
    user = new_user_id()
    command_id = await crash_while_replying(
        stack, simulator, user, priority=SendPriority.CONVERSATION
    )

    inbox = await simulator.settled_inbox(user, timeout=40, quiet=3.0)

    assert [send["via"] for send in inbox] == ["push"]
    assert inbox[0]["retryKey"] == retry_key_for(command_id)
    assert inbox[0]["messages"][0]["text"] == TEXT
    done = await completed(stack, user)
    assert (done.method, done.outcome, done.reason) == (
        "push",
        DeliveryOutcome.SENT,
        "reply_outcome_unknown",
    )
    assert await unknown_outcomes(stack, SendPriority.CONVERSATION, "resent_by_push") == 1


async def test_a_low_reply_lost_in_a_crash_is_assumed_delivered_and_counted(
    stack: Stack, simulator: Simulator
) -> None:
    user = new_user_id()
    await crash_while_replying(stack, simulator, user, priority=SendPriority.LOW)

    done = await completed(stack, user)

    assert (done.method, done.outcome, done.reason) == (
        "reply",
        DeliveryOutcome.ASSUMED_DELIVERED,
        "reply_outcome_unknown",
    )
    assert await simulator.inbox(user) == []
    assert await unknown_outcomes(stack, SendPriority.LOW, "assumed_delivered") == 1


async def test_a_reply_line_took_but_did_not_answer_is_not_sent_again(
    stack: Stack, simulator: Simulator
) -> None:
    user = new_user_id()
    token = await a_reply_token(simulator, user)
    # LINE delivers the reply, then answers 500: the retry finds the token used while still
    # valid, so the senior has it.
    await simulator.inject_fault(endpoint="reply", status=500, afterAccept=True)
    before = await unknown_outcomes(stack, SendPriority.SAFETY, "resent_by_push")

    await reply_command(stack, user, token, priority=SendPriority.SAFETY, expires_in=40)

    inbox = await simulator.settled_inbox(user, quiet=3.0)
    assert [send["via"] for send in inbox] == ["reply"]
    done = await completed(stack, user)
    assert (done.method, done.outcome, done.reason) == (
        "reply",
        DeliveryOutcome.ASSUMED_DELIVERED,
        None,
    )
    assert await unknown_outcomes(stack, SendPriority.SAFETY, "resent_by_push") == before
