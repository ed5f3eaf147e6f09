"""The model behind Dai-chan, through the `openai` SDK: chat, moderation and transcription.

One `AsyncOpenAI` client with short timeouts and few retries (the SDK's defaults, 600 s and two
retries, are far too long for someone waiting on LINE). Every call is timed and counted by
operation and outcome; failures surface as `ModelUnavailable` so callers choose their fallback.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

from openai import APITimeoutError, AsyncOpenAI, OpenAIError

from services.ai_chat.domain.safety import Moderation
from services.ai_chat.metrics import MODEL_CALLS, MODEL_SECONDS, MODEL_TOKENS
from services.common.logging import get_logger

log = get_logger(__name__)

SELF_HARM_CATEGORIES = ("self_harm", "self_harm_intent", "self_harm_instructions")


class ModelUnavailable(Exception):
    """The model did not answer usefully (error, timeout, empty answer)."""


@dataclass(frozen=True)
class ChatAnswer:
    text: str
    input_tokens: int
    output_tokens: int

    @property
    def tokens(self) -> int:
        return self.input_tokens + self.output_tokens


@dataclass(frozen=True)
class Transcript:
    text: str
    # Mean token probability when the model reports log probabilities, else None.
    confidence: float | None


class ModelClient:
    def __init__(
        self,
        *,
        api_key: str,
        base_url: str | None,
        chat_model: str,
        moderation_model: str,
        transcription_model: str,
        timeout_seconds: float,
        max_retries: int,
        max_output_tokens: int,
    ) -> None:
        self._client = AsyncOpenAI(
            api_key=api_key, base_url=base_url, timeout=timeout_seconds, max_retries=max_retries
        )
        self.chat_model = chat_model
        self._moderation_model = moderation_model
        self._transcription_model = transcription_model
        self._max_output_tokens = max_output_tokens

    async def close(self) -> None:
        await self._client.close()

    async def chat(self, messages: list[dict[str, str]], *, operation: str = "chat") -> ChatAnswer:
        started = time.monotonic()
        try:
            completion = await self._client.chat.completions.create(
                model=self.chat_model,
                messages=messages,  # type: ignore[arg-type]
                max_completion_tokens=self._max_output_tokens,
            )
            text = (
                (completion.choices[0].message.content or "").strip() if completion.choices else ""
            )
            if not text:
                raise ModelUnavailable("empty completion")
        except (OpenAIError, ModelUnavailable) as exc:
            self._failed(operation, started, exc)
            raise ModelUnavailable(type(exc).__name__) from exc
        self._succeeded(operation, started)
        usage = completion.usage
        answer = ChatAnswer(
            text=text,
            input_tokens=usage.prompt_tokens if usage else 0,
            output_tokens=usage.completion_tokens if usage else 0,
        )
        MODEL_TOKENS.labels("input").inc(answer.input_tokens)
        MODEL_TOKENS.labels("output").inc(answer.output_tokens)
        return answer

    async def moderate(self, text: str) -> Moderation:
        started = time.monotonic()
        try:
            result = await self._client.moderations.create(model=self._moderation_model, input=text)
        except OpenAIError as exc:
            self._failed("moderation", started, exc)
            raise ModelUnavailable(type(exc).__name__) from exc
        self._succeeded("moderation", started)
        if not result.results:
            return Moderation(flagged=False, self_harm=False)
        first = result.results[0]
        categories = first.categories.model_dump()
        flagged_categories = tuple(sorted(name for name, on in categories.items() if on))
        return Moderation(
            flagged=first.flagged,
            self_harm=any(bool(categories.get(name)) for name in SELF_HARM_CATEGORIES),
            categories=flagged_categories,
        )

    async def transcribe(self, audio: bytes, *, content_type: str, filename: str) -> Transcript:
        started = time.monotonic()
        # gpt-4o transcription models report token log probabilities (a confidence); whisper-1
        # does not accept the option.
        extra: dict[str, Any] = {}
        if not self._transcription_model.startswith("whisper"):
            extra["include"] = ["logprobs"]
        try:
            result = await self._client.audio.transcriptions.create(
                model=self._transcription_model,
                file=(filename, audio, content_type),
                language="ja",
                response_format="json",
                **extra,
            )
        except OpenAIError as exc:
            self._failed("transcription", started, exc)
            raise ModelUnavailable(type(exc).__name__) from exc
        self._succeeded("transcription", started)
        logprobs = [p.logprob for p in (result.logprobs or []) if p.logprob is not None]
        confidence = math.exp(sum(logprobs) / len(logprobs)) if logprobs else None
        return Transcript(text=result.text.strip(), confidence=confidence)

    def _succeeded(self, operation: str, started: float) -> None:
        MODEL_SECONDS.labels(operation, "ok").observe(time.monotonic() - started)
        MODEL_CALLS.labels(operation, "ok").inc()

    def _failed(self, operation: str, started: float, exc: Exception) -> None:
        outcome = "timeout" if isinstance(exc, APITimeoutError) else "error"
        MODEL_SECONDS.labels(operation, outcome).observe(time.monotonic() - started)
        MODEL_CALLS.labels(operation, outcome).inc()
        log.warning("model call failed", operation=operation, error=type(exc).__name__)
