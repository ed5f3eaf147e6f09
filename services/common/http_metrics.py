"""Per-request HTTP metrics as a plain ASGI middleware.

Not starlette's `BaseHTTPMiddleware` (`@app.middleware("http")`): that one runs the rest of the
app in a second task and passes the body through memory streams, which under a webhook flood was
a third of the gateway's event loop (bench/PROFILE_issue11.md). This one only wraps `send` to
see the status, and costs a function call per message.
"""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.common.metrics import HTTP_REQUEST_SECONDS, HTTP_REQUESTS


def route_template(scope: Scope) -> str:
    """The matched route's template (/tickets/{ticket_id}), never the concrete path, to keep
    labels few; "unmatched" when no route took the request.

    Read from the `route` the router puts in the scope: FastAPI's own `include_router` keeps each
    included router as one entry of `app.router.routes` without a path, so walking those (what
    this once did) labelled every included route "other".
    """
    return str(getattr(scope.get("route"), "path", None) or "unmatched")


class HttpMetricsMiddleware:
    """Counts every HTTP request by method, route template and status, and times it.

    A handler's exception reaches this layer before starlette's outermost error middleware has
    turned it into the 500: it is counted as a 500 here and raised on, so the server still
    answers 500 and logs the traceback.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.monotonic()
        status = 500

        async def send_seeing_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_seeing_status)
        finally:
            route = route_template(scope)
            method = scope["method"]
            HTTP_REQUESTS.labels(method, route, str(status)).inc()
            HTTP_REQUEST_SECONDS.labels(method, route).observe(time.monotonic() - started)
