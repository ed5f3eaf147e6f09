"""The OpenAI-compatible test server, driven by the real `openai` SDK."""

from __future__ import annotations

import asyncio
import time

import httpx
import openai
import pytest

from tests.fixtures.servers import RunningServer

MODEL = "gpt-4.1-mini"


async def _chat(client: openai.AsyncOpenAI, text: str) -> str:
    completion = await client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": text}]
    )
    return completion.choices[0].message.content or ""


async def test_chat_completion_answers_as_test_daichan(openai_client: openai.AsyncOpenAI) -> None:
    completion = await openai_client.chat.completions.create(
        model=MODEL,
        messages=[
            {"role": "system", "content": "あなたは大ちゃんです。"},
            {"role": "user", "content": "おはよう"},
            {"role": "assistant", "content": "おはようさん！"},
            {"role": "user", "content": "今日は公園に行ってきたよ"},
        ],
    )

    [choice] = completion.choices
    assert choice.message.role == "assistant"
    assert (
        choice.message.content
        == "テスト用の大ちゃんやで。「今日は公園に行ってきたよ」のこと、もっと聞かせてな。"
    )
    assert choice.finish_reason == "stop"
    assert completion.model == MODEL
    assert completion.usage is not None
    assert completion.usage.prompt_tokens > 20
    assert completion.usage.completion_tokens > 10
    assert completion.usage.total_tokens == (
        completion.usage.prompt_tokens + completion.usage.completion_tokens
    )


async def test_replies_are_deterministic_and_long_messages_are_cut(
    openai_client: openai.AsyncOpenAI,
) -> None:
    long_text = "きのうは孫が遊びに来てくれて、一緒にお好み焼きを作って食べました"

    first = await _chat(openai_client, long_text)
    second = await _chat(openai_client, long_text)

    assert first == second
    assert "「きのうは孫が遊びに来てくれて、一緒にお好…」" in first


async def test_scripted_replies_longest_key_wins(
    openai_control: httpx.AsyncClient, openai_client: openai.AsyncOpenAI
) -> None:
    await openai_control.post("/control", json={"replies": {"公園": "公園ええなあ！"}})
    await openai_control.post("/control", json={"replies": {"長居公園": "長居公園は広いなあ！"}})

    assert await _chat(openai_client, "長居公園に行ったよ") == "長居公園は広いなあ！"
    assert await _chat(openai_client, "近所の公園やで") == "公園ええなあ！"
    control = (await openai_control.get("/control")).json()
    assert set(control["replies"]) == {"公園", "長居公園"}


async def test_responses_api_and_output_text(openai_client: openai.AsyncOpenAI) -> None:
    response = await openai_client.responses.create(
        model=MODEL,
        instructions="あなたは大ちゃんです。",
        input=[
            {"role": "user", "content": [{"type": "input_text", "text": "散歩してきたで"}]},
        ],
    )

    assert (
        response.output_text
        == "テスト用の大ちゃんやで。「散歩してきたで」のこと、もっと聞かせてな。"
    )
    assert response.status == "completed"
    assert response.usage is not None
    assert response.usage.input_tokens > 0
    assert response.usage.output_tokens > 0
    assert response.usage.total_tokens == (
        response.usage.input_tokens + response.usage.output_tokens
    )


async def test_responses_api_with_plain_string_input(openai_client: openai.AsyncOpenAI) -> None:
    response = await openai_client.responses.create(model=MODEL, input="ねえ")
    assert "「ねえ」" in response.output_text


async def test_moderation_flags_self_harm(openai_client: openai.AsyncOpenAI) -> None:
    result = await openai_client.moderations.create(
        model="omni-moderation-latest", input=["もう死にたい", "今日はええ天気やね"]
    )

    harmful, harmless = result.results
    assert harmful.flagged is True
    assert harmful.categories.self_harm is True
    assert harmful.categories.self_harm_intent is True
    assert harmful.categories.violence is False
    assert harmful.category_scores.self_harm > 0.5
    assert harmless.flagged is False
    assert harmless.categories.self_harm is False
    assert harmless.category_scores.self_harm < 0.01


async def test_moderation_of_a_single_string(openai_client: openai.AsyncOpenAI) -> None:
    result = await openai_client.moderations.create(input="消えたいと思う時がある")
    assert [r.flagged for r in result.results] == [True]


async def test_transcription_default_and_scripted(
    openai_control: httpx.AsyncClient, openai_client: openai.AsyncOpenAI
) -> None:
    audio = ("voice.m4a", b"\x00\x01fake-audio", "audio/x-m4a")

    default = await openai_client.audio.transcriptions.create(
        model="gpt-4o-mini-transcribe", file=audio, language="ja"
    )
    await openai_control.post("/control", json={"transcript": "薬の時間を教えて"})
    scripted = await openai_client.audio.transcriptions.create(
        model="gpt-4o-mini-transcribe", file=audio, language="ja"
    )

    assert default.text == "こんにちは"
    assert scripted.text == "薬の時間を教えて"
    recorded = (await openai_control.get("/control/requests")).json()["requests"]
    assert [r["endpoint"] for r in recorded] == ["audio.transcriptions"] * 2
    assert recorded[0]["language"] == "ja"
    assert recorded[0]["bytes"] == len(audio[1])


async def test_delay_marker_slows_only_its_own_request(openai_client: openai.AsyncOpenAI) -> None:
    started = time.monotonic()
    slow = asyncio.create_task(_chat(openai_client, "[[delay=0.8]]ゆっくりでええよ"))
    fast = await _chat(openai_client, "急いでる")
    fast_elapsed = time.monotonic() - started
    slow_reply = await slow
    slow_elapsed = time.monotonic() - started

    assert fast_elapsed < 0.6
    assert slow_elapsed >= 0.8
    assert "[[" not in slow_reply
    assert "「ゆっくりでええよ」" in slow_reply
    assert "「急いでる」" in fast


async def test_many_slow_requests_are_served_concurrently(
    openai_control: httpx.AsyncClient, openai_client: openai.AsyncOpenAI
) -> None:
    await openai_control.post("/control", json={"delaySeconds": 1.0})

    started = time.monotonic()
    replies = await asyncio.gather(*(_chat(openai_client, f"{i}番目") for i in range(20)))
    elapsed = time.monotonic() - started

    assert elapsed >= 1.0
    assert elapsed < 4.0
    assert all(f"「{i}番目」" in reply for i, reply in enumerate(replies))


async def test_fail_next_raises_the_sdks_server_error_then_recovers(
    openai_control: httpx.AsyncClient, openai_client: openai.AsyncOpenAI
) -> None:
    await openai_control.post("/control", json={"failNext": 1})

    # Moderation stands in front of the model in the platform; failNext leaves it alone.
    moderation = await openai_client.moderations.create(input="こんにちは")
    with pytest.raises(openai.InternalServerError) as failed:
        await _chat(openai_client, "失敗する？")
    recovered = await _chat(openai_client, "もう大丈夫？")

    assert moderation.results[0].flagged is False
    assert failed.value.status_code == 500
    assert "「もう大丈夫？」" in recovered
    assert (await openai_control.get("/control")).json()["failNext"] == 0


async def test_fail_next_can_target_other_endpoints_and_statuses(
    openai_control: httpx.AsyncClient, openai_client: openai.AsyncOpenAI
) -> None:
    await openai_control.post(
        "/control", json={"failNext": 1, "failStatus": 503, "failEndpoints": ["moderations"]}
    )

    with pytest.raises(openai.InternalServerError) as failed:
        await openai_client.moderations.create(input="こんにちは")
    reply = await _chat(openai_client, "こっちは動く？")

    assert failed.value.status_code == 503
    assert "「こっちは動く？」" in reply


async def test_fail_marker_fails_only_its_own_request(openai_client: openai.AsyncOpenAI) -> None:
    with pytest.raises(openai.InternalServerError):
        await _chat(openai_client, "[[fail=500]]壊れて")
    with pytest.raises(openai.RateLimitError) as limited:
        await _chat(openai_client, "[[fail=429]]混んでる")
    assert limited.value.code == "rate_limit_exceeded"
    assert "「普通やで」" in await _chat(openai_client, "普通やで")


async def test_an_api_key_is_required(openai_server: RunningServer) -> None:
    async with httpx.AsyncClient(base_url=openai_server.url) as client:
        missing = await client.post("/v1/chat/completions", json={"model": MODEL, "messages": []})
        empty = await client.post(
            "/v1/moderations", json={"input": "x"}, headers={"Authorization": "Bearer"}
        )
    # The SDK always sends its key; a header of another scheme stands in for a missing key.
    sdk = openai.AsyncOpenAI(
        base_url=f"{openai_server.url}/v1",
        api_key="test",
        max_retries=0,
        default_headers={"Authorization": "Basic dGVzdA=="},
    )
    with pytest.raises(openai.AuthenticationError) as refused:
        await sdk.moderations.create(input="x")
    await sdk.close()

    assert refused.value.code == "invalid_api_key"
    for response in (missing, empty):
        assert response.status_code == 401
        error = response.json()["error"]
        assert error["type"] == "invalid_request_error"
        assert error["code"] == "invalid_api_key"


async def test_streaming_is_refused_clearly(openai_client: openai.AsyncOpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as refused:
        await openai_client.chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": "x"}], stream=True
        )
    assert "Streaming is not supported" in str(refused.value)


async def test_requests_are_recorded(
    openai_control: httpx.AsyncClient, openai_client: openai.AsyncOpenAI
) -> None:
    await _chat(openai_client, "記録してな")
    await openai_client.responses.create(model="gpt-4o-mini", input="こっちも")

    recorded = (await openai_control.get("/control/requests")).json()["requests"]

    assert [(r["endpoint"], r["model"], r["status"]) for r in recorded] == [
        ("chat.completions", MODEL, 200),
        ("responses", "gpt-4o-mini", 200),
    ]
    assert recorded[0]["messages"] == [{"role": "user", "content": "記録してな"}]
    assert recorded[1]["input"] == "こっちも"
    assert recorded[0]["at"]


async def test_reset_restores_defaults(
    openai_control: httpx.AsyncClient, openai_client: openai.AsyncOpenAI
) -> None:
    await openai_control.post(
        "/control", json={"replies": {"x": "y"}, "delaySeconds": 2, "transcript": "t"}
    )
    await _chat(openai_client, "[[delay=0]]x")

    reset = (await openai_control.post("/control/reset")).json()

    assert reset["replies"] == {}
    assert reset["delaySeconds"] == 0
    assert reset["transcript"] == "こんにちは"
    assert (await openai_control.get("/control/requests")).json()["requests"] == []
