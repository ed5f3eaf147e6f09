"""The FastAPI shell every service shares: health, readiness, metrics, errors, request limits,
and the API docs.

The docs (Swagger UI at `/docs`, ReDoc at `/redoc`) load their scripts and styles from the service
itself, from the files the `fastapi-offline` package ships, never from a CDN: a programme office
on a closed network, or a laptop on a train, still gets a working page. The service root
redirects to the service's own page, or to the docs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import APIRouter, FastAPI, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.common.http_metrics import HttpMetricsMiddleware, route_template
from services.common.metrics import REJECTED_INPUT
from services.common.runtime import Runtime

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]

DOCS_ASSETS = Path(fastapi_offline.__file__).resolve().parent / "static"
DOCS_ASSET_TYPES = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "redoc.standalone.js": "text/javascript",
    "favicon.png": "image/png",
}


def create_service_app(
    *,
    service: str,
    title: str,
    description: str,
    lifespan: Lifespan,
    routers: Sequence[APIRouter] = (),
    home: str = "/docs",
) -> FastAPI:
    """`home` is where the service root (`/`) sends a browser: its own page, or the docs."""
    app = FastAPI(
        title=title,
        description=description,
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.service = service

    app.add_middleware(HttpMetricsMiddleware)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # One error shape across the platform's APIs: {"message": ...}.
        return JSONResponse(
            {"message": exc.detail}, status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(RequestValidationError)
    async def reject_invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        REJECTED_INPUT.labels(route_template(request.scope), "validation").inc()
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
    app.include_router(_docs_router(title=title, home=home))
    for router in routers:
        app.include_router(router)
    return app


def _docs_router(*, title: str, home: str) -> APIRouter:
    docs = APIRouter(include_in_schema=False)
    assets = "/docs/assets"

    @docs.get("/")
    async def root() -> RedirectResponse:
        return RedirectResponse(home)

    @docs.get("/docs")
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title=f"{title} - API",
            oauth2_redirect_url="/docs/oauth2-redirect",
            swagger_js_url=f"{assets}/swagger-ui-bundle.js",
            swagger_css_url=f"{assets}/swagger-ui.css",
            swagger_favicon_url=f"{assets}/favicon.png",
        )

    @docs.get("/docs/oauth2-redirect")
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @docs.get("/redoc")
    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url="/openapi.json",
            title=f"{title} - API",
            redoc_js_url=f"{assets}/redoc.standalone.js",
            redoc_favicon_url=f"{assets}/favicon.png",
            with_google_fonts=False,
        )

    @docs.get(assets + "/{name}")
    async def docs_asset(name: str) -> FileResponse:
        # Only the named files: the path is never a way into the package's folder.
        if name not in DOCS_ASSET_TYPES:
            raise HTTPException(404, "Not found.")
        return FileResponse(
            DOCS_ASSETS / name,
            media_type=DOCS_ASSET_TYPES[name],
            headers={"Cache-Control": "public, max-age=86400"},
        )

    return docs


def error(status_code: int, message: str, **extra: Any) -> JSONResponse:
    """An English API error with a stable shape: {"message": ..., ...}."""
    return JSONResponse({"message": message, **extra}, status_code=status_code)
