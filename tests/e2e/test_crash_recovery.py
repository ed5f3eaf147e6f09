"""Crashes lose nothing and double nothing: ai_chat killed in the middle of answering."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from services.ai_chat.domain.responders import FALLBACK_TEXT
from tests.fixtures.line import Simulator, new_user_id, texts
from tests.fixtures.openai import ModelServer
from tests.fixtures.waiting import eventually
from tools.devstack.stack import Stack


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
