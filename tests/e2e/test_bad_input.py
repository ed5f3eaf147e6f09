"""Input a client can send that used to answer 500: each now gets a clear 4xx (or a per-row
report) and changes nothing. (Schemathesis in tests/api looks for more of these.)"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from services.common.events.contracts.line import MAX_TEXT_LENGTH, MessageReceived
from services.tablet_lending.domain.csv_import import EXAMPLE_HEADER
from tests.fixtures.line import Simulator
from tests.line_gateway.support import raw_event, signed_body, wait_for_events
from tests.tablet_lending.support import LendingApi, cohort_body, jst, today_jst
from tools.devstack.stack import Stack

ROW = "A-1,山田,花子,ヤマダ,ハナコ,昭和30年1月2日,544-0034,大阪市生野区桃谷1-1,27116,06-1234-5678,同意,v1,2026/4/1"


@pytest.fixture
async def supervisor(stack: Stack) -> AsyncIterator[LendingApi]:
    client = await LendingApi.signed_in(stack, "supervisor")
    try:
        yield client
    finally:
        await client.close()


async def test_a_session_ending_before_it_starts_is_a_422(supervisor: LendingApi) -> None:
    cohort = await supervisor.cohort()
    day = today_jst() + timedelta(days=3)
    for ends in (jst(day, 10), jst(day, 9)):
        answer = await supervisor.http.post(
            "/sessions",
            json={
                "cohort_id": cohort["cohort_id"],
                "kind": "follow_up",
                "title": "講座",
                "venue": "会場",
                "starts_at": jst(day, 10),
                "ends_at": ends,
                "capacity": 5,
            },
        )
        assert answer.status_code == 422, answer.text
        assert "ends_at must be after starts_at" in answer.text
    assert await supervisor.ok("GET", "/sessions", params={"cohort_id": cohort["cohort_id"]}) == []


@pytest.mark.parametrize("path", ["/participants", "/loans", "/devices"])
async def test_a_skip_past_64_bits_is_a_422(supervisor: LendingApi, path: str) -> None:
    answer = await supervisor.http.get(path, params={"skip": 2**63})
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["field"] == "query.skip"


@pytest.mark.parametrize("cohort_id", ['x"\r\nSet-Cookie: a=1', "第2期", "a;b"])
async def test_an_export_for_any_cohort_id_is_not_a_500(
    supervisor: LendingApi, cohort_id: str
) -> None:
    answer = await supervisor.http.get("/exports/participants", params={"cohort_id": cohort_id})
    assert answer.status_code == 200, answer.text
    assert "filename*=UTF-8''participants-" in answer.headers["content-disposition"]
    assert "set-cookie" not in answer.headers


async def test_a_one_megabyte_cell_is_refused_in_its_row(supervisor: LendingApi) -> None:
    cohort = await supervisor.cohort()
    huge = ROW.replace("大阪市生野区桃谷1-1", "x" * 1_000_000)
    answer = await supervisor.http.post(
        f"/cohorts/{cohort['cohort_id']}/imports",
        params={"municipality_code": "27116", "filename": "big.csv"},
        content=f"{EXAMPLE_HEADER}\n{huge}\n{ROW.replace('A-1', 'A-2')}\n".encode(),
        headers={"content-type": "text/csv"},
    )
    assert answer.status_code in (200, 201), answer.text
    rows = answer.json()["rows"]
    assert [(r["line"], r["outcome"]) for r in rows][:1] == [(2, "refused")], rows
    assert rows[0]["reason"] == "cell_too_large"


async def test_a_webhook_timestamp_past_any_date_is_a_400(simulator: Simulator) -> None:
    event = raw_event(
        "message",
        source={"type": "user", "userId": "U" + "7" * 32},
        replyToken="r" * 32,
        message={"id": "1", "type": "text", "text": "こんにちは"},
        timestamp=10**15,
    )
    answered = await simulator.raw_webhook(signed_body([event]))
    assert answered["status"] == 400, answered


async def test_a_megabyte_text_is_cut_to_lines_limit_and_the_next_message_still_flows(
    stack: Stack, simulator: Simulator
) -> None:
    """A signed webhook of about 1 MiB used to wrap into a Kafka record over the limit and stop
    the gateway's relay for every event after it."""
    user = "U" + secrets.token_hex(16)
    source = {"type": "user", "userId": user}
    huge = raw_event(
        "message",
        source=source,
        replyToken="r" * 32,
        message={"id": "1", "type": "text", "text": "x" * 1_040_000},
    )
    answered = await simulator.raw_webhook(signed_body([huge]))
    assert answered["status"] == 200, answered
    after = raw_event(
        "message",
        source=source,
        replyToken="s" * 32,
        message={"id": "2", "type": "text", "text": "次"},
    )
    assert (await simulator.raw_webhook(signed_body([after])))["status"] == 200
    first, second = await wait_for_events(
        stack, "line.inbound", user, kind=MessageReceived, count=2
    )
    assert len(first.text) == MAX_TEXT_LENGTH
    assert first.text_truncated_from == 1_040_000
    assert second.text == "次"


async def test_a_cohort_capacity_past_64_bits_is_a_422(supervisor: LendingApi) -> None:
    body = cohort_body(capacity=2**64)
    answer = await supervisor.http.post("/cohorts", json=body)
    assert answer.status_code == 422, answer.text
    assert (await supervisor.http.get(f"/cohorts/{body['cohort_id']}")).status_code == 404


async def test_the_audit_path_answers_for_participants_only(supervisor: LendingApi) -> None:
    answer = await supervisor.http.get("/participants/staff-account-or-anything/audit")
    assert answer.status_code == 404, answer.text
