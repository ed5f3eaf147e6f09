"""The ceiling for `bench.webhook_ingest`: a bare FastAPI `POST /callback` that only checks the
signature and parses the JSON, served the way every service is served (`services.common.serve`:
the same uvicorn settings), so the difference to line_gateway is what the gateway does.

    .venv/bin/python -m bench.webhook_ceiling        # LINE_GATEWAY_PORT, LINE_CHANNEL_SECRET
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.common.serve import serve
from services.common.settings import ServiceSettings


def signature(body: bytes, channel_secret: str) -> str:
    """LINE's `X-Line-Signature`: base64 of HMAC-SHA256 over the raw body."""
    digest = hmac.new(channel_secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def create_app(channel_secret: str) -> FastAPI:
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    @app.post("/callback")
    async def callback(request: Request) -> JSONResponse:
        body = await request.body()
        given = request.headers.get("x-line-signature", "")
        if not hmac.compare_digest(signature(body, channel_secret).encode(), given.encode()):
            return JSONResponse({"message": "Invalid signature."}, status_code=401)
        try:
            events = json.loads(body)["events"]
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"message": "Invalid webhook body."}, status_code=400)
        return JSONResponse({"accepted": len(events), "duplicates": 0, "ignored": 0})

    @app.get("/readyz")
    async def ready() -> dict[str, str]:
        return {"status": "ready"}

    return app


def main() -> None:
    # The gateway's port variable and secret, so the ceiling is started the way the gateway is.
    settings = ServiceSettings(port=int(os.environ["LINE_GATEWAY_PORT"]))
    serve(create_app(os.environ.get("LINE_CHANNEL_SECRET", "dev-channel-secret")), settings)


if __name__ == "__main__":
    main()
