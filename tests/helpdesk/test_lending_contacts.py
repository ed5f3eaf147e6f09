"""The helpdesk's client for tablet_lending's contact card: what it sends and how it fails.

Down and silent are real sockets; answers it cannot use come from httpx's MockTransport. The real
exchange with tablet_lending runs on the stack in tests/e2e/test_senior_contact_card.py.
"""

from __future__ import annotations

import asyncio
import socket
import time

import httpx
import pytest

from services.common.auth import delegation
from services.helpdesk.clients.lending import Card, LendingContacts, Missing, Unavailable

SECRET = "test-lending-contact-secret-0123456789abcdef"


def contacts(handler: httpx.MockTransport) -> LendingContacts:
    return LendingContacts(
        base_url="http://lending.test", secret=SECRET, timeout_seconds=0.5, transport=handler
    )


async def ask(client: LendingContacts, roles: tuple[str, ...] = ("agent",)) -> object:
    try:
        return await client.card(
            "P-1/../x", staff_id="s-1", staff_name="田中", roles=roles, purpose="ticket:T-1"
        )
    finally:
        await client.close()


async def test_it_asks_as_the_staff_member_for_that_participant_only() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"family_name": "連絡"})

    found = await ask(contacts(httpx.MockTransport(answer)))
    assert found == Card({"family_name": "連絡"})
    [request] = seen
    # The id is one path segment, whatever it holds.
    assert request.url.raw_path == b"/participants/P-1%2F..%2Fx/contact"
    granted = delegation.verify(request.headers["authorization"][7:], secret=SECRET)
    assert (granted.staff_id, granted.actor, granted.purpose) == ("s-1", "helpdesk", "ticket:T-1")


async def test_no_helpdesk_role_no_request() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={})

    with pytest.raises(delegation.NotAllowed):
        await ask(contacts(httpx.MockTransport(answer)), roles=("admin",))
    assert seen == []


async def test_a_lending_service_that_is_down_is_unavailable() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = LendingContacts(
        base_url=f"http://127.0.0.1:{port}", secret=SECRET, timeout_seconds=0.5
    )
    assert await ask(client) == Unavailable("unreachable")


async def test_a_lending_service_that_does_not_answer_is_unavailable_within_the_timeout() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1)
        await asyncio.sleep(10)

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = LendingContacts(
        base_url=f"http://127.0.0.1:{port}", secret=SECRET, timeout_seconds=0.3
    )
    started = time.monotonic()
    try:
        assert await ask(client) == Unavailable("timeout")
    finally:
        server.close()
    assert time.monotonic() - started < 2


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (httpx.Response(404, json={"reason": "erased"}), Missing("erased")),
        (httpx.Response(404, text="not json"), Missing("unknown")),
        (httpx.Response(401, json={"reason": "invalid_delegation"}), Unavailable("status_401")),
        (httpx.Response(500, text="boom"), Unavailable("status_500")),
        (httpx.Response(200, text="not json"), Unavailable("malformed")),
        (httpx.Response(200, json=["a list"]), Unavailable("malformed")),
    ],
)
async def test_answers_it_cannot_use_are_not_a_card(
    response: httpx.Response, expected: object
) -> None:
    assert await ask(contacts(httpx.MockTransport(lambda _request: response))) == expected
