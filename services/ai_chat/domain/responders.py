"""Who writes Dai-chan's words: the model through the `openai` SDK, or the offline responder.

Without an API key the offline responder answers, and says so. With a key, a failed or slow model
call gets a kind fallback message instead of silence.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from importlib import resources
from typing import Protocol

from openai import AsyncOpenAI, OpenAIError

from services.ai_chat.metrics import MODEL_SECONDS, MODEL_TOKENS
from services.ai_chat.store import Turn
from services.common.logging import get_logger

log = get_logger(__name__)

PERSONA_VERSION = "daichan.v1"
OFFLINE_LABEL = "（大ちゃんの かんたん応答です。いまは AI につながっていません）"
FALLBACK_TEXT = (
    "ごめんな、いま ちょっと 考えが まとまらへんかった。\n"
    "少ししてから、もう一回 送ってくれる？\n"
    "急ぐときは「人と話したい」と送ってな。"
)


def load_persona(version: str = PERSONA_VERSION) -> str:
    return resources.files("services.ai_chat.prompts").joinpath(f"{version}.md").read_text("utf-8")


@dataclass(frozen=True)
class Reply:
    text: str
    responder: str  # "openai", "offline" or "fallback"
    input_tokens: int = 0
    output_tokens: int = 0


class Responder(Protocol):
    async def respond(self, *, history: list[Turn], text: str) -> Reply: ...

    async def close(self) -> None: ...


# (keywords, answer) in priority order; the first rule with a keyword in the message answers.
_OFFLINE_RULES: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        ("おはよう",),
        "おはよう！ 今日も 声をかけてくれて うれしいわ。\n朝ごはんは 食べた？",
    ),
    (
        ("こんばんは", "おやすみ"),
        "こんばんは！ 今日も 一日 おつかれさま。\nゆっくり 休んでな。",
    ),
    (
        ("こんにちは", "はじめまして", "やあ"),
        "こんにちは！ 大ちゃんやで。\n話しかけてくれて ありがとう。今日は どんな一日？",
    ),
    (
        ("ありがとう", "おおきに"),
        "どういたしまして！\nまた いつでも 話しかけてな。",
    ),
    (
        ("天気", "雨", "晴れ"),
        "お天気が 気になるんやね。\n窓の外を 見てみて、よかったら 近くを 少し 歩いてみるのも ええよ。",
    ),
    (
        ("さみしい", "寂しい", "ひとり"),
        "話してくれて ありがとう。\n大ちゃんは ここに おるで。家族や お友だちに 電話してみるのも ええかもな。",
    ),
)


class OfflineResponder:
    """Fixed, friendly answers in Japanese; every one carries the offline label."""

    async def respond(self, *, history: list[Turn], text: str) -> Reply:
        for keywords, answer in _OFFLINE_RULES:
            if any(keyword in text for keyword in keywords):
                return Reply(f"{answer}\n{OFFLINE_LABEL}", "offline")
        return Reply(
            "お話 聞かせてくれて ありがとう。\nもっと くわしく 教えてくれる？\n" + OFFLINE_LABEL,
            "offline",
        )

    async def close(self) -> None:
        return None


class OpenAIResponder:
    def __init__(
        self,
        *,
        api_key: str,
        base_url: str | None,
        model: str,
        timeout_seconds: float,
        max_retries: int,
        max_output_tokens: int,
    ) -> None:
        self._client = AsyncOpenAI(
            api_key=api_key, base_url=base_url, timeout=timeout_seconds, max_retries=max_retries
        )
        self._model = model
        self._max_output_tokens = max_output_tokens
        self._persona = load_persona()

    async def respond(self, *, history: list[Turn], text: str) -> Reply:
        messages: list[dict[str, str]] = [{"role": "system", "content": self._persona}]
        messages += [
            {"role": "user" if turn.role == "senior" else "assistant", "content": turn.text}
            for turn in history
        ]
        messages.append({"role": "user", "content": text})
        started = time.monotonic()
        try:
            completion = await self._client.chat.completions.create(
                model=self._model,
                messages=messages,  # type: ignore[arg-type]
                max_completion_tokens=self._max_output_tokens,
            )
            answer = (completion.choices[0].message.content or "").strip()
            if not answer:
                raise ValueError("empty completion")
        except (OpenAIError, ValueError, IndexError) as exc:
            MODEL_SECONDS.labels("error").observe(time.monotonic() - started)
            log.warning("model call failed; sending fallback", error=type(exc).__name__)
            return Reply(FALLBACK_TEXT, "fallback")
        MODEL_SECONDS.labels("ok").observe(time.monotonic() - started)
        usage = completion.usage
        input_tokens = usage.prompt_tokens if usage else 0
        output_tokens = usage.completion_tokens if usage else 0
        MODEL_TOKENS.labels("input").inc(input_tokens)
        MODEL_TOKENS.labels("output").inc(output_tokens)
        return Reply(answer, "openai", input_tokens, output_tokens)

    async def close(self) -> None:
        await self._client.close()
