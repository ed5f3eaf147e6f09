"""Staff see whom they help: the senior's contact card, read from tablet_lending on the staff
member's behalf when a ticket is opened, audited there, kept nowhere in the helpdesk."""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient

from services.common.auth import delegation
from tests.fixtures.line import new_user_id
from tests.fixtures.stack import LENDING_CONTACT_SECRET
from tests.fixtures.waiting import eventually
from tests.helpdesk.support import Staff, help_request, publish
from tests.tablet_lending.support import LendingApi, link
from tools.devstack.stack import Stack


def fresh_phone() -> str:
    return f"06-{secrets.randbelow(9000) + 1000}-{secrets.randbelow(9000) + 1000}"


async def cards_counted(stack: Stack, outcome: str) -> float:
    async with httpx.AsyncClient() as client:
        text = (await client.get(f"{stack.config.url('helpdesk')}/metrics")).text
    found = re.search(
        rf'^sslp_helpdesk_contact_cards_total{{outcome="{outcome}"}} ([0-9.e+]+)$', text, re.M
    )
    assert found, f"no {outcome} contact cards on /metrics"
    return float(found.group(1))


def token(**overrides: Any) -> str:
    arguments: dict[str, Any] = {
        "staff_id": "helpdesk-staff-7",
        "staff_name": "試験 (担当)",
        "roles": ("agent",),
        "purpose": "ticket:T-test",
        "secret": LENDING_CONTACT_SECRET,
    }
    return delegation.mint(**(arguments | overrides))


async def enrolled_with_loan(api: LendingApi, boss: LendingApi, phone: str) -> str:
    cohort = await api.cohort()
    response = await api.apply(
        cohort["cohort_id"], family_name="連絡", given_name="確子", phone=phone
    )
    assert response.status_code == 201, response.text
    participant_id = str(response.json()["participant_id"])
    await boss.draw(cohort["cohort_id"])
    await api.attended_explanatory(cohort["cohort_id"], [participant_id])
    await api.lend(participant_id)
    return participant_id


@pytest.fixture
async def lending(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    """tablet_lending without a staff session: what the helpdesk's client sees."""
    async with httpx.AsyncClient(
        base_url=stack.config.url("tablet_lending"), timeout=20.0
    ) as client:
        yield client


async def test_the_card_answers_the_helpdesk_token_and_audits_the_staff_member(
    stack: Stack, api: LendingApi, boss: LendingApi, lending: httpx.AsyncClient
) -> None:
    phone = fresh_phone()
    participant_id = await enrolled_with_loan(api, boss, phone)

    answered = await lending.get(
        f"/participants/{participant_id}/contact",
        headers={"authorization": f"Bearer {token()}"},
    )
    assert answered.status_code == 200, answered.text
    assert answered.headers["cache-control"] == "no-store"
    card = answered.json()
    assert (card["family_name"], card["given_name"], card["phone"]) == ("連絡", "確子", phone)
    assert card["area_name"]
    assert card["loan"]["device_model"]
    assert card["loan"]["overdue"] is False

    trail = await boss.ok("GET", f"/participants/{participant_id}/audit")
    [read] = [entry for entry in trail if entry["action"] == "participant.contact.read"]
    assert read["actor"] == "helpdesk-staff-7"
    assert read["details"]["channel"] == "helpdesk"
    assert read["details"]["purpose"] == "ticket:T-test"
    assert phone not in str(trail)


async def test_the_card_refuses_everything_but_the_helpdesk_token(
    stack: Stack, api: LendingApi, boss: LendingApi, lending: httpx.AsyncClient
) -> None:
    participant_id = await enrolled_with_loan(api, boss, fresh_phone())
    path = f"/participants/{participant_id}/contact"
    session = api.http.headers["authorization"]
    refused = {
        "no token": {},
        "a lending staff session": {"authorization": session},
        "an expired token": {"authorization": f"Bearer {token(ttl=timedelta(seconds=-5))}"},
        "another key": {
            "authorization": f"Bearer {token(secret='another-secret-0123456789abcdefghijk')}"
        },
        "garbage": {"authorization": "Bearer not.a.jwt"},
    }
    for why, headers in refused.items():
        response = await lending.get(path, headers=headers)
        assert response.status_code == 401, why
        body = response.json()
        assert body["reason"] in ("missing_credentials", "invalid_delegation"), why
        assert body["message"].isascii(), why
        assert body["message_ja"], why

    unknown = await lending.get(
        "/participants/P-nobody/contact", headers={"authorization": f"Bearer {token()}"}
    )
    assert unknown.status_code == 404
    assert unknown.json()["reason"] == "unknown_participant"
    too_long = await lending.get(
        f"/participants/{'x' * 65}/contact", headers={"authorization": f"Bearer {token()}"}
    )
    assert too_long.status_code == 422

    # The delegation token opens nothing else: not the participant, lists, call lists or me.
    delegated = {"authorization": f"Bearer {token()}"}
    for other in (
        f"/participants/{participant_id}",
        "/participants",
        "/loans/calls?due=overdue",
        "/auth/me",
        f"/participants/{participant_id}/audit",
    ):
        response = await lending.get(other, headers=delegated)
        assert response.status_code == 401, other
    trail = await boss.ok("GET", f"/participants/{participant_id}/audit")
    assert not [entry for entry in trail if entry["action"] == "participant.contact.read"]


async def test_staff_opening_a_linked_seniors_ticket_see_name_and_phone_kept_nowhere(
    stack: Stack, api: LendingApi, boss: LendingApi
) -> None:
    phone = fresh_phone()
    participant_id = await enrolled_with_loan(api, boss, phone)
    user = await link(stack, api, participant_id)
    tanaka = await Staff.login(stack, "tanaka")
    me = (await tanaka.get("/staff/api/me")).json()
    # ai_chat names the participant line_gateway stamped on the senior's message: the helpdesk
    # keeps no link of its own.
    await publish(
        stack, "helpdesk.requests", user, help_request(user, participant_id=participant_id)
    )
    [found] = await tanaka.wait_ticket_of(user)
    await eventually(
        lambda: tanaka.ticket(str(found["id"])),
        lambda t: t["context"]["participant_id"] == participant_id,
    )

    counted = await cards_counted(stack, "found")
    response = await tanaka.get(f"/staff/api/tickets/{found['id']}/senior")
    assert response.status_code == 200, response.text
    assert await cards_counted(stack, "found") == counted + 1
    assert response.headers["cache-control"] == "no-store"
    senior = response.json()
    assert senior["status"] == "found"
    assert senior["participant_id"] == participant_id
    assert (senior["card"]["family_name"], senior["card"]["phone"]) == ("連絡", phone)

    trail = await boss.ok("GET", f"/participants/{participant_id}/audit")
    [read] = [entry for entry in trail if entry["action"] == "participant.contact.read"]
    assert read["actor"] == me["id"]
    assert read["details"]["channel"] == "helpdesk"
    assert read["details"]["staff_name"] == me["name"]
    assert read["details"]["purpose"] == f"ticket:{found['id']}"

    # Nothing of the card stays in the helpdesk: not in its database, not in its log.
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo.uri)
    try:
        database = client["sslp_helpdesk"]
        for name in await database.list_collection_names():
            async for document in database[name].find({}):
                assert phone not in str(document), name
    finally:
        await client.close()
    log = stack.apps["helpdesk"].log_path.read_text(errors="replace")
    assert phone not in log
    assert phone.replace("-", "") not in log
    await tanaka.close()


async def test_an_unlinked_senior_is_said_in_japanese(stack: Stack) -> None:
    user = new_user_id()
    tanaka = await Staff.login(stack, "tanaka")
    await publish(stack, "helpdesk.requests", user, help_request(user))
    [found] = await tanaka.wait_ticket_of(user)
    counted = await cards_counted(stack, "not_linked")
    response = await tanaka.get(f"/staff/api/tickets/{found['id']}/senior")
    assert response.status_code == 200
    assert await cards_counted(stack, "not_linked") == counted + 1
    senior = response.json()
    assert senior["status"] == "not_linked"
    assert senior["card"] is None
    assert "つながっていない" in senior["message_ja"]
    assert (await tanaka.get("/staff/api/tickets/nope/senior")).status_code == 404
    await tanaka.close()
