"""The helpdesk's client for tablet_lending's contact card: what it sends and how it fails.

Down and silent are real sockets; answers it cannot use come from httpx's MockTransport. The real
exchange with tablet_lending runs on the stack in tests/e2e/test_senior_contact_card.py.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time

import httpx
import pytest

from services.common.auth import delegation
from services.helpdesk.clients.lending import Card, LendingContacts, Missing, Names, Unavailable
from services.helpdesk.clients.on_behalf import Staff

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


STAFF = Staff("s-1", "田中", ("agent",), "queue")


async def test_the_queue_names_are_one_call_with_the_names_scope_only() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        rows = [{"participant_id": "P-1", "family_name": "連絡", "given_name": "確子"}]
        return httpx.Response(200, json={"names": rows})

    client = contacts(httpx.MockTransport(answer))
    try:
        found = await client.names(["P-1", "P-2"], staff=STAFF)
    finally:
        await client.close()
    assert found == Names({"P-1": "連絡 確子"})
    [request] = seen
    assert (request.method, request.url.path) == ("POST", "/participants/names")
    assert json.loads(request.content) == {"participant_ids": ["P-1", "P-2"]}
    token = request.headers["authorization"][7:]
    granted = delegation.verify(token, secret=SECRET, scope=delegation.NAMES_SCOPE)
    assert (granted.staff_id, granted.purpose) == ("s-1", "queue")
    with pytest.raises(delegation.InvalidDelegation):  # it opens no contact card
        delegation.verify(token, secret=SECRET)


async def test_queue_names_from_a_lending_service_that_is_down_are_unavailable_at_once() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = LendingContacts(
        base_url=f"http://127.0.0.1:{port}", secret=SECRET, timeout_seconds=0.5
    )
    try:
        assert await client.names(["P-1"], staff=STAFF) == Unavailable("unreachable")
    finally:
        await client.close()


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(401, json={"reason": "invalid_delegation"}),
        httpx.Response(200, json={"names": "x"}),
        httpx.Response(200, json={"names": [{"participant_id": "P-1"}]}),
        httpx.Response(200, text="not json"),
    ],
)
async def test_queue_names_it_cannot_use_are_unavailable(response: httpx.Response) -> None:
    client = contacts(httpx.MockTransport(lambda _request: response))
    try:
        found = await client.names(["P-1"], staff=STAFF)
    finally:
        await client.close()
    assert isinstance(found, Unavailable)
