"""The shared FastAPI shell's HTTP metrics and error behaviour, with no stack behind it.

Each test builds its own app with a unique service name and routes, and reads the metrics as
deltas, because the Prometheus registry is process-wide.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from uuid import uuid4

import httpx
import pytest
from fastapi import APIRouter, FastAPI, HTTPException
from prometheus_client import REGISTRY
from pydantic import BaseModel

from services.common.web import create_service_app


class Body(BaseModel):
    count: int


def requests_total(method: str, route: str, status: str) -> float:
    labels = {"method": method, "route": route, "status": status}
    return REGISTRY.get_sample_value("sslp_http_requests_total", labels) or 0.0


def seconds_count(method: str, route: str) -> float:
    labels = {"method": method, "route": route}
    return REGISTRY.get_sample_value("sslp_http_request_seconds_count", labels) or 0.0


def app_with(prefix: str) -> FastAPI:
    router = APIRouter()

    @router.get(prefix + "/items/{item_id}")
    async def item(item_id: str) -> dict[str, str]:
        return {"id": item_id}

    @router.get(prefix + "/missing")
    async def missing() -> dict[str, str]:
        raise HTTPException(404, "No such thing.")

    @router.post(prefix + "/bodies")
    async def bodies(body: Body) -> dict[str, int]:
        return {"count": body.count}

    @router.get(prefix + "/broken")
    async def broken() -> dict[str, str]:
        raise RuntimeError("a bug of ours")

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield

    return create_service_app(
        service="t", title="t", description="t", lifespan=lifespan, routers=[router]
    )


@pytest.fixture
def prefix() -> str:
    return f"/t{uuid4().hex[:8]}"


def client_of(app: FastAPI) -> httpx.AsyncClient:
    # raise_app_exceptions=False: answer as a server would (the 500), not raise in the test.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://service.test")


async def test_requests_are_counted_by_route_template_method_and_status(prefix: str) -> None:
    async with client_of(app_with(prefix)) as client:
        assert (await client.get(f"{prefix}/items/a")).status_code == 200
        assert (await client.get(f"{prefix}/items/b")).status_code == 200
        assert (await client.get(f"{prefix}/missing")).status_code == 404
    template = prefix + "/items/{item_id}"
    assert requests_total("GET", template, "200") == 2
    assert seconds_count("GET", template) == 2
    assert requests_total("GET", f"{prefix}/missing", "404") == 1
    assert requests_total("GET", f"{prefix}/items/a", "200") == 0


async def test_unmatched_paths_share_one_label(prefix: str) -> None:
    before = requests_total("GET", "unmatched", "404")
    async with client_of(app_with(prefix)) as client:
        answer = await client.get(f"{prefix}/nowhere/{uuid4().hex}")
    assert answer.status_code == 404
    assert answer.json() == {"message": "Not Found"}
    assert requests_total("GET", "unmatched", "404") == before + 1


async def test_invalid_body_is_a_counted_422_in_the_platform_shape(prefix: str) -> None:
    rejected = {"where": f"{prefix}/bodies", "reason": "validation"}
    async with client_of(app_with(prefix)) as client:
        answer = await client.post(f"{prefix}/bodies", json={"count": "many"})
    assert answer.status_code == 422
    assert answer.json()["message"] == "The request is invalid."
    assert answer.json()["errors"][0]["field"] == "body.count"
    assert requests_total("POST", f"{prefix}/bodies", "422") == 1
    assert REGISTRY.get_sample_value("sslp_rejected_input_total", rejected) == 1


async def test_a_handler_exception_is_a_500_that_reaches_the_server(prefix: str) -> None:
    app = app_with(prefix)
    async with client_of(app) as client:
        answer = await client.get(f"{prefix}/broken")
    assert answer.status_code == 500
    # The exception still propagates out of the app, so uvicorn logs it with its traceback.
    with pytest.raises(RuntimeError, match="a bug of ours"):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://service.test"
        ) as client:
            await client.get(f"{prefix}/broken")


async def test_a_handler_exception_is_counted_as_500(prefix: str) -> None:
    async with client_of(app_with(prefix)) as client:
        assert (await client.get(f"{prefix}/broken")).status_code == 500
    assert requests_total("GET", f"{prefix}/broken", "500") == 1
    assert seconds_count("GET", f"{prefix}/broken") == 1
