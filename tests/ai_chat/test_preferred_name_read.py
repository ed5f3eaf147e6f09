"""ai_chat's one staff read: the name a senior told Dai-chan to call them by, for the helpdesk's
on-behalf-of token only, audited, nothing else of the memory, nothing cached (real mongod; the
endpoint in an app of its own over httpx's ASGI transport)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.ai_chat.api.preferred_name import StaffReads, router
from services.ai_chat.settings import AiChatSettings
from services.ai_chat.store import SeniorRepository
from services.common.auth import AuditLog, delegation, issue_token
from services.common.store import MongoStore
from services.common.time import utcnow
from services.common.web import create_service_app

SECRET = "test-preferred-name-secret-0123456789abcdef"
LENDING_SECRET = "test-lending-contact-secret-0123456789abcdef"
USER = "U" + "a" * 32
PATH = f"/seniors/{USER}/preferred-name"


def token(**overrides: Any) -> str:
    arguments: dict[str, Any] = {
        "staff_id": "helpdesk-staff-3",
        "staff_name": "田中 (担当)",
        "roles": ("agent",),
        "purpose": "ticket:T-9",
        "secret": SECRET,
        "audience": delegation.AI_CHAT,
        "scope": delegation.PREFERRED_NAME_SCOPE,
    }
    return delegation.mint(**(arguments | overrides))


def bearer(value: str) -> dict[str, str]:
    return {"authorization": f"Bearer {value}"}


@pytest.fixture
async def ai_chat(store: MongoStore) -> AsyncIterator[httpx.AsyncClient]:
    await store.ensure_indexes(
        [SeniorRepository.indexes(), AuditLog.indexes(retention=timedelta(days=1))]
    )
    await store.collection("seniors").insert_one(
        {
            "_id": USER,
            "memory": {
                "preferred_name": "みっちゃん",
                "summary": "孫が東京にいる",
                "interests": ["俳句"],
                "turns": [{"role": "senior", "text": "みっちゃんって呼んで", "at": utcnow()}],
            },
        }
    )

    @asynccontextmanager
    async def nothing(_app: FastAPI) -> AsyncIterator[None]:
        yield

    # The platform's app (its error shape), with the router ai_chat serves; no lifespan runs here.
    app = create_service_app(
        service="ai_chat", title="t", description="t", lifespan=nothing, routers=[router]
    )
    app.state.staff_reads = StaffReads(
        seniors=SeniorRepository(store), audit=AuditLog(store), secret=SECRET
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://ai_chat.test") as client:
        yield client


async def audit_entries(store: MongoStore) -> list[dict[str, Any]]:
    return await store.collection("audit_log").find({}, {"_id": 0}).to_list()


async def test_the_helpdesk_token_reads_the_name_and_nothing_else_and_it_is_audited(
    ai_chat: httpx.AsyncClient, store: MongoStore
) -> None:
    response = await ai_chat.get(PATH, headers=bearer(token()))
    assert response.status_code == 200, response.text
    assert response.json() == {"line_user_id": USER, "preferred_name": "みっちゃん"}
    assert response.headers["cache-control"] == "no-store"
    [entry] = await audit_entries(store)
    assert entry["actor"] == "helpdesk-staff-3"
    assert entry["action"] == "senior.preferred_name.read"
    assert entry["subject"] == USER
    assert entry["details"]["channel"] == "helpdesk"
    assert entry["details"]["purpose"] == "ticket:T-9"
    assert entry["details"]["found"] is True
    assert "みっちゃん" not in str(entry)  # the audit says who looked, not what they saw


async def test_nothing_is_cached_an_erased_memory_answers_no_name_at_once(
    ai_chat: httpx.AsyncClient, store: MongoStore
) -> None:
    assert (await ai_chat.get(PATH, headers=bearer(token()))).json()["preferred_name"]
    await store.collection("seniors").update_one({"_id": USER}, {"$unset": {"memory": ""}})
    again = await ai_chat.get(PATH, headers=bearer(token()))
    assert again.json() == {"line_user_id": USER, "preferred_name": None}
    unknown = await ai_chat.get(f"/seniors/U{'b' * 32}/preferred-name", headers=bearer(token()))
    assert unknown.status_code == 200
    assert unknown.json()["preferred_name"] is None
    assert [e["details"]["found"] for e in await audit_entries(store)] == [True, False, False]


async def test_everything_but_the_helpdesk_token_for_this_read_is_refused(
    ai_chat: httpx.AsyncClient, store: MongoStore
) -> None:
    session, _ = issue_token(
        sub="staff-1",
        name="x",
        roles=("agent",),
        secret=SECRET,
        ttl=timedelta(minutes=5),
        audience=delegation.AI_CHAT,
    )
    refused = {
        "no token": {},
        "not a bearer": {"authorization": f"Basic {token()}"},
        "garbage": bearer("not.a.jwt"),
        "a staff session under the same key": bearer(session),
        "the lending key": bearer(token(secret=LENDING_SECRET)),
        "a token for tablet_lending": bearer(token(audience=delegation.LENDING)),
        "the contact-card scope": bearer(token(scope=delegation.CONTACT_CARD_SCOPE)),
        "expired": bearer(token(ttl=timedelta(seconds=-5))),
    }
    for why, headers in refused.items():
        response = await ai_chat.get(PATH, headers=headers)
        assert response.status_code == 401, why
        assert response.json()["message"].isascii(), why
        assert "みっちゃん" not in response.text, why
    too_long = await ai_chat.get(f"/seniors/{'U' * 65}/preferred-name", headers=bearer(token()))
    assert too_long.status_code == 422
    assert await audit_entries(store) == []


def test_production_ai_chat_needs_a_real_preferred_name_key() -> None:
    with pytest.raises(ValueError, match="PREFERRED_NAME_SECRET"):
        AiChatSettings(environment="production")
    with pytest.raises(ValueError, match="PREFERRED_NAME_SECRET needs at least 32"):
        AiChatSettings(environment="production", preferred_name_secret="short")
    assert AiChatSettings(environment="production", preferred_name_secret=SECRET)
