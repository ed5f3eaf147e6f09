"""The FastAPI shell every service shares: health, readiness, metrics, errors, request limits."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from services.common.metrics import HTTP_REQUEST_SECONDS, HTTP_REQUESTS, REJECTED_INPUT
from services.common.runtime import Runtime

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def _route_template(request: Request) -> str:
    # Label by template (/tickets/{ticket_id}), never by the concrete path, to keep labels few.
    for candidate in request.app.router.routes:
        match, _ = candidate.matches(request.scope)
        if match is Match.FULL:
            return str(getattr(candidate, "path", "other"))
    return "unmatched"


def create_service_app(
    *,
    service: str,
    title: str,
    description: str,
    lifespan: Lifespan,
    routers: Sequence[APIRouter] = (),
) -> FastAPI:
    app = FastAPI(title=title, description=description, version="0.1.0", lifespan=lifespan)
    app.state.service = service

    @app.middleware("http")
    async def record_http_metrics(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.monotonic()
        response = await call_next(request)
        route = _route_template(request)
        HTTP_REQUESTS.labels(request.method, route, str(response.status_code)).inc()
        HTTP_REQUEST_SECONDS.labels(request.method, route).observe(time.monotonic() - started)
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # One error shape across the platform's APIs: {"message": ...}.
        return JSONResponse(
            {"message": exc.detail}, status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(RequestValidationError)
    async def reject_invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        REJECTED_INPUT.labels(_route_template(request), "validation").inc()
        return JSONResponse(
            status_code=422,
            content={
                "message": "The request is invalid.",
                "errors": [
                    {"field": ".".join(str(p) for p in e["loc"]), "problem": e["msg"]}
                    for e in exc.errors()
                ],
            },
        )

    health = APIRouter(tags=["operations"])

    @health.get("/healthz", summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": service}

    @health.get("/readyz", summary="Kafka and MongoDB are reachable and consumers run")
    async def readyz(request: Request) -> JSONResponse:
        runtime: Runtime | None = getattr(request.app.state, "runtime", None)
        if runtime is None:
            return JSONResponse({"status": "starting", "checks": {}}, status_code=503)
        checks = await runtime.readiness()
        ready = all(value == "ok" for value in checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "checks": checks},
            status_code=200 if ready else 503,
        )

    @health.get("/metrics", summary="Prometheus metrics", response_class=Response)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    app.include_router(health)
    for router in routers:
        app.include_router(router)
    return app


def error(status_code: int, message: str, **extra: Any) -> JSONResponse:
    """An English API error with a stable shape: {"message": ..., ...}."""
    return JSONResponse({"message": message, **extra}, status_code=status_code)
