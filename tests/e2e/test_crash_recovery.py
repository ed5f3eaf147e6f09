"""Crashes lose nothing and double nothing: ai_chat killed in the middle of answering,
line_gateway killed with sends in flight, webhooks refused while the gateway is down."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.partitioner import DefaultPartitioner

from bench.chaos.scenario import Chaos, Plan
from services.ai_chat.domain.responders import FALLBACK_TEXT
from services.common.events import encode_event, new_event
from services.common.events.contracts.line import SendPriority, SendRequested, TextMessage
from services.common.time import utcnow
from tests.fixtures.line import Simulator, new_user_id, texts
from tests.fixtures.openai import ModelServer
from tests.fixtures.waiting import eventually
from tools.devstack.stack import GATEWAY_SENDER, Stack

OUTBOUND = "line.outbound"


def model_env(stack: Stack, **extra: str) -> dict[str, str]:
    return {
        "OPENAI_API_KEY": "test-key",
        "OPENAI_BASE_URL": f"{stack.config.url('openai_server')}/v1",
        "OPENAI_MODEL": "test-model",
        **extra,
    }


@pytest.fixture(scope="module")
async def ai_chat_with_model(stack: Stack) -> AsyncIterator[Stack]:
    """ai_chat talking to the OpenAI-compatible test server, restored afterwards."""
    env = model_env(stack, AI_CHAT_OPENAI_TIMEOUT_SECONDS="6", AI_CHAT_OPENAI_MAX_RETRIES="0")
    await stack.restart_app("ai_chat", env=env)
    stack.apps["ai_chat"].env = {**stack.service_env(), **env}
    yield stack
    await stack.restart_app("ai_chat")


async def test_dai_chan_answers_through_the_openai_sdk(
    ai_chat_with_model: Stack, simulator: Simulator, model_server: ModelServer
) -> None:
    user = new_user_id()
    await simulator.send_text(user, "公園に行ってきたよ")
    [reply] = texts(await simulator.settled_inbox(user))
    assert "テスト用の大ちゃん" in reply
    [request] = await model_server.requests_mentioning("公園に行ってきたよ")
    assert request["model"] == "test-model"
    assert request["messages"][0]["role"] == "system"
    assert "大ちゃん" in request["messages"][0]["content"]


async def test_a_failing_model_gets_a_kind_fallback(
    ai_chat_with_model: Stack, simulator: Simulator
) -> None:
    user = new_user_id()
    await simulator.send_text(user, "元気？ [[fail=500]]")
    assert texts(await simulator.settled_inbox(user)) == [FALLBACK_TEXT]


async def test_a_slow_model_gets_a_kind_fallback_not_silence(
    ai_chat_with_model: Stack, simulator: Simulator
) -> None:
    user = new_user_id()
    await simulator.send_text(user, "ゆっくりでいいよ [[delay=9]]")
    assert texts(await simulator.settled_inbox(user, timeout=20)) == [FALLBACK_TEXT]


async def test_killing_ai_chat_mid_answer_loses_nothing_and_doubles_nothing(
    ai_chat_with_model: Stack, simulator: Simulator, model_server: ModelServer
) -> None:
    user = new_user_id()
    marker = f"今日は雨やね {user[-6:]} [[delay=3]]"
    await simulator.send_text(user, marker)
    # Wait until Dai-chan is in the middle of the model call, then crash it (SIGKILL).
    await eventually(lambda: model_server.requests_mentioning(user[-6:]), lambda r: len(r) == 1)
    await ai_chat_with_model.restart_app(
        "ai_chat", crash=True, env=ai_chat_with_model.apps["ai_chat"].env
    )

    inbox = await simulator.settled_inbox(user, timeout=30, quiet=3.0)

    assert len(inbox) == 1, inbox
    assert "テスト用の大ちゃん" in texts(inbox)[0]
    # The message really was handled twice (once before the crash, once after), answered once.
    assert len(await model_server.requests_mentioning(user[-6:])) == 2


# -- line_gateway's sender killed with sends in flight ------------------------------------------


def send(user: str, *, reply_token: str | None = None) -> bytes:
    command = SendRequested(
        user_id=user,
        messages=[TextMessage(text="お待たせしました。")],
        reply_token=reply_token,
        reply_token_expires_at=utcnow() + timedelta(seconds=55) if reply_token else None,
        priority=SendPriority.CONVERSATION,
        purpose="test.crash",
    )
    return encode_event(new_event(command, source="test"))


async def committed_offset(stack: Stack, partition: TopicPartition) -> int | None:
    admin = AIOKafkaAdminClient(bootstrap_servers=stack.kafka.bootstrap_servers)
    await admin.start()
    try:
        found = (await admin.list_consumer_group_offsets("line_gateway")).get(partition)
    finally:
        await admin.close()
    return found.offset if found is not None and found.offset >= 0 else None


async def faults_left(simulator: Simulator) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = (await simulator.http.get("/sim/faults")).json()["faults"]
    return found


@contextlib.asynccontextmanager
async def gateway_waiting_long_for_line(stack: Stack) -> AsyncIterator[dict[str, str]]:
    """The gateway's sender waits a minute for LINE's answers, so a held reply stays in flight; yields
    the gateway's usual environment, and restores it afterwards."""
    usual = dict(stack.apps[GATEWAY_SENDER].env)
    await stack.restart_app(GATEWAY_SENDER, env={"LINE_GATEWAY_API_TIMEOUT_SECONDS": "60"})
    try:
        yield usual
    finally:
        gateway = stack.apps[GATEWAY_SENDER]
        if gateway.env.get("LINE_GATEWAY_API_TIMEOUT_SECONDS") == "60" or not gateway.running():
            gateway.stop()
            await stack.start_apps([GATEWAY_SENDER], env=usual)


async def test_killing_the_gateway_with_sends_in_flight_loses_none_and_doubles_none(
    stack: Stack, simulator: Simulator
) -> None:
    async with gateway_waiting_long_for_line(stack) as usual_env:
        producer = AIOKafkaProducer(bootstrap_servers=stack.kafka.bootstrap_servers, acks="all")
        await producer.start()
        try:
            partitions = sorted(await producer.partitions_for(OUTBOUND))
            target = partitions[0]
            pick = DefaultPartitioner()
            users: list[str] = []
            while len(users) < 12:  # every send on one partition, so their offsets interleave
                user = new_user_id()
                if pick(user.encode(), partitions, partitions) == target:
                    users.append(user)
            held: list[int] = []
            # Four rounds: a reply LINE holds (still in flight), then two pushes that finish. On
            # its own, faust would commit past each held reply while it is in flight.
            for round_ in range(4):
                slow, *quick = users[3 * round_ : 3 * round_ + 3]
                token = (
                    await simulator._post(f"/sim/users/{slow}/postbacks", {"data": "test:none"})
                )["replyToken"]
                await simulator.inject_fault(endpoint="reply", status=500, delaySeconds=50)
                sent = await producer.send_and_wait(
                    OUTBOUND, send(slow, reply_token=token), key=slow.encode(), partition=target
                )
                held.append(sent.offset)
                assert await eventually(lambda: faults_left(simulator), lambda f: f == []) == []
                for user in quick:
                    await producer.send_and_wait(
                        OUTBOUND, send(user), key=user.encode(), partition=target
                    )
                for user in quick:
                    assert len(await simulator.wait_for_inbox(user)) == 1
        finally:
            await producer.stop()
        # Commits happen every second; give several rounds the chance to step over a held reply.
        partition = TopicPartition(OUTBOUND, target)
        committed = await eventually(
            lambda: committed_offset(stack, partition),
            lambda c: c is not None and c > held[0],
            timeout=5,
        )

        stack.apps[GATEWAY_SENDER].kill()
        await simulator.clear_faults()
        await stack.start_apps([GATEWAY_SENDER], env=usual_env)

        for user in users:
            inbox = await simulator.settled_inbox(user, timeout=30, quiet=0.5)
            assert len(inbox) == 1, (user in users[::3], inbox)
        # The held replies went by reply once the gateway was back (LINE had not taken them).
        assert [(await simulator.inbox(u))[0]["via"] for u in users[::3]] == ["reply"] * 4
        # Nothing past the first held reply was ever committed while it was in flight.
        assert committed is None or committed <= held[0]


# -- webhooks refused while the gateway is down ------------------------------------------------


async def test_a_message_sent_while_the_gateway_is_down_is_answered_when_line_redelivers_it(
    stack: Stack, simulator: Simulator
) -> None:
    user = new_user_id()
    gateway = stack.apps["line_gateway"]
    env = dict(gateway.env)
    gateway.kill()
    try:
        refused = await simulator.send_text(user, "だれかおる？")
        assert refused["status"] == 0  # no answer: LINE will redeliver
    finally:
        await stack.start_apps(["line_gateway"], env=env)

    inbox = await simulator.settled_inbox(user, timeout=60, quiet=3.0)

    assert len(inbox) == 1
    status = (await simulator.http.get("/sim/redelivery")).json()
    recovered = [
        entry
        for entry in status["log"]
        if entry.get("webhookEventIds") == [refused["webhookEventId"]] and entry["status"] == 200
    ]
    assert len(recovered) == 1


# -- the chaos run, short: seniors talking while the gateway is SIGKILLed ---------------------


async def test_seniors_talking_while_the_gateway_is_killed_lose_nothing_and_get_nothing_twice(
    ai_chat_with_model: Stack, simulator: Simulator
) -> None:
    # `python -m bench.chaos` runs this with 1,000 messages for every process of the platform.
    chaos = Chaos(ai_chat_with_model)
    try:
        await chaos.prepare()
        result = await chaos.run(
            Plan(
                target="line_gateway",
                seniors=15,
                messages=4,
                interval=1.5,
                downtime=1.0,
                quiet=5.0,
                settle_timeout=150.0,
            )
        )
    finally:
        await simulator._post("/sim/quota", {"limit": 5000, "used": 0})
        await chaos.close()

    outcome = result.outcome
    assert outcome.sent == 60
    assert result.acknowledged == 60  # LINE's redelivery got every refused webhook through
    assert result.after_redelivery > 0  # the kill did refuse some
    assert (outcome.answered, outcome.lost, outcome.doubled) == (60, 0, 0), outcome.lost_examples
    assert outcome.recovery_seconds is not None
