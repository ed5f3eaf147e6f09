"""The LINE Platform simulator's FastAPI app: Messaging API, control API and the demo page."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.common.time import utcnow
from tools.line_simulator import control_api, messaging_api
from tools.line_simulator.errors import LineError
from tools.line_simulator.redelivery import RedeliveryPolicy, WebhookDelivery
from tools.line_simulator.settings import SimulatorSettings
from tools.line_simulator.state import LinePlatform
from tools.line_simulator.webhooks import WebhookSender

STATIC_DIR = Path(__file__).with_name("static")

# Which simulated endpoint a Messaging API path belongs to, for the request log.
_ENDPOINT_NAMES = (
    ("/v2/bot/message/reply", "reply"),
    ("/v2/bot/message/push", "push"),
    ("/v2/bot/message/multicast", "multicast"),
    ("/v2/bot/chat/loading/start", "loading"),
    ("/v2/bot/profile/", "profile"),
    ("/v2/bot/message/quota", "quota"),
    ("/v2/bot/richmenu", "richmenu"),
    ("/v2/bot/user/", "richmenu"),
)


def _endpoint_name(path: str) -> str:
    for prefix, name in _ENDPOINT_NAMES:
        if path.startswith(prefix):
            return name
    return "content" if path.endswith(("/content", "/transcoding")) else "other"


class LineRequestLog:
    """Every /v2/ call in the platform's request log, with the request id LINE puts on every
    answer, errors included (sends set their own)."""

    def __init__(self, app: ASGIApp, platform: LinePlatform) -> None:
        self.app = app
        self.platform = platform

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v2/"):
            await self.app(scope, receive, send)
            return
        started = time.monotonic()
        answer: dict[str, Any] = {}

        async def send_with_request_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                request_id = headers.get("x-line-request-id") or str(uuid.uuid4())
                headers["x-line-request-id"] = request_id
                answer.update(status=message["status"], request_id=request_id)
            await send(message)

        await self.app(scope, receive, send_with_request_id)
        path = scope["path"]
        self.platform.log_request(
            {
                "at": utcnow().isoformat(),
                "method": scope["method"],
                "path": path,
                "endpoint": _endpoint_name(path),
                "status": answer.get("status"),
                "retryKey": Headers(scope=scope).get("x-line-retry-key"),
                "requestId": answer.get("request_id"),
                "elapsedMs": int((time.monotonic() - started) * 1000),
            }
        )


def create_app(settings: SimulatorSettings | None = None) -> FastAPI:
    settings = settings or SimulatorSettings()
    platform = LinePlatform(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        sender = WebhookSender(
            url=settings.webhook_url,
            channel_secret=settings.channel_secret,
            timeout_seconds=settings.webhook_timeout_seconds,
        )
        delivery = WebhookDelivery(
            sender=sender,
            destination=settings.bot_user_id,
            policy=RedeliveryPolicy(
                enabled=settings.webhook_redelivery,
                first_delay_seconds=settings.webhook_redelivery_first_delay_seconds,
                max_delay_seconds=settings.webhook_redelivery_max_delay_seconds,
                max_attempts=settings.webhook_redelivery_max_attempts,
            ),
        )
        app.state.webhooks = sender
        app.state.delivery = delivery
        try:
            yield
        finally:
            await delivery.close()
            await sender.close()

    app = FastAPI(
        title="LINE Platform simulator",
        description=(
            "A stand-in for the LINE Platform in development and tests: it sends webhooks signed "
            "with the channel secret and answers the Messaging API calls line_gateway makes, "
            "under LINE's own paths and error shapes. `/sim/...` drives it; `/` is a demo chat."
        ),
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.platform = platform

    @app.exception_handler(LineError)
    async def line_error(request: Request, exc: LineError) -> Response:
        return exc.response()

    # A plain ASGI middleware, not `@app.middleware("http")`: that one runs each request in a
    # second task behind memory streams, CPU the simulator takes from the services it serves on
    # the same cores (bench/PROFILE_issue11.md).
    app.add_middleware(LineRequestLog, platform=platform)

    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html; charset=utf-8")

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(messaging_api.router)
    app.include_router(control_api.router)
    return app
