"""The ceilings for `bench.webhook_ingest`: a bare FastAPI `POST /callback` that only checks the
signature and parses the JSON, served the way every service is served (`services.common.serve`:
the same uvicorn settings), so the difference to line_gateway is what the gateway does.

    .venv/bin/python -m bench.webhook_ceiling            # LINE_GATEWAY_PORT, LINE_CHANNEL_SECRET
    .venv/bin/python -m bench.webhook_ceiling --durable  # + MONGODB_URI

`--durable` is the least any gateway must do that answers only once the events are recorded: the
same, plus one durable write of the body's `webhookEventId`s (an unordered insert, majority write
concern, group-committed across concurrent requests with the gateway's own `GroupCommit`) before
the 200. No transaction, no users, no outbox, nothing sent on: what line_gateway cannot beat.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import sys
from collections.abc import Awaitable, Callable, Sequence

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pymongo import AsyncMongoClient, WriteConcern
from pymongo.errors import BulkWriteError

from services.common.group_commit import GroupCommit
from services.common.serve import serve
from services.common.settings import ServiceSettings

DUPLICATE_KEY = 11000
Record = Callable[[list[str]], Awaitable[int]]


def signature(body: bytes, channel_secret: str) -> str:
    """LINE's `X-Line-Signature`: base64 of HMAC-SHA256 over the raw body."""
    digest = hmac.new(channel_secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def durable_record(mongodb_uri: str) -> Record:
    """Record a body's event ids durably before it is answered; how many were new."""
    clients: list[AsyncMongoClient[dict[str, object]]] = []  # opened on the server's own loop

    async def insert(bodies: Sequence[list[str]]) -> list[int | Exception]:
        if not clients:
            clients.append(AsyncMongoClient(mongodb_uri))
        ids = clients[0]["sslp_ceiling"].get_collection(
            "webhook_events", write_concern=WriteConcern("majority")
        )
        documents: list[dict[str, object]] = [
            {"_id": event_id} for body in bodies for event_id in body
        ]
        try:
            await ids.insert_many(documents, ordered=False)
        except BulkWriteError as error:  # wrk repeats bodies once it ran out: already recorded
            if any(e["code"] != DUPLICATE_KEY for e in error.details["writeErrors"]):
                raise
        return [len(body) for body in bodies]

    group: GroupCommit[list[str], int] = GroupCommit(insert, max_items=64)
    return group.add


def create_app(channel_secret: str, record: Record | None = None) -> FastAPI:
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    @app.post("/callback")
    async def callback(request: Request) -> JSONResponse:
        body = await request.body()
        given = request.headers.get("x-line-signature", "")
        if not hmac.compare_digest(signature(body, channel_secret).encode(), given.encode()):
            return JSONResponse({"message": "Invalid signature."}, status_code=401)
        try:
            events = json.loads(body)["events"]
            ids = [str(event["webhookEventId"]) for event in events]
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"message": "Invalid webhook body."}, status_code=400)
        if record is not None and ids:
            await record(ids)
        return JSONResponse({"accepted": len(events), "duplicates": 0, "ignored": 0})

    @app.get("/readyz")
    async def ready() -> dict[str, str]:
        return {"status": "ready"}

    return app


def main() -> None:
    # The gateway's port variable and secret, so the ceiling is started the way the gateway is.
    settings = ServiceSettings(port=int(os.environ["LINE_GATEWAY_PORT"]))
    record = durable_record(os.environ["MONGODB_URI"]) if "--durable" in sys.argv[1:] else None
    secret = os.environ.get("LINE_CHANNEL_SECRET", "dev-channel-secret")
    serve(create_app(secret, record), settings)


if __name__ == "__main__":
    main()
