"""The shared on-behalf-of dependency (services.common.auth.web.on_behalf_of) on a bare FastAPI
app: each refusal is a 401 with its English message and one count, a good token its claims."""

# No `from __future__ import annotations`: FastAPI must see the routes' annotations evaluated,
# since they name dependencies local to app_for.

from collections.abc import AsyncIterator
from typing import Annotated
from uuid import uuid4

import httpx
import pytest
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from prometheus_client import REGISTRY

from services.common.auth import delegation, web

SECRET = "test-on-behalf-of-secret-0123456789abcdef"


class Refused(Exception):
    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def app_for(surface: str) -> FastAPI:
    plain = web.on_behalf_of(
        audience=delegation.AI_CHAT,
        scope=delegation.PREFERRED_NAME_SCOPE,
        secret=lambda request: str(request.app.state.secret),
        surface=surface,
    )
    own = web.on_behalf_of(
        audience=delegation.AI_CHAT,
        scope=delegation.PREFERRED_NAME_SCOPE,
        secret=lambda request: str(request.app.state.secret),
        surface=surface,
        refuse=Refused,
    )

    app = FastAPI()
    app.state.secret = SECRET

    @app.get("/plain")
    async def plain_route(
        asking: Annotated[delegation.Delegation, Depends(plain)],
    ) -> dict[str, str]:
        return {"staff_id": asking.staff_id, "scope": asking.scope, "purpose": asking.purpose}

    @app.get("/own")
    async def own_route(asking: Annotated[delegation.Delegation, Depends(own)]) -> dict[str, str]:
        return {"staff_id": asking.staff_id}

    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused) -> JSONResponse:
        return JSONResponse({"reason": exc.reason, "detail": str(exc)}, status_code=418)

    return app


def token(
    *,
    audience: str = delegation.AI_CHAT,
    scope: str = delegation.PREFERRED_NAME_SCOPE,
    secret: str = SECRET,
) -> str:
    return delegation.mint(
        staff_id="staff-1",
        staff_name="田中",
        roles=("agent",),
        purpose="ticket:T-1",
        secret=secret,
        audience=audience,
        scope=scope,
    )


def rejected(surface: str, reason: str) -> float:
    labels = {"where": surface, "reason": reason}
    return REGISTRY.get_sample_value("sslp_rejected_input_total", labels) or 0.0


@pytest.fixture
def surface() -> str:
    return f"test.on_behalf_{uuid4().hex[:8]}"


@pytest.fixture
async def client(surface: str) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app_for(surface))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


@pytest.mark.parametrize(
    ("authorization", "reason", "detail"),
    [
        (None, "missing_credentials", "A helpdesk on-behalf-of token is required."),
        (
            "Basic c3RhZmY6cGFzcw==",
            "missing_credentials",
            "A helpdesk on-behalf-of token is required.",
        ),
        ("Bearer not-a-jwt", "invalid_delegation", "The on-behalf-of token is refused: "),
        (
            lambda: "Bearer " + token(audience=delegation.LENDING),
            "invalid_delegation",
            "The on-behalf-of token is refused: ",
        ),
        (
            lambda: "Bearer " + token(scope=delegation.CONTACT_CARD_SCOPE),
            "invalid_delegation",
            "The on-behalf-of token is refused: the token does not grant ai_chat.preferred_name:read.",
        ),
        (
            lambda: "Bearer " + token(secret="another-secret-0123456789abcdefghijklmnop"),
            "invalid_delegation",
            "The on-behalf-of token is refused: ",
        ),
    ],
    ids=[
        "missing header",
        "wrong scheme",
        "bad token",
        "wrong audience",
        "wrong scope",
        "wrong key",
    ],
)
async def test_a_refused_token_is_a_counted_401_asking_for_a_bearer_token(
    client: httpx.AsyncClient, surface: str, authorization: object, reason: str, detail: str
) -> None:
    header = authorization() if callable(authorization) else authorization
    headers = {"authorization": str(header)} if header is not None else {}
    before = rejected(surface, reason)

    response = await client.get("/plain", headers=headers)

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["detail"].startswith(detail)
    assert rejected(surface, reason) == before + 1


async def test_a_good_token_gives_its_claims(client: httpx.AsyncClient, surface: str) -> None:
    before = rejected(surface, "invalid_delegation") + rejected(surface, "missing_credentials")

    response = await client.get("/plain", headers={"authorization": f"Bearer {token()}"})

    assert response.status_code == 200
    assert response.json() == {
        "staff_id": "staff-1",
        "scope": delegation.PREFERRED_NAME_SCOPE,
        "purpose": "ticket:T-1",
    }
    after = rejected(surface, "invalid_delegation") + rejected(surface, "missing_credentials")
    assert after == before


async def test_a_service_raises_its_own_refusal(client: httpx.AsyncClient, surface: str) -> None:
    response = await client.get("/own", headers={"authorization": "Bearer not-a-jwt"})

    assert response.status_code == 418
    assert response.json()["reason"] == "invalid_delegation"
    assert rejected(surface, "invalid_delegation") == 1


def test_the_default_refusal_is_an_http_401() -> None:
    refusal = web.bearer_refusal("missing_credentials", "no")
    assert isinstance(refusal, HTTPException)
    assert refusal.status_code == 401
