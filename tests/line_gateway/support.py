"""Helpers for line_gateway's tests on the real stack: Kafka, the gateway's MongoDB, /metrics."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

import httpx
from pymongo import AsyncMongoClient

from services.common.events import Contract, Envelope
from services.common.events.contracts.lending import LinkCodeIssuedV2
from services.common.link_codes import link_code_digest
from services.common.time import utcnow
from tests.fixtures.events import keyed_events, publish_event, wait_keyed_events
from tests.fixtures.stack import LINK_CODE_SECRET
from tests.fixtures.waiting import eventually
from tools.devstack.stack import GATEWAY_SENDER, Stack

GATEWAY_DB = "sslp_line_gateway"


async def publish(stack: Stack, topic: str, *, key: str, data: Contract, source: str) -> None:
    """Produce an event as another service would (the real producer, a real envelope)."""
    await publish_event(stack, topic, key, data, source=source)


async def events_for(stack: Stack, topic: str, key: str) -> list[Contract]:
    return [event.data for event in await keyed_events(stack, topic, key)]


async def wait_for_events(
    stack: Stack, topic: str, key: str, *, kind: type[Contract], count: int = 1, timeout=20.0
) -> list[Any]:
    def of_kind(events: list[Envelope[Contract]]) -> list[Contract]:
        return [e.data for e in events if isinstance(e.data, kind)]

    found = await wait_keyed_events(
        stack, topic, key, lambda events: len(of_kind(events)) >= count, timeout=timeout
    )
    return of_kind(found)


@asynccontextmanager
async def gateway_db(stack: Stack) -> AsyncIterator[Any]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo.uri, tz_aware=True)
    try:
        yield client[GATEWAY_DB]
    finally:
        await client.close()


async def gateway_user(stack: Stack, user_id: str) -> dict[str, Any] | None:
    async with gateway_db(stack) as db:
        found: dict[str, Any] | None = await db.line_users.find_one({"_id": user_id})
        return found


async def metrics(stack: Stack) -> str:
    """Both gateway processes' /metrics (webhook and sender role), one after the other: a
    counter read with `metric` is their sum, as Prometheus would add them."""
    async with httpx.AsyncClient() as client:
        texts = [
            (await client.get(f"{stack.config.url(name)}/metrics")).text
            for name in ("line_gateway", GATEWAY_SENDER)
        ]
    return "\n".join(texts)


def metric(text: str, name: str, labels: Mapping[str, str] | None = None) -> float:
    """The sum of every sample of `name` whose labels include `labels` (0 when none)."""
    total = 0.0
    for line in text.splitlines():
        match = re.fullmatch(rf"{re.escape(name)}(?:\{{(.*)\}})? (\S+)", line)
        if match is None:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1) or ""))
        if all(found.get(k) == v for k, v in (labels or {}).items()):
            total += float(match.group(2))
    return total


def new_code() -> str:
    return f"{secrets.randbelow(10**8):08d}"


async def issue_link_code(
    stack: Stack, *, participant_id: str, code: str, expires_in: timedelta = timedelta(days=7)
) -> None:
    """Publish `lending.link_code.issued` as tablet_lending does, and wait until the gateway has it."""
    digest = link_code_digest(secret=LINK_CODE_SECRET, code=code)
    expires_at: datetime = utcnow() + expires_in
    await publish(
        stack,
        "lending.events",
        key=participant_id,
        data=LinkCodeIssuedV2(
            participant_id=participant_id, code_digest=digest, expires_at=expires_at
        ),
        source="tablet_lending",
    )

    async def stored() -> bool:
        async with gateway_db(stack) as db:
            return await db.link_codes.find_one({"_id": digest}) is not None

    assert await eventually(stored, bool, timeout=20), "the gateway never stored the link code"


def signed_body(events: list[dict[str, Any]]) -> str:
    return json.dumps({"destination": "U" + "0" * 32, "events": events}, ensure_ascii=False)


def raw_event(event_type: str, **fields: Any) -> dict[str, Any]:
    """A webhook event of any type, as LINE would send it."""
    event: dict[str, Any] = {
        "type": event_type,
        "mode": "active",
        "timestamp": int(utcnow().timestamp() * 1000),
        "webhookEventId": "01" + secrets.token_hex(12).upper(),
        "deliveryContext": {"isRedelivery": False},
    }
    event.update(fields)
    return event
