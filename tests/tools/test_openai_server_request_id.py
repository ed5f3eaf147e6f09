"""The test server's `x-request-id`, as OpenAI sends it: on answers, errors and streams alike."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from fastapi import FastAPI, HTTPException
from fastapi.responses import StreamingResponse

from tools.openai_server.app import RequestId


def app_with_request_id() -> FastAPI:
    app = FastAPI()
    app.add_middleware(RequestId)

    @app.get("/ok")
    async def ok() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/refused")
    async def refused() -> dict[str, str]:
        raise HTTPException(429, "slow down")

    @app.get("/stream")
    async def stream() -> StreamingResponse:
        async def chunks() -> AsyncIterator[bytes]:
            for part in (b"data: 1\n\n", b"data: 2\n\n"):
                yield part

        return StreamingResponse(chunks(), media_type="text/event-stream")

    return app


async def test_every_answer_carries_a_fresh_request_id() -> None:
    transport = httpx.ASGITransport(app=app_with_request_id())
    async with httpx.AsyncClient(transport=transport, base_url="http://openai.test") as client:
        answers = [await client.get(path) for path in ("/ok", "/ok", "/refused", "/stream")]
    assert [a.status_code for a in answers] == [200, 200, 429, 200]
    ids = [a.headers["x-request-id"] for a in answers]
    assert all(i.startswith("req_test") and len(i) == len("req_test") + 24 for i in ids)
    assert len(set(ids)) == 4
    assert answers[3].text == "data: 1\n\ndata: 2\n\n"
