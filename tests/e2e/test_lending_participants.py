"""Participants on the real stack: LINE link codes (hash only, replaced on reissue), links learned
from line_gateway's events, and audited corrections."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from services.common.events import decode_event, encode_event, new_event
from services.common.events.contracts.lending import LinkCodeIssuedV2
from services.common.events.contracts.line import AccountUnlinked
from services.common.link_codes import link_code_digest
from services.common.time import utcnow
from tests.fixtures.kafka import produce, wait_for_records
from tests.fixtures.stack import LINK_CODE_SECRET
from tests.fixtures.waiting import eventually
from tests.tablet_lending.support import LendingApi, link
from tools.devstack.stack import Stack


async def test_link_codes_are_shown_once_published_as_a_keyed_digest_and_replaced(
    stack: Stack, api: LendingApi
) -> None:
    boss = await LendingApi.signed_in(stack, "supervisor")
    cohort = await api.cohort(capacity=1)
    await api.enrolled(cohort["cohort_id"], count=2)
    drawn = await boss.draw(cohort["cohort_id"])
    await boss.close()
    enrolled, waiting = drawn["enrolled"][0], drawn["waitlisted"][0]

    first = await api.ok("POST", f"/participants/{enrolled}/link-code")
    second = await api.ok("POST", f"/participants/{enrolled}/link-code")
    for issued in (first, second):
        assert len(issued["code"]) == 8
        assert issued["code"].isdigit()
        expires = datetime.fromisoformat(issued["expires_at"])
        assert timedelta(days=13, hours=23) < expires - utcnow() <= timedelta(days=14)

    records = await wait_for_records(
        stack.kafka.bootstrap_servers, "lending.events", key=enrolled.encode(), count=3
    )
    codes = [
        event.data
        for event in (decode_event(r.value) for r in records)
        if isinstance(event.data, LinkCodeIssuedV2)
    ]
    assert len(codes) == 2
    for published, issued in zip(codes, (first, second), strict=True):
        assert all(issued["code"] not in record.value.decode() for record in records)
        assert published.code_digest == link_code_digest(
            secret=LINK_CODE_SECRET, code=issued["code"]
        )
        # Nothing on the topic is an unkeyed hash of the code that a reader could reverse.
        assert hashlib.sha256(issued["code"].encode()).hexdigest() not in str(records)
    detail = await api.ok("GET", f"/participants/{enrolled}")
    assert detail["link_code_expires_at"]
    assert first["code"] not in str(detail)

    refused = await api.http.post(f"/participants/{waiting}/link-code")
    assert refused.status_code == 422
    assert refused.json()["reason"] == "not_enrolled"


async def test_links_follow_line_gateways_events(stack: Stack, api: LendingApi) -> None:
    boss = await LendingApi.signed_in(stack, "supervisor")
    cohort = await api.cohort()
    [participant_id] = await api.enrolled(cohort["cohort_id"])
    await boss.draw(cohort["cohort_id"])
    await boss.close()
    user = await link(stack, api, participant_id)

    unlinked = new_event(
        AccountUnlinked(
            user_id=user, participant_id=participant_id, reason="user_request", unlinked_at=utcnow()
        ),
        source="line_gateway",
    )
    await produce(
        stack.kafka.bootstrap_servers,
        "line.inbound",
        key=user.encode(),
        value=encode_event(unlinked),
    )
    detail = await eventually(
        lambda: api.ok("GET", f"/participants/{participant_id}"),
        lambda d: not d["line_linked"],
    )
    assert detail["line_linked"] is False


async def test_the_participant_list_marks_who_is_linked_to_line(
    stack: Stack, api: LendingApi
) -> None:
    cohort = await api.cohort()
    linked_id, unlinked_id = await api.enrolled(cohort["cohort_id"], count=2)
    await link(stack, api, linked_id)

    rows = await api.ok("GET", "/participants", params={"cohort_id": cohort["cohort_id"]})
    flags = {row["participant_id"]: row["line_linked"] for row in rows}
    assert flags == {linked_id: True, unlinked_id: False}


async def test_corrections_are_checked_and_audited(stack: Stack, api: LendingApi) -> None:
    cohort = await api.cohort()
    participant_id = (await api.apply(cohort["cohort_id"])).json()["participant_id"]

    corrected = await api.ok(
        "PATCH", f"/participants/{participant_id}", json={"phone": "０６－２２２２－３３３３"}
    )
    assert corrected["personal"]["phone"] == "06-2222-3333"
    moved = await api.http.patch(
        f"/participants/{participant_id}", json={"address": "大阪市阿倍野区昭和町1-1"}
    )
    assert moved.status_code == 422
    assert moved.json()["reason"] == "area_mismatch"
    bad = await api.http.patch(f"/participants/{participant_id}", json={"phone": "12345"})
    assert bad.status_code == 422
    unknown = await api.http.patch(f"/participants/{participant_id}", json={"nickname": "x"})
    assert unknown.status_code == 422

    boss = await LendingApi.signed_in(stack, "supervisor")
    try:
        trail = await boss.ok("GET", f"/participants/{participant_id}/audit")
    finally:
        await boss.close()
    updates = [entry for entry in trail if entry["action"] == "participant.update"]
    assert [entry["details"] for entry in updates] == [{"fields": ["phone"]}]
    assert "2222" not in str(trail)
