"""An OpenAI-compatible test server for the `openai` SDK: `/v1/...` endpoints plus `/control`.

Only what the platform uses is served (chat completions, responses, moderations,
transcriptions), non-streaming, with OpenAI's response and error shapes so the SDK parses them
and raises its usual exceptions. Delays are asyncio sleeps: slow answers do not block others.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from typing import Annotated, Any, Literal, Self

from fastapi import APIRouter, Depends, FastAPI, File, Form, Request, Response, UploadFile
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tools.openai_server.behaviour import (
    asks_for_triage,
    chat_texts,
    daichan_reply,
    estimate_tokens,
    last_user_text,
    moderate,
    moderation_inputs,
    prompt_tokens,
    read_markers,
    response_texts,
    transcript_logprobs,
    triage_answer,
)
from tools.openai_server.settings import OpenAIServerSettings
from tools.openai_server.state import Endpoint, ServerState

JsonObject = dict[str, Any]
MODELS = ("gpt-4.1-mini", "gpt-4o-mini", "omni-moderation-latest", "gpt-4o-mini-transcribe")


class OpenAIError(Exception):
    """An error answer in OpenAI's shape: {"error": {"message", "type", "param", "code"}}."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        error_type: str | None = None,
        code: str | None = None,
        param: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.error_type = error_type or _default_type(status)
        self.code = code
        self.param = param

    def response(self) -> JSONResponse:
        return JSONResponse(
            {
                "error": {
                    "message": self.message,
                    "type": self.error_type,
                    "param": self.param,
                    "code": self.code,
                }
            },
            status_code=self.status,
        )


def _default_type(status: int) -> str:
    if status == 429:
        return "requests"
    return "server_error" if status >= 500 else "invalid_request_error"


def injected_failure(status: int) -> OpenAIError:
    if status == 429:
        return OpenAIError(
            429, "Rate limit reached (injected by the test server).", code="rate_limit_exceeded"
        )
    if status >= 500:
        return OpenAIError(
            status,
            "The server had an error while processing your request (injected by the test server).",
        )
    return OpenAIError(status, f"Injected failure: HTTP {status}.")


def get_state(request: Request) -> ServerState:
    state: ServerState = request.app.state.server_state
    return state


StateDep = Annotated[ServerState, Depends(get_state)]


def authorize(request: Request) -> None:
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise OpenAIError(
            401,
            "You didn't provide an API key. The test server accepts any non-empty key "
            "as 'Authorization: Bearer <key>'.",
            code="invalid_api_key",
        )


v1 = APIRouter(prefix="/v1", tags=["OpenAI-compatible"], dependencies=[Depends(authorize)])
control_router = APIRouter(prefix="/control", tags=["test control"])


async def _json_object(request: Request) -> JsonObject:
    try:
        body = json.loads(await request.body())
    except ValueError as exc:
        raise OpenAIError(400, "We could not parse the JSON body of your request.") from exc
    if not isinstance(body, dict):
        raise OpenAIError(400, "The request body must be a JSON object.")
    return body


def _require_model(body: JsonObject) -> str:
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise OpenAIError(400, "you must provide a model parameter", param="model")
    return model


def _refuse_streaming(body: JsonObject) -> None:
    if body.get("stream"):
        raise OpenAIError(
            400,
            "Streaming is not supported by the test server; call without stream=True.",
            param="stream",
            code="unsupported_parameter",
        )


async def _misbehave(
    state: ServerState, endpoint: Endpoint, user_text: str | None, entry: JsonObject
) -> None:
    """Apply the scripted delay and failure for this request, if any."""
    markers = read_markers(user_text)
    # Taken on arrival, so which of many concurrent requests fails does not depend on timing.
    failure = state.take_failure(endpoint)
    delay = (
        markers.delay_seconds if markers.delay_seconds is not None else state.delay_for(endpoint)
    )
    if delay > 0:
        await asyncio.sleep(delay)
    status = failure or markers.fail_status
    if status:
        entry["status"] = status
        raise injected_failure(status)


# -- /v1 -------------------------------------------------------------------------------------


@v1.post("/chat/completions", summary="Chat Completions (non-streaming)")
async def chat_completions(request: Request, state: StateDep) -> JsonObject:
    body = await _json_object(request)
    model = _require_model(body)
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise OpenAIError(400, "messages must be a non-empty array", param="messages")
    _refuse_streaming(body)
    texts = chat_texts(messages)
    user_text = last_user_text(texts)
    endpoint = Endpoint.TRIAGE if asks_for_triage(body) else Endpoint.CHAT_COMPLETIONS
    entry = state.record(endpoint, {"model": model, "messages": messages})
    await _misbehave(state, endpoint, user_text, entry)
    if endpoint is Endpoint.TRIAGE:
        content = json.dumps(triage_answer(user_text, state.control.triage), ensure_ascii=False)
    else:
        content = daichan_reply(user_text, state.control.replies)
    prompt, completion = prompt_tokens(texts), estimate_tokens(content)
    entry["status"] = 200
    return {
        "id": f"chatcmpl-test{secrets.token_hex(12)}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": content,
                    "refusal": None,
                    "annotations": [],
                },
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        },
        "service_tier": "default",
        "system_fingerprint": "fp_test_server",
    }


@v1.post("/responses", summary="Responses API (non-streaming)")
async def responses(request: Request, state: StateDep) -> JsonObject:
    body = await _json_object(request)
    model = _require_model(body)
    if body.get("input") is None:
        raise OpenAIError(400, "input is required", param="input")
    _refuse_streaming(body)
    instructions = body.get("instructions")
    texts = response_texts(body["input"], instructions)
    user_text = last_user_text(texts)
    entry = state.record(
        Endpoint.RESPONSES,
        {"model": model, "input": body["input"], "instructions": instructions},
    )
    await _misbehave(state, Endpoint.RESPONSES, user_text, entry)
    content = daichan_reply(user_text, state.control.replies)
    prompt, completion = prompt_tokens(texts), estimate_tokens(content)
    entry["status"] = 200
    return {
        "id": f"resp_test{secrets.token_hex(12)}",
        "object": "response",
        "created_at": int(time.time()),
        "status": "completed",
        "model": model,
        "instructions": instructions,
        "output": [
            {
                "id": f"msg_test{secrets.token_hex(12)}",
                "type": "message",
                "role": "assistant",
                "status": "completed",
                "content": [{"type": "output_text", "text": content, "annotations": []}],
            }
        ],
        "usage": {
            "input_tokens": prompt,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": completion,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": prompt + completion,
        },
        "error": None,
        "incomplete_details": None,
        "metadata": body.get("metadata") or {},
        "parallel_tool_calls": True,
        "temperature": body.get("temperature", 1.0),
        "top_p": body.get("top_p", 1.0),
        "tool_choice": "auto",
        "tools": [],
    }


@v1.post("/moderations", summary="Moderation (keyword based, deterministic)")
async def moderations(request: Request, state: StateDep) -> JsonObject:
    body = await _json_object(request)
    texts = moderation_inputs(body.get("input"))
    if not texts:
        raise OpenAIError(400, "input must be a string or an array", param="input")
    model = body.get("model") or "omni-moderation-latest"
    entry = state.record(Endpoint.MODERATIONS, {"model": model, "input": body.get("input")})
    await _misbehave(state, Endpoint.MODERATIONS, None, entry)
    entry["status"] = 200
    return {
        "id": f"modr-test{secrets.token_hex(12)}",
        "model": model,
        "results": [moderate(text, state.control.moderation_flags) for text in texts],
    }


@v1.post("/audio/transcriptions", summary="Speech to text (scripted)", response_model=None)
async def transcriptions(
    *,
    state: StateDep,
    file: Annotated[UploadFile, File()],
    model: Annotated[str, Form()],
    language: Annotated[str | None, Form()] = None,
    response_format: Annotated[str, Form()] = "json",
    include: Annotated[list[str] | None, Form(alias="include[]")] = None,
) -> JsonObject | Response:
    data = await file.read()
    entry = state.record(
        Endpoint.TRANSCRIPTIONS,
        {"model": model, "language": language, "filename": file.filename, "bytes": len(data)},
    )
    await _misbehave(state, Endpoint.TRANSCRIPTIONS, None, entry)
    text = state.control.transcript
    entry["status"] = 200
    if response_format == "text":
        return PlainTextResponse(text)
    if response_format == "verbose_json":
        return {
            "task": "transcribe",
            "language": language or "japanese",
            "duration": 1.0,
            "text": text,
            "segments": [],
        }
    answer: JsonObject = {"text": text, "usage": {"type": "duration", "seconds": 1}}
    if include and "logprobs" in include:
        answer["logprobs"] = transcript_logprobs(text, state.control.transcript_confidence)
    return answer


@v1.get("/models", summary="The model names the test server answers to (it answers to any)")
async def list_models() -> JsonObject:
    return {
        "object": "list",
        "data": [
            {"id": name, "object": "model", "created": 0, "owned_by": "test-server"}
            for name in MODELS
        ],
    }


# -- /control --------------------------------------------------------------------------------


class TriageScript(BaseModel):
    """What the safety triage answers (the JSON schema Dai-chan asks for)."""

    model_config = ConfigDict(extra="forbid")

    routes: list[Literal["emergency", "self_harm", "fraud", "person"]]
    confidence: float = Field(ge=0.0, le=1.0)
    reason: str = Field(default="scripted by the test", max_length=200)


class ControlIn(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")

    delay_seconds: float | None = Field(default=None, ge=0.0, le=600.0)
    fail_next: int | None = Field(default=None, ge=0)
    fail_status: int | None = Field(default=None, ge=400, le=599)
    fail_endpoints: list[Endpoint] | None = None
    replies: dict[str, str] | None = None
    transcript: str | None = None
    moderation_flags: dict[str, list[str]] | None = None
    transcript_confidence: float | None = Field(default=None, gt=0.0, le=1.0)
    triage: dict[str, TriageScript] | None = None

    @model_validator(mode="after")
    def _keys_not_empty(self) -> Self:
        if self.replies and any(not key for key in self.replies):
            raise ValueError("reply keys must not be empty")
        return self


@control_router.get("", summary="The current scripted behaviour")
async def get_control(state: StateDep) -> JsonObject:
    return state.control.to_json()


@control_router.post("", summary="Merge settings into the scripted behaviour")
async def set_control(body: ControlIn, state: StateDep) -> JsonObject:
    control = state.update(
        delay_seconds=body.delay_seconds,
        fail_next=body.fail_next,
        fail_status=body.fail_status,
        fail_endpoints=body.fail_endpoints,
        replies=body.replies,
        transcript=body.transcript,
        moderation_flags=body.moderation_flags,
        transcript_confidence=body.transcript_confidence,
        triage=(
            {key: script.model_dump() for key, script in body.triage.items()}
            if body.triage is not None
            else None
        ),
    )
    return control.to_json()


@control_router.get("/requests", summary="Requests received, oldest first")
async def recorded_requests(state: StateDep) -> JsonObject:
    return {"requests": state.requests()}


@control_router.post("/reset", summary="Default behaviour, no recorded requests")
async def reset(state: StateDep) -> JsonObject:
    state.reset()
    return state.control.to_json()


class RequestId:
    """OpenAI's `x-request-id` on every answer. A plain ASGI middleware, not
    `@app.middleware("http")`, which runs each request in a second task and buffers streams."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["x-request-id"] = f"req_test{secrets.token_hex(12)}"
            await send(message)

        await self.app(scope, receive, send_with_id)


def create_app(settings: OpenAIServerSettings | None = None) -> FastAPI:
    settings = settings or OpenAIServerSettings()
    app = FastAPI(
        title="OpenAI-compatible test server",
        description=(
            "Deterministic stand-in for the OpenAI API in development and tests. "
            "`/control` scripts replies, delays and failures."
        ),
        version="0.1.0",
    )
    app.state.server_state = ServerState(settings)

    @app.exception_handler(OpenAIError)
    async def openai_error(request: Request, exc: OpenAIError) -> Response:
        return exc.response()

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        if not request.url.path.startswith("/v1/"):
            return await request_validation_exception_handler(request, exc)
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        param = ".".join(str(part) for part in first["loc"][1:]) or None
        return OpenAIError(400, str(first["msg"]), param=param).response()

    app.add_middleware(RequestId)

    app.include_router(v1)
    app.include_router(control_router)
    return app
