"""The cluster mode's load balancer in front of the line_gateway instances (LINE calls one URL).

    python -m tools.devstack.balancer     # WEBHOOK_BALANCER_PORT, WEBHOOK_BALANCER_UPSTREAMS

Round robin over the upstreams; a request goes to the next one only when the connection could
not be made (the instance is down), never once it was sent: a webhook is a POST, and like nginx's
default (`proxy_next_upstream error timeout`, non-idempotent requests excluded) the balancer
leaves a request whose fate is unknown to LINE's redelivery, which the gateway deduplicates.
In production this is the Kubernetes Service or the cloud load balancer in front of the pods.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import AsyncIterator

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

# Hop-by-hop headers and the ones httpx recomputes are not forwarded.
DROPPED_HEADERS = {"host", "content-length", "connection", "transfer-encoding", "keep-alive"}


def create_app(upstreams: list[str]) -> Starlette:
    turn = itertools.cycle(range(len(upstreams)))
    client = httpx.AsyncClient(timeout=httpx.Timeout(30.0, connect=2.0))

    async def forward(request: Request) -> Response:
        body = await request.body()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in DROPPED_HEADERS}
        first = next(turn)
        for step in range(len(upstreams)):
            upstream = upstreams[(first + step) % len(upstreams)]
            try:
                answer = await client.request(
                    request.method,
                    f"{upstream}{request.url.path}",
                    params=request.query_params,
                    content=body,
                    headers=headers,
                )
            except httpx.ConnectError:
                continue
            except httpx.HTTPError:
                return Response("upstream failed mid-request", status_code=502)
            kept = {k: v for k, v in answer.headers.items() if k.lower() not in DROPPED_HEADERS}
            kept.pop("content-encoding", None)
            return Response(answer.content, status_code=answer.status_code, headers=kept)
        return Response("no upstream reachable", status_code=502)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        await client.aclose()

    return Starlette(
        routes=[Route("/{path:path}", forward, methods=["GET", "POST", "PUT", "DELETE"])],
        lifespan=lifespan,
    )


def main() -> None:
    upstreams = [u for u in os.environ["WEBHOOK_BALANCER_UPSTREAMS"].split(",") if u]
    port = int(os.environ["WEBHOOK_BALANCER_PORT"])
    print(f"balancing 127.0.0.1:{port} over {', '.join(upstreams)}", flush=True)
    uvicorn.run(create_app(upstreams), host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
