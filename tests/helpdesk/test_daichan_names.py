"""The helpdesk's client for ai_chat's 呼び名: what it sends and how it fails (down is a real
socket; answers it cannot use come from httpx's MockTransport). The real exchange runs on the
stack in tests/e2e/test_senior_contact_card.py."""

from __future__ import annotations

import socket

import httpx
import pytest
import uvicorn

from services.common.auth import delegation
from services.helpdesk.clients.daichan import DaichanNames, PreferredName, Unavailable
from services.helpdesk.clients.on_behalf import Staff

SECRET = "test-preferred-name-secret-0123456789abcdef"
STAFF = Staff("s-1", "田中", ("agent",), "ticket:T-1")


async def ask(client: DaichanNames, staff: Staff = STAFF) -> object:
    try:
        return await client.preferred_name("U1/../x", staff=staff)
    finally:
        await client.close()


def daichan(handler: httpx.MockTransport) -> DaichanNames:
    return DaichanNames(
        base_url="http://ai_chat.test", secret=SECRET, timeout_seconds=0.5, transport=handler
    )


async def test_it_asks_ai_chat_as_the_staff_member_for_that_senior_only() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"line_user_id": "U1", "preferred_name": "みっちゃん"})

    assert await ask(daichan(httpx.MockTransport(answer))) == PreferredName("みっちゃん")
    [request] = seen
    assert request.url.raw_path == b"/seniors/U1%2F..%2Fx/preferred-name"
    token = request.headers["authorization"][7:]
    granted = delegation.verify(
        token, secret=SECRET, audience=delegation.AI_CHAT, scope=delegation.PREFERRED_NAME_SCOPE
    )
    assert (granted.staff_id, granted.purpose) == ("s-1", "ticket:T-1")


async def test_no_helpdesk_role_no_request() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"preferred_name": None})

    with pytest.raises(delegation.NotAllowed):
        await ask(daichan(httpx.MockTransport(answer)), Staff("s-1", "x", ("admin",), "t"))
    assert seen == []


async def test_an_ai_chat_that_is_down_is_unavailable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = DaichanNames(base_url=f"http://127.0.0.1:{port}", secret=SECRET, timeout_seconds=0.5)
    assert await ask(client) == Unavailable("unreachable")


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (httpx.Response(200, json={"preferred_name": None}), PreferredName(None)),
        (httpx.Response(200, json={"preferred_name": ""}), Unavailable("malformed")),
        (httpx.Response(200, json={"preferred_name": 3}), Unavailable("malformed")),
        (httpx.Response(200, json={}), Unavailable("malformed")),
        (httpx.Response(401, json={"message": "refused"}), Unavailable("status_401")),
        (httpx.Response(200, text="not json"), Unavailable("malformed")),
    ],
)
async def test_answers_it_cannot_use_are_no_name(
    response: httpx.Response, expected: object
) -> None:
    assert await ask(daichan(httpx.MockTransport(lambda _request: response))) == expected


async def test_idle_connections_are_dropped_before_the_services_uvicorn_closes_them() -> None:
    """A request on a connection the server closes that instant fails as "Server disconnected":
    the pool must give idle connections up before uvicorn's keep-alive ends (both 5 s by
    default), so a card never says unavailable because a connection aged."""
    server_keep_alive = uvicorn.Config(app="services.ai_chat.app:create_app").timeout_keep_alive
    client = DaichanNames(base_url="http://ai_chat.test", secret=SECRET, timeout_seconds=0.5)
    try:
        pool = client._client._http._transport._pool  # type: ignore[attr-defined]
        assert pool._keepalive_expiry < server_keep_alive
    finally:
        await client.close()
