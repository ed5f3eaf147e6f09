"""Dai-chan with a model: the real `openai` SDK against the OpenAI-compatible test server."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx

from services.ai_chat.domain import templates
from services.ai_chat.domain.responders import PERSONA_VERSION, SUMMARY_INSTRUCTIONS
from services.common.events.contracts.helpdesk import Priority, RequestReason
from services.common.events.contracts.line import MessageAction, SendPriority
from services.common.safety import Route
from services.common.store import MongoStore
from tests.ai_chat.support import Harness, link_with_loan, model_client, said
from tests.fixtures.line import new_user_id
from tests.fixtures.servers import RunningServer


async def requests(
    control: httpx.AsyncClient, endpoint: str = "chat.completions"
) -> list[dict[str, Any]]:
    found = (await control.get("/control/requests")).json()["requests"]
    return [r for r in found if r["endpoint"] == endpoint]


def system_prompt(request: dict[str, Any]) -> str:
    return str(request["messages"][0]["content"])


async def test_the_model_answers_with_the_versioned_persona_and_usage_is_counted(
    online: Harness, model_control: httpx.AsyncClient
) -> None:
    user = new_user_id()
    result = await online.say(user, "公園に行ってきたよ")

    assert result.texts == [
        "テスト用の大ちゃんやで。「公園に行ってきたよ」のこと、もっと聞かせてな。"
    ]
    assert result.outcome.responder == "openai"
    assert result.sends[0].priority is SendPriority.CONVERSATION
    [chat] = await requests(model_control)
    assert "大ちゃん" in system_prompt(chat)
    assert "マークダウン" in system_prompt(chat)
    [moderation] = await requests(model_control, "moderations")
    assert moderation["input"] == "公園に行ってきたよ"
    turns = await online.turns(user)
    assert [t.persona_version for t in turns] == [None, PERSONA_VERSION]
    senior = await online.senior(user)
    assert senior.usage is not None
    assert senior.usage.tokens > 100


async def test_nothing_from_one_senior_reaches_anothers_model_request(
    online: Harness, model_control: httpx.AsyncClient
) -> None:
    alice, bob = new_user_id(), new_user_id()
    await online.say(alice, "ハナコって呼んで")
    await online.say(alice, "趣味は盆栽です")
    await online.say(alice, "孫の太郎が来週来るねん")
    await online.say(bob, "今日はええ天気やね")

    chats = await requests(model_control)
    to_bob = [c for c in chats if "今日はええ天気やね" in str(c["messages"][-1])]
    to_alice = [c for c in chats if "孫の太郎" in str(c["messages"][-1])]
    assert len(to_bob) == 1
    assert len(to_alice) == 1
    for secret in ("ハナコ", "盆栽", "太郎"):
        assert secret not in str(to_bob[0]["messages"])
    assert "よび名: ハナコ" in system_prompt(to_alice[0])
    assert "盆栽" in system_prompt(to_alice[0])


async def test_the_programme_dates_go_into_the_models_instructions(
    online: Harness, model_control: httpx.AsyncClient
) -> None:
    user = new_user_id()
    await link_with_loan(online, user, due_on=date(2099, 12, 5))
    await online.say(user, "最近どうしてる？")
    [chat] = await requests(model_control)
    assert "タブレットを 返す日: 2099年12月5日（土）" in system_prompt(chat)


async def test_a_spent_daily_budget_gets_a_kind_fixed_text_but_safety_still_works(
    store: MongoStore, openai_test_server: RunningServer, model_control: httpx.AsyncClient
) -> None:
    model = model_client(f"{openai_test_server.url}/v1")
    harness = Harness(store, model=model, daily_token_budget=200)
    await harness.prepare()
    user = new_user_id()
    try:
        first = await harness.say(user, "こんにちは")
        second = await harness.say(user, "もう少し話そう")
        emergency = await harness.say(user, "胸が痛い")
    finally:
        await model.close()

    assert first.outcome.responder == "openai"
    assert second.texts == [templates.BUDGET_TEXT]
    assert second.outcome.kind == "budget_exhausted"
    assert emergency.texts == [said(Route.EMERGENCY)]
    assert len(await requests(model_control)) == 1


async def test_moderation_can_route_what_the_rules_missed(
    online: Harness, model_control: httpx.AsyncClient
) -> None:
    await model_control.post(
        "/control", json={"moderationFlags": {"遠くへ行きたい": ["self-harm/intent"]}}
    )
    result = await online.say(new_user_id(), "誰もおらん遠くへ行きたい")
    assert result.texts == [said(Route.SELF_HARM)]
    assert result.help_requests[0].reason is RequestReason.SELF_HARM
    assert result.outcome.kind == "safety_self_harm"


async def test_when_the_model_is_down_rules_still_route_and_chat_falls_back(
    online: Harness, model_control: httpx.AsyncClient
) -> None:
    await model_control.post(
        "/control", json={"failNext": 4, "failEndpoints": ["chat.completions", "moderations"]}
    )
    emergency = await online.say(new_user_id(), "主人が倒れた")
    chat = await online.say(new_user_id(), "こんにちは")

    assert emergency.texts == [said(Route.EMERGENCY)]
    assert emergency.help_requests[0].priority is Priority.URGENT
    assert chat.texts == [templates.FALLBACK_TEXT]
    assert chat.outcome.responder == "fallback"


async def test_a_slow_model_gets_the_fallback(
    store: MongoStore, openai_test_server: RunningServer, model_control: httpx.AsyncClient
) -> None:
    model = model_client(f"{openai_test_server.url}/v1", timeout_seconds=0.5)
    harness = Harness(store, model=model)
    await harness.prepare()
    try:
        result = await harness.say(new_user_id(), "ゆっくりでええよ [[delay=2]]")
    finally:
        await model.close()
    assert result.texts == [templates.FALLBACK_TEXT]


async def test_a_phone_number_from_the_model_never_reaches_the_senior(
    online: Harness, model_control: httpx.AsyncClient
) -> None:
    await model_control.post(
        "/control", json={"replies": {"相談先": "いのちの電話 0570-000-000 に かけてな"}}
    )
    result = await online.say(new_user_id(), "さびしいときの相談先ある？")
    assert result.texts == [templates.NUMBER_GUARD_TEXT]
    assert "0570" not in result.text
    assert "daichan:help?topic=self_harm" in [q.data for q in result.quick_replies]
    assert result.outcome.kind == "chat_guarded"


async def test_markdown_from_the_model_is_stripped(
    online: Harness, model_control: httpx.AsyncClient
) -> None:
    await model_control.post(
        "/control", json={"replies": {"散歩": "**散歩**、ええなあ！\n- 公園\n- 川沿い"}}
    )
    result = await online.say(new_user_id(), "散歩に行こうかな")
    assert result.texts == ["散歩、ええなあ！\n公園\n川沿い"]


async def test_the_rolling_summary_is_written_by_the_model_every_few_turns(
    store: MongoStore, openai_test_server: RunningServer, model_control: httpx.AsyncClient
) -> None:
    model = model_client(f"{openai_test_server.url}/v1")
    harness = Harness(store, model=model, summary_every_turns=4)
    await harness.prepare()
    await model_control.post("/control", json={"replies": {"前の メモ": "公園と 桜の 話を した。"}})
    user = new_user_id()
    try:
        await harness.say(user, "今日は公園に行った")
        await harness.say(user, "桜がきれいやった")
        await harness.say(user, "また行きたいな")
    finally:
        await model.close()

    summaries = [
        r for r in await requests(model_control) if system_prompt(r) == SUMMARY_INSTRUCTIONS
    ]
    assert len(summaries) == 1
    assert "今日は公園に行った" in str(summaries[0]["messages"])
    chats = [r for r in await requests(model_control) if r not in summaries]
    assert "これまでの 話の メモ:\n公園と 桜の 話を した。" in system_prompt(chats[-1])


async def test_a_clear_voice_message_is_answered_like_text(
    online: Harness, model_control: httpx.AsyncClient
) -> None:
    await model_control.post("/control", json={"transcript": "今日は孫と散歩したよ"})
    user = new_user_id()
    result = await online.speak(user)

    [transcription] = await requests(model_control, "audio.transcriptions")
    assert transcription["language"] == "ja"
    assert transcription["model"] == "gpt-4o-mini-transcribe"
    assert "「今日は孫と散歩したよ」" in result.text
    assert [t.via for t in await online.turns(user)] == ["voice", None]


async def test_an_unsure_transcript_is_read_back_for_confirmation(
    online: Harness, model_control: httpx.AsyncClient
) -> None:
    await model_control.post("/control", json={"transcript": "こんち"})
    short = await online.speak(new_user_id())
    await model_control.post(
        "/control", json={"transcript": "あしたの天気はどうかな", "transcriptConfidence": 0.3}
    )
    mumbled = await online.speak(new_user_id())

    assert short.texts == ["「こんち」と 聞こえたけど、合ってる？"]
    assert mumbled.texts == ["「あしたの天気はどうかな」と 聞こえたけど、合ってる？"]
    yes = mumbled.quick_replies[0]
    assert isinstance(yes, MessageAction)
    assert yes.text == "あしたの天気はどうかな"
    assert await requests(model_control) == []


async def test_a_spoken_emergency_is_routed_even_when_unsure(
    online: Harness, model_control: httpx.AsyncClient
) -> None:
    await model_control.post(
        "/control", json={"transcript": "胸が痛い", "transcriptConfidence": 0.2}
    )
    result = await online.speak(new_user_id())
    assert result.texts == [said(Route.EMERGENCY)]
    assert "声を 文字に したもの" in result.help_requests[0].summary


async def test_a_failed_transcription_asks_again_kindly(
    online: Harness, model_control: httpx.AsyncClient
) -> None:
    await model_control.post(
        "/control", json={"failNext": 1, "failEndpoints": ["audio.transcriptions"]}
    )
    result = await online.speak(new_user_id())
    assert result.texts == [templates.VOICE_FAILED_TEXT]
