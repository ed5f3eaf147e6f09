"""The ceiling checks the signature and parses the JSON, like the gateway's first steps."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from bench.webhook_bodies import flood
from bench.webhook_ceiling import create_app, signature
from services.line_gateway.domain.signature import sign

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SECRET = "bench-secret"


def test_the_signature_is_the_one_line_and_the_gateway_compute() -> None:
    assert signature(b'{"events":[]}', SECRET) == sign(b'{"events":[]}', SECRET)


async def test_a_signed_body_is_accepted_and_anything_else_refused() -> None:
    transport = httpx.ASGITransport(app=create_app(SECRET))
    async with httpx.AsyncClient(transport=transport, base_url="http://ceiling") as client:
        item = flood(1, SECRET, NOW)[0]
        headers = {"x-line-signature": item.signature}
        ok = await client.post("/callback", content=item.body, headers=headers)
        assert ok.status_code == 200
        assert ok.json()["accepted"] == 1
        forged = await client.post("/callback", content=item.body + b" ", headers=headers)
        assert forged.status_code == 401
        junk = b"not json"
        bad = await client.post(
            "/callback", content=junk, headers={"x-line-signature": signature(junk, SECRET)}
        )
        assert bad.status_code == 400
