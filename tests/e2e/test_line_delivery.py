"""Sending to LINE on the real stack: token expiry, crashes, 429, refusals, blocks, templates,
multicast."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any
from uuid import UUID

from services.common.events import encode_event, new_event
from services.common.events.contracts.line import (
    ButtonsMessage,
    ConfirmMessage,
    DeliveryCompleted,
    DeliveryOutcome,
    MessageAction,
    MulticastCompleted,
    MulticastRequested,
    OutboundMessage,
    PostbackAction,
    SendPriority,
    SendRequested,
    TextMessage,
)
from services.common.time import utcnow
from services.line_gateway.domain.delivery import retry_key_for
from services.line_gateway.domain.multicast import batch_retry_key
from tests.fixtures.kafka import produce, wait_for_records
from tests.fixtures.line import Simulator, new_user_id, texts
from tests.fixtures.waiting import eventually
from tests.line_gateway.support import events_for, metric, metrics, wait_for_events
from tools.devstack.stack import GATEWAY_SENDER, Stack


async def send_command(
    stack: Stack,
    user: str,
    *messages: OutboundMessage,
    priority: SendPriority = SendPriority.SERVICE,
    reply_token: str | None = None,
    expires_in: timedelta = timedelta(seconds=40),
) -> UUID:
    command = SendRequested(
        user_id=user,
        messages=list(messages) or [TextMessage(text="テストのお知らせです。")],
        reply_token=reply_token,
        reply_token_expires_at=utcnow() + expires_in if reply_token else None,
        priority=priority,
        purpose="test.delivery",
    )
    envelope = new_event(command, source="test")
    await produce(
        stack.kafka.bootstrap_servers,
        "line.outbound",
        key=user.encode(),
        value=encode_event(envelope),
    )
    return envelope.id


async def delivery_of(stack: Stack, user: str) -> DeliveryCompleted:
    """The delivery of the test's own command (ai_chat may also greet a user who follows)."""

    def ours(events: list[Any]) -> list[DeliveryCompleted]:
        return [
            e for e in events if isinstance(e, DeliveryCompleted) and e.purpose == "test.delivery"
        ]

    found = await eventually(
        lambda: events_for(stack, "line.deliveries", user), lambda events: bool(ours(events))
    )
    [done] = ours(found)
    return done


async def test_an_expired_reply_token_falls_back_to_push_with_the_retry_key(
    simulator: Simulator, stack: Stack
) -> None:
    user = new_user_id()
    sent = await simulator._post(f"/sim/users/{user}/postbacks", {"data": "test:nothing"})
    # The gateway's own clock says the token is past its time: it does not even try to reply.
    command_id = await send_command(
        stack, user, reply_token=sent["replyToken"], expires_in=timedelta(seconds=-1)
    )

    inbox = await simulator.settled_inbox(user)

    assert [send["via"] for send in inbox] == ["push"]
    assert inbox[0]["retryKey"] == retry_key_for(command_id)
    done = await delivery_of(stack, user)
    assert (done.method, done.outcome) == ("push", DeliveryOutcome.SENT)


async def test_a_token_line_no_longer_accepts_falls_back_to_push(
    simulator: Simulator, stack: Stack
) -> None:
    user = new_user_id()
    sent = await simulator._post(f"/sim/users/{user}/postbacks", {"data": "test:nothing"})
    await simulator._post("/sim/reply-tokens/expire", {"replyToken": sent["replyToken"]})

    command_id = await send_command(stack, user, reply_token=sent["replyToken"])

    inbox = await simulator.settled_inbox(user)
    assert [send["via"] for send in inbox] == ["push"]
    assert inbox[0]["retryKey"] == retry_key_for(command_id)


async def test_a_crash_between_sent_and_recorded_does_not_send_twice(
    simulator: Simulator, stack: Stack
) -> None:
    user = new_user_id()
    # LINE accepts the push, then holds its answer: the gateway is killed while it waits.
    await simulator.inject_fault(endpoint="push", delaySeconds=8, afterAccept=True)
    command_id = await send_command(stack, user)
    assert len(await simulator.wait_for_inbox(user)) == 1

    await stack.restart_app(GATEWAY_SENDER, crash=True, env=stack.apps[GATEWAY_SENDER].env)

    inbox = await simulator.settled_inbox(user, quiet=3.0, timeout=30)
    assert len(inbox) == 1
    done = await eventually(lambda: events_for(stack, "line.deliveries", user), bool, timeout=30)
    [completed] = done
    assert isinstance(completed, DeliveryCompleted)
    assert completed.command_id == command_id
    # The restarted gateway pushed again with the same key; LINE said "already accepted".
    assert completed.outcome is DeliveryOutcome.ALREADY_ACCEPTED
    pushes = [
        r
        for r in (await simulator.http.get("/sim/requests", params={"limit": 1000})).json()[
            "requests"
        ]
        if r["retryKey"] == retry_key_for(command_id)
    ]
    # The first push's answer is held back (its log line comes only when the hold ends).
    statuses = [r["status"] for r in pushes]
    assert 409 in statuses
    assert statuses.count(200) <= 1


async def test_a_rate_limited_push_is_retried_and_sent_once(
    simulator: Simulator, stack: Stack
) -> None:
    user = new_user_id()
    await simulator.inject_fault(endpoint="push", status=429, times=2)

    await send_command(stack, user)

    inbox = await simulator.settled_inbox(user)
    assert len(inbox) == 1
    assert (await delivery_of(stack, user)).outcome is DeliveryOutcome.SENT
    assert (
        metric(
            await metrics(stack), "sslp_line_send_errors_total", {"method": "push", "status": "429"}
        )
        >= 2
    )


async def test_a_refused_send_is_dead_lettered_with_lines_error_and_reported_failed(
    simulator: Simulator, stack: Stack
) -> None:
    user = new_user_id()
    refusal = {
        "message": "The request body has 1 error(s)",
        "details": [{"message": "bad", "property": "messages[0]"}],
    }
    await simulator.inject_fault(endpoint="push", status=400, body=refusal)

    await send_command(stack, user)

    [dead] = await wait_for_records(
        stack.kafka.bootstrap_servers, "line.outbound.dlq", key=user.encode()
    )
    assert dead.headers["dlq.reason"] == b"permanent"
    assert b"The request body has 1 error(s)" in dead.headers["dlq.error"]
    failed = await delivery_of(stack, user)
    assert failed.outcome is DeliveryOutcome.FAILED
    assert failed.error is not None
    assert "400" in failed.error
    assert await simulator.inbox(user) == []


async def test_a_dead_lettered_send_can_be_replayed_after_the_cause_is_fixed(
    simulator: Simulator, stack: Stack
) -> None:
    user = new_user_id()
    await simulator.inject_fault(endpoint="push", status=400)
    await send_command(stack, user)
    [dead] = await wait_for_records(
        stack.kafka.bootstrap_servers, "line.outbound.dlq", key=user.encode()
    )

    # Replay: the same envelope back onto the topic.
    await produce(
        stack.kafka.bootstrap_servers, "line.outbound", key=user.encode(), value=dead.value
    )

    inbox = await simulator.settled_inbox(user)
    assert len(inbox) == 1
    done = await wait_for_events(stack, "line.deliveries", user, kind=DeliveryCompleted, count=2)
    assert [e.outcome for e in done] == [DeliveryOutcome.FAILED, DeliveryOutcome.SENT]


async def test_nothing_is_sent_to_a_senior_who_blocked_the_account_until_they_come_back(
    simulator: Simulator, stack: Stack
) -> None:
    user = new_user_id()
    # A friend from before who blocks the account now. (Following first raced Dai-chan's greeting,
    # sent by reply, against the unfollow 0.1 s later: a greeting read "still a friend" went out.)
    await simulator.unfollow(user)
    await asyncio.sleep(1)

    await send_command(stack, user, priority=SendPriority.SAFETY)
    blocked = await delivery_of(stack, user)

    assert blocked.outcome is DeliveryOutcome.SKIPPED_BLOCKED
    assert (await simulator.http.get(f"/sim/users/{user}/inbox")).json() == {
        "userId": user,
        "messages": [],
        "undelivered": [],
    }
    await simulator.follow(user)
    await asyncio.sleep(1)
    await send_command(stack, user)
    # ai_chat may greet on follow too; the send is among what arrives.
    assert "テストのお知らせです。" in texts(await simulator.settled_inbox(user))


async def test_templates_with_big_buttons_and_quick_replies_reach_line_intact(
    simulator: Simulator, stack: Stack
) -> None:
    user = new_user_id()
    buttons = ButtonsMessage(
        alt_text="講座のご案内",
        title="フォローアップ講座",
        text="6月3日(火) 10時から 阿倍野区民センターです。",
        actions=[
            PostbackAction(
                label="申し込む", data="lending:book?session=S1", display_text="申し込みます"
            ),
            MessageAction(label="くわしく", text="くわしく知りたい"),
        ],
    )
    confirm = ConfirmMessage(
        alt_text="参加の確認",
        text="講座に参加しますか？",
        actions=[
            PostbackAction(label="はい", data="lending:book?session=S1"),
            PostbackAction(label="いいえ", data="lending:cancel?session=S1"),
        ],
        quick_replies=[MessageAction(label="あとで", text="あとで決めます")],
    )

    await send_command(stack, user, buttons, confirm)

    [send] = await simulator.wait_for_inbox(user)
    first, second = send["messages"]
    assert first["type"] == second["type"] == "template"
    assert first["altText"] == "講座のご案内"
    assert first["template"]["type"] == "buttons"
    assert [a["label"] for a in first["template"]["actions"]] == ["申し込む", "くわしく"]
    assert second["template"]["type"] == "confirm"
    assert second["quickReply"]["items"][0]["action"]["text"] == "あとで決めます"


async def test_a_multicast_skips_blocked_seniors_and_goes_in_batches_with_their_own_keys(
    simulator: Simulator, stack: Stack
) -> None:
    blocked = new_user_id()
    await simulator.follow(blocked)
    await simulator.unfollow(blocked)
    await asyncio.sleep(1)
    recipients = [new_user_id() for _ in range(1100)]
    audience = "cohort-test-" + new_user_id()[-6:]
    command = MulticastRequested(
        audience=audience,
        user_ids=[*recipients, blocked, recipients[0]],
        messages=[TextMessage(text="説明会の お知らせです。")],
        priority=SendPriority.SERVICE,
        purpose="test.multicast",
    )
    envelope = new_event(command, source="test")
    await produce(
        stack.kafka.bootstrap_servers,
        "line.outbound",
        key=audience.encode(),
        value=encode_event(envelope),
    )

    [done] = await wait_for_events(stack, "line.deliveries", audience, kind=MulticastCompleted)

    assert done.outcome is DeliveryOutcome.SENT
    assert (done.requested, done.sent, done.skipped_blocked, done.batches) == (1102, 1100, 1, 3)
    calls = [
        r
        for r in (await simulator.http.get("/sim/requests", params={"limit": 1000})).json()[
            "requests"
        ]
        if r["endpoint"] == "multicast"
        and r["retryKey"] in {batch_retry_key(envelope.id, i) for i in range(3)}
    ]
    assert sorted(r["retryKey"] for r in calls) == sorted(
        batch_retry_key(envelope.id, i) for i in range(3)
    )
    assert len(await simulator.inbox(recipients[-1])) == 1
    assert await simulator.inbox(blocked) == []
