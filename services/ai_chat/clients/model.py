"""The model behind Dai-chan, through the `openai` SDK: chat, moderation and transcription.

`AsyncOpenAI` clients with short timeouts and few retries (the SDK's defaults, 600 s and two
retries, are far too long for someone waiting on LINE). Every call is timed and counted by
operation and outcome; failures surface as `ModelUnavailable` so callers choose their fallback.

Throughput with a slow model means hundreds of requests in flight. Two things found by profiling
(`bench/ai_chat_throughput.py --profile`) keep that cheap: requests go round-robin over a few
clients, because an HTTP connection pool checks every pooled connection on each request (cost
grows with the pool), and chat and moderation go through the client's plain `post` with JSON
bodies, read back for the few fields used: the typed methods spend more CPU transforming the
`messages` parameter and building response objects than the rest of the request together.
Authentication, timeouts, retries and error types are the SDK's either way.
"""

from __future__ import annotations

import itertools
import json
import math
import time
from dataclasses import dataclass
from typing import Any

import httpx
from openai import APITimeoutError, AsyncOpenAI, OpenAIError

from services.ai_chat.domain.model import ChatAnswer, ModelUnavailable, Transcript
from services.ai_chat.domain.safety import Moderation
from services.ai_chat.domain.safety.triage import (
    JSON_SCHEMA,
    SCHEMA_NAME,
    Triage,
    load_prompt,
    parse_triage,
    triage_messages,
)
from services.ai_chat.metrics import MODEL_CALLS, MODEL_COST_YEN, MODEL_SECONDS, MODEL_TOKENS
from services.common.logging import get_logger

log = get_logger(__name__)

SELF_HARM_CATEGORIES = ("self-harm", "self-harm/intent", "self-harm/instructions")
# What an answer that is not the expected JSON raises while it is read.
_MALFORMED = (ValueError, KeyError, IndexError, TypeError, AttributeError)


OPERATIONS = ("chat", "summary", "moderation", "transcription", "triage")
# The triage answer is a small JSON object; this bounds what a confused model can cost.
TRIAGE_MAX_TOKENS = 200
OUTCOMES = ("ok", "error", "timeout")


@dataclass(frozen=True)
class TokenPrices:
    """What the model's tokens cost, in yen per million, for the cost estimate on /metrics."""

    input_yen_per_million: float = 0.0
    output_yen_per_million: float = 0.0

    def cost_yen(self, *, input_tokens: int, output_tokens: int) -> float:
        return (
            input_tokens * self.input_yen_per_million + output_tokens * self.output_yen_per_million
        ) / 1_000_000


class ModelClient:
    """`domain.model.LanguageModel` over the OpenAI API."""

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
        http_pools: int = 8,
        prices: TokenPrices | None = None,
    ) -> None:
        self._clients = [
            AsyncOpenAI(
                api_key=api_key, base_url=base_url, timeout=timeout_seconds, max_retries=max_retries
            )
            for _ in range(max(1, http_pools))
        ]
        self._turn = itertools.cycle(self._clients)
        self.chat_model = chat_model
        self._moderation_model = moderation_model
        self._transcription_model = transcription_model
        self._max_output_tokens = max_output_tokens
        self._prices = prices or TokenPrices()
        self._triage_prompt = load_prompt()
        # Every operation's outcomes exist at zero from the start, so an error rate reads 0%
        # (not "no data") until the first failure.
        for operation in OPERATIONS:
            for outcome in OUTCOMES:
                MODEL_CALLS.labels(operation, outcome)

    @property
    def _client(self) -> AsyncOpenAI:
        return next(self._turn)

    async def close(self) -> None:
        for client in self._clients:
            await client.close()

    async def chat(self, messages: list[dict[str, str]], *, operation: str = "chat") -> ChatAnswer:
        started = time.monotonic()
        try:
            body = await self._post_json(
                "/chat/completions",
                {
                    "model": self.chat_model,
                    "messages": messages,
                    "max_completion_tokens": self._max_output_tokens,
                },
            )
            choices = body.get("choices") or []
            text = str(choices[0]["message"].get("content") or "").strip() if choices else ""
            if not text:
                raise ModelUnavailable("empty completion")
            usage = body.get("usage") or {}
            answer = ChatAnswer(
                text=text,
                input_tokens=int(usage.get("prompt_tokens") or 0),
                output_tokens=int(usage.get("completion_tokens") or 0),
            )
        except (OpenAIError, ModelUnavailable, *_MALFORMED) as exc:
            self._failed(operation, started, exc)
            raise ModelUnavailable(type(exc).__name__) from exc
        self._succeeded(operation, started)
        MODEL_TOKENS.labels("input").inc(answer.input_tokens)
        MODEL_TOKENS.labels("output").inc(answer.output_tokens)
        MODEL_COST_YEN.inc(
            self._prices.cost_yen(
                input_tokens=answer.input_tokens, output_tokens=answer.output_tokens
            )
        )
        return answer

    async def moderate(self, text: str) -> Moderation:
        started = time.monotonic()
        try:
            body = await self._post_json(
                "/moderations", {"model": self._moderation_model, "input": text}
            )
            results = body.get("results") or []
            first: dict[str, Any] = results[0] if results else {}
            categories: dict[str, Any] = first.get("categories") or {}
            moderation = Moderation(
                flagged=bool(first.get("flagged")),
                self_harm=any(bool(categories.get(name)) for name in SELF_HARM_CATEGORIES),
                categories=tuple(sorted(name for name, on in categories.items() if on)),
            )
        except (OpenAIError, *_MALFORMED) as exc:
            self._failed("moderation", started, exc)
            raise ModelUnavailable(type(exc).__name__) from exc
        self._succeeded("moderation", started)
        return moderation

    async def triage(self, text: str) -> Triage:
        """The model's safety routes for one message, as structured output (JSON schema)."""
        started = time.monotonic()
        try:
            body = await self._post_json(
                "/chat/completions",
                {
                    "model": self.chat_model,
                    "messages": triage_messages(text, self._triage_prompt),
                    "max_completion_tokens": TRIAGE_MAX_TOKENS,
                    "response_format": {
                        "type": "json_schema",
                        "json_schema": {"name": SCHEMA_NAME, "strict": True, "schema": JSON_SCHEMA},
                    },
                },
            )
            choices = body.get("choices") or []
            content = str(choices[0]["message"].get("content") or "") if choices else ""
            triage = parse_triage(json.loads(content))
            usage = body.get("usage") or {}
        except (OpenAIError, *_MALFORMED) as exc:
            self._failed("triage", started, exc)
            raise ModelUnavailable(type(exc).__name__) from exc
        self._succeeded("triage", started)
        input_tokens = int(usage.get("prompt_tokens") or 0)
        output_tokens = int(usage.get("completion_tokens") or 0)
        MODEL_TOKENS.labels("input").inc(input_tokens)
        MODEL_TOKENS.labels("output").inc(output_tokens)
        MODEL_COST_YEN.inc(
            self._prices.cost_yen(input_tokens=input_tokens, output_tokens=output_tokens)
        )
        return triage

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

    async def _post_json(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self._client.post(path, body=body, cast_to=httpx.Response)
        answer = json.loads(response.content)
        if not isinstance(answer, dict):
            raise TypeError("the answer is not a JSON object")
        return answer

    def _succeeded(self, operation: str, started: float) -> None:
        MODEL_SECONDS.labels(operation, "ok").observe(time.monotonic() - started)
        MODEL_CALLS.labels(operation, "ok").inc()

    def _failed(self, operation: str, started: float, exc: Exception) -> None:
        outcome = "timeout" if isinstance(exc, APITimeoutError) else "error"
        MODEL_SECONDS.labels(operation, outcome).observe(time.monotonic() - started)
        MODEL_CALLS.labels(operation, outcome).inc()
        log.warning("model call failed", operation=operation, error=type(exc).__name__)
