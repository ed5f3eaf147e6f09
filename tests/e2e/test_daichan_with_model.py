"""Dai-chan with a model (the OpenAI-compatible test server): budget, slowness, voice, moderation,
the output guard and a daily check-in, end to end on the real stack."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from services.ai_chat.domain import templates
from services.common.events.contracts.helpdesk import Priority, RequestReason
from services.common.events.contracts.line import (
    AudioFetched,
    MessageReceived,
    PostbackReceived,
    SendPriority,
)
from services.common.kafka.topics import LINE_INBOUND
from services.common.safety import Route
from services.common.time import JST, utcnow
from tests.ai_chat.stack_support import help_requests, model_env, publish, send_commands
from tests.fixtures.line import Simulator, new_user_id, texts
from tests.fixtures.openai import ModelServer
from tools.devstack.stack import Stack

BUDGET = 2500


@pytest.fixture(scope="module")
async def with_model(stack: Stack) -> AsyncIterator[Stack]:
    """ai_chat talking to the OpenAI-compatible test server; restored afterwards."""
    env = model_env(
        stack,
        AI_CHAT_OPENAI_TIMEOUT_SECONDS="3",
        AI_CHAT_OPENAI_MAX_RETRIES="0",
        AI_CHAT_DAILY_TOKEN_BUDGET=str(BUDGET),
        AI_CHAT_CHECKIN_POLL_SECONDS="1",
    )
    await stack.restart_app("ai_chat", env=env)
    yield stack
    await stack.restart_app("ai_chat")


def audio(user: str, *, message_id: str = "9001") -> AudioFetched:
    return AudioFetched(
        user_id=user,
        webhook_event_id=f"wh-audio-{user}-{message_id}",
        message_id=message_id,
        content_type="audio/x-m4a",
        audio_base64=base64.b64encode(b"\x00\x01voice").decode(),
        duration_ms=2500,
        sent_at=utcnow(),
    )


async def test_a_spent_daily_budget_gets_a_kind_text_and_safety_still_answers(
    with_model: Stack, simulator: Simulator, model_server: ModelServer
) -> None:
    user = new_user_id()
    sent = 0
    for _ in range(6):
        sent += 1
        await simulator.send_text(user, f"お話ししよう {sent}回目 {user[-6:]}")
        inbox = await simulator.settled_inbox(user, count=sent, quiet=0.5)
        if texts(inbox)[-1] == templates.BUDGET_TEXT:
            break
    assert texts(inbox)[-1] == templates.BUDGET_TEXT
    assert 1 < sent < 6
    assert len(await model_server.requests_mentioning(user[-6:])) == sent - 1

    await simulator.send_text(user, "胸が痛い")
    inbox = await simulator.settled_inbox(user, count=sent + 1)
    assert texts(inbox)[-1].startswith(templates.EMERGENCY_TEXT)


async def test_a_slow_model_gets_the_kind_fallback(with_model: Stack, simulator: Simulator) -> None:
    user = new_user_id()
    await simulator.send_text(user, "今日はどうしよう [[delay=5]]")
    assert texts(await simulator.settled_inbox(user, timeout=20)) == [templates.FALLBACK_TEXT]


async def test_a_voice_message_is_transcribed_in_japanese_and_answered(
    with_model: Stack, simulator: Simulator, model_server: ModelServer
) -> None:
    await model_server.configure(transcript="今日は孫と天王寺公園に行ったよ")
    user = new_user_id()
    # The audio message itself is not answered: Dai-chan waits for line.audio.fetched.
    await publish(
        with_model,
        LINE_INBOUND,
        user,
        MessageReceived(
            user_id=user,
            webhook_event_id=f"wh-msg-{user}",
            message_id="9001",
            message_type="audio",
            sent_at=utcnow(),
        ),
    )
    await publish(with_model, LINE_INBOUND, user, audio(user))

    [reply] = texts(await simulator.settled_inbox(user, quiet=3.0))
    assert "今日は孫と天王寺公園に行ったよ" in reply
    [transcription] = [
        r for r in await model_server.requests() if r["endpoint"] == "audio.transcriptions"
    ]
    assert transcription["language"] == "ja"
    assert len(await send_commands(with_model, user, count=2, timeout=2.0)) == 1


async def test_an_unsure_voice_message_is_read_back(
    with_model: Stack, simulator: Simulator, model_server: ModelServer
) -> None:
    await model_server.configure(transcript="あしたは雨かいな", transcriptConfidence=0.3)
    user = new_user_id()
    await publish(with_model, LINE_INBOUND, user, audio(user))
    assert texts(await simulator.settled_inbox(user)) == [
        "「あしたは雨かいな」と 聞こえたけど、合ってる？"
    ]


async def test_a_spoken_emergency_gets_119_and_an_urgent_request(
    with_model: Stack, simulator: Simulator, model_server: ModelServer
) -> None:
    await model_server.configure(transcript="転んで立たれへん、助けて")
    user = new_user_id()
    await publish(with_model, LINE_INBOUND, user, audio(user))

    [only] = texts(await simulator.settled_inbox(user))
    assert only.startswith(templates.EMERGENCY_TEXT)
    [request] = await help_requests(with_model, user)
    assert (request.reason, request.priority) == (RequestReason.EMERGENCY, Priority.URGENT)


async def test_moderation_catches_what_the_rules_miss(
    with_model: Stack, simulator: Simulator, model_server: ModelServer
) -> None:
    await model_server.configure(moderationFlags={"遠くへ行ってしまいたい": ["self-harm/intent"]})
    user = new_user_id()
    await simulator.send_text(user, "誰もおらん遠くへ行ってしまいたい")

    [only] = texts(await simulator.settled_inbox(user))
    assert only.startswith(templates.SELF_HARM_TEXT)
    [request] = await help_requests(with_model, user)
    assert request.reason is RequestReason.SELF_HARM
    [command] = await send_commands(with_model, user)
    assert command.data.priority is SendPriority.SAFETY


async def test_the_model_never_gets_to_send_a_phone_number(
    with_model: Stack, simulator: Simulator, model_server: ModelServer
) -> None:
    await model_server.configure(replies={"相談先": "相談は 0570-111-222 に 電話してな"})
    user = new_user_id()
    await simulator.send_text(user, "困ったときの相談先は？")
    assert texts(await simulator.settled_inbox(user)) == [templates.NUMBER_GUARD_TEXT]


async def test_a_daily_check_in_arrives_at_the_chosen_time(
    with_model: Stack, simulator: Simulator
) -> None:
    user = new_user_id()
    soon = (utcnow() + timedelta(minutes=1)).astimezone(JST)
    at = f"{soon.hour:02d}:{soon.minute:02d}"
    await publish(
        with_model,
        LINE_INBOUND,
        user,
        PostbackReceived(
            user_id=user,
            webhook_event_id=f"wh-{user}",
            data=f"daichan:checkin?at={at}",
            sent_at=utcnow(),
        ),
    )
    wait = (soon.replace(second=0) - utcnow()).total_seconds()
    inbox = await simulator.wait_for_inbox(user, count=2, timeout=max(wait, 0) + 20)
    await asyncio.sleep(2.0)

    assert len(await simulator.inbox(user)) == 2
    assert "ごろに あいさつ するな" in texts(inbox)[0]
    assert texts(inbox)[1] in templates.CHECKIN_GREETINGS
    assert inbox[1]["via"] == "push"
    commands = await send_commands(with_model, user, count=2)
    assert [c.data.purpose for c in commands] == ["ai_chat.checkin", "ai_chat.checkin"]
    assert commands[1].data.priority is SendPriority.LOW


async def test_the_model_triage_adds_a_route_the_local_layers_missed_end_to_end(
    with_model: Stack, simulator: Simulator, model_server: ModelServer
) -> None:
    user = new_user_id()
    text = "近所の佐藤さんに頼まれて、明日あれを渡しに行くねん"
    await model_server.configure(
        triage={"佐藤さん": {"routes": ["fraud"], "confidence": 0.95, "reason": "a pretext"}}
    )

    await simulator.send_text(user, text)

    [reply] = texts(await simulator.settled_inbox(user))
    assert "#9110" in reply
    [request] = await help_requests(with_model, user)
    assert (request.reason, request.priority) == (RequestReason.FRAUD_SUSPECTED, Priority.HIGH)


async def test_an_unsure_triage_adds_a_check_and_a_review_end_to_end(
    with_model: Stack, simulator: Simulator, model_server: ModelServer
) -> None:
    user = new_user_id()
    await model_server.configure(
        triage={"駅前": {"routes": ["emergency"], "confidence": 0.5, "reason": "maybe"}}
    )

    await simulator.send_text(user, "明日、駅前で佐藤さんに会うことになってん")

    answer, check = texts(await simulator.settled_inbox(user))
    assert "テスト用の大ちゃんやで" in answer
    assert templates.SAFETY_CHECK_TEXT[Route.EMERGENCY] in check
    [review] = await help_requests(with_model, user)
    assert (review.reason, review.priority, review.handover) == (
        RequestReason.SAFETY_REVIEW,
        Priority.NORMAL,
        False,
    )

    await simulator.send_text(user, "たすけて")
    inbox = await simulator.settled_inbox(user, count=2)
    assert texts(inbox)[-1].startswith(templates.EMERGENCY_TEXT)
