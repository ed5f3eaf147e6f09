"""Loans on the real stack: due dates, a full cycle, loss and damage, device states, and the
events other services see (ids and dates only, never personal data)."""

from __future__ import annotations

import json
from datetime import timedelta

from services.common.events import decode_event
from services.common.events.contracts.lending import LoanClosed, LoanIssued
from services.tablet_lending.domain.dates import add_months
from tests.fixtures.kafka import wait_for_records
from tests.tablet_lending.support import LendingApi, today_jst
from tools.devstack.stack import Stack

PERSONAL_VALUES = ("山田", "花子", "ヤマダ", "桃谷", "06-0000-1234", "1955-04-01")


async def ready_participant(api: LendingApi, boss: LendingApi, **cohort: object) -> tuple[str, str]:
    """A cohort and one enrolled participant who attended an explanatory session."""
    created = await api.cohort(**cohort)
    [participant_id] = await api.enrolled(created["cohort_id"])
    await boss.draw(created["cohort_id"])
    await api.attended_explanatory(created["cohort_id"], [participant_id])
    return created["cohort_id"], participant_id


async def test_due_date_is_six_months_after_issue_or_the_cohort_end_if_sooner(
    api: LendingApi, boss: LendingApi
) -> None:
    today = today_jst()
    # Ends long after six months: the six months decide.
    _, long_one = await ready_participant(
        api,
        boss,
        lending_starts_on=(today - timedelta(days=10)).isoformat(),
        lending_ends_on=(today + timedelta(days=400)).isoformat(),
    )
    issued_on = today - timedelta(days=3)
    loan = await api.lend(long_one, issued_on=issued_on)
    assert loan["issued_on"] == issued_on.isoformat()
    assert loan["due_on"] == add_months(issued_on, 6).isoformat()

    # Ends in 40 days: the cohort's end decides.
    cohort_end = today + timedelta(days=40)
    _, short_one = await ready_participant(
        api,
        boss,
        lending_starts_on=(today - timedelta(days=10)).isoformat(),
        lending_ends_on=cohort_end.isoformat(),
    )
    assert (await api.lend(short_one))["due_on"] == cohort_end.isoformat()


async def test_a_full_loan_cycle_with_history_and_events_without_personal_data(
    api: LendingApi, boss: LendingApi, stack: Stack
) -> None:
    cohort_id, participant_id = await ready_participant(api, boss)
    device = await api.device()
    assert device["state"] == "in_stock"

    loan = await api.lend(participant_id, device_id=device["device_id"])
    assert loan["status"] == "active"
    on_loan = await api.ok("GET", f"/devices/{device['device_id']}")
    assert on_loan["device"]["state"] == "on_loan"
    assert on_loan["device"]["current_loan_id"] == loan["loan_id"]

    # A second tablet for the same person, or the same tablet for someone else, is refused.
    again = await api.http.post(
        "/loans",
        json={"participant_id": participant_id, "device_id": (await api.device())["device_id"]},
    )
    assert again.status_code == 409
    assert again.json()["reason"] == "active_loan_exists"

    not_wiped = await api.http.post(
        f"/loans/{loan['loan_id']}/return",
        json={
            "condition": "good",
            "data_wiped": False,
            "accessories_returned": {"charger": True, "case": True, "sim": True},
        },
    )
    assert not_wiped.status_code == 422
    assert not_wiped.json()["reason"] == "data_not_wiped"
    assert "データ消去" in not_wiped.json()["message_ja"]

    returned = await api.ok(
        "POST",
        f"/loans/{loan['loan_id']}/return",
        json={
            "condition": "worn",
            "data_wiped": True,
            "accessories_returned": {"charger": True, "case": False, "sim": True},
            "note": "角に小さな傷",
        },
    )
    assert returned["status"] == "returned"
    assert returned["outcome"] == "returned"
    assert returned["return_record"]["missing_accessories"] == ["case"]
    back = await api.ok("GET", f"/devices/{device['device_id']}")
    assert back["device"]["state"] == "in_stock"
    assert back["device"]["condition"] == "worn"
    assert back["device"]["accessories"]["case"] is False
    assert [entry["action"] for entry in back["history"]] == ["registered", "lent", "returned"]

    detail = await api.ok("GET", f"/loans/{loan['loan_id']}")
    assert [entry["action"] for entry in detail["history"]] == ["issued", "returned"]
    closing_twice = await api.http.post(
        f"/loans/{loan['loan_id']}/loss", json={"circumstances": "x", "decision": "y"}
    )
    assert closing_twice.status_code == 409

    records = await wait_for_records(
        stack.kafka.bootstrap_servers, "lending.events", key=participant_id.encode(), count=4
    )
    events = [decode_event(record.value) for record in records]
    issued = [e.data for e in events if isinstance(e.data, LoanIssued)]
    closed = [e.data for e in events if isinstance(e.data, LoanClosed)]
    assert [(i.loan_id, i.due_on.isoformat(), i.cohort_id) for i in issued] == [
        (loan["loan_id"], loan["due_on"], cohort_id)
    ]
    assert [(c.loan_id, c.outcome.value) for c in closed] == [(loan["loan_id"], "returned")]
    for record in records:
        text = json.loads(record.value)
        for value in PERSONAL_VALUES:
            assert value not in json.dumps(text, ensure_ascii=False)


async def test_loss_and_damage_are_recorded_with_the_decision(
    api: LendingApi, boss: LendingApi
) -> None:
    _, lost_by = await ready_participant(api, boss)
    loan = await api.lend(lost_by)
    lost = await api.ok(
        "POST",
        f"/loans/{loan['loan_id']}/loss",
        json={
            "circumstances": "外出先で紛失",
            "decision": "弁償なし（警察に遺失届）",
            "police_report_number": "R8-0001",
        },
    )
    assert lost["status"] == "lost"
    assert lost["loss_record"]["decision"] == "弁償なし（警察に遺失届）"
    device = await api.ok("GET", f"/devices/{loan['device_id']}")
    assert device["device"]["state"] == "lost"

    _, damaged_by = await ready_participant(api, boss)
    loan = await api.lend(damaged_by)
    undecided = await api.http.post(
        f"/loans/{loan['loan_id']}/return",
        json={
            "condition": "damaged",
            "data_wiped": True,
            "accessories_returned": {"charger": True, "case": True, "sim": True},
        },
    )
    assert undecided.json()["reason"] == "decision_required"
    damaged = await api.ok(
        "POST",
        f"/loans/{loan['loan_id']}/return",
        json={
            "condition": "damaged",
            "data_wiped": True,
            "accessories_returned": {"charger": True, "case": True, "sim": True},
            "damage_decision": "画面割れ。修理費は事業負担",
        },
    )
    assert damaged["outcome"] == "damaged"
    device = await api.ok("GET", f"/devices/{loan['device_id']}")
    assert device["device"]["state"] == "in_repair"


async def test_illegal_device_transitions_are_refused_precisely(
    api: LendingApi, boss: LendingApi
) -> None:
    _, participant_id = await ready_participant(api, boss)
    loan = await api.lend(participant_id)
    direct = await api.http.post(f"/devices/{loan['device_id']}/state", json={"state": "in_stock"})
    assert direct.status_code == 422
    assert direct.json()["reason"] == "device_on_loan"
    assert loan["loan_id"] in direct.json()["message"]

    device = await api.device()
    path = f"/devices/{device['device_id']}/state"
    to_loan = await api.http.post(path, json={"state": "on_loan"})
    assert to_loan.json()["reason"] == "loan_required"
    await api.ok("POST", path, json={"state": "lost", "note": "棚卸しで不明"})
    found = await api.http.post(path, json={"state": "in_stock"})
    assert found.json()["reason"] == "illegal_transition"
    assert "in_repair" in found.json()["message"]
    await api.ok("POST", path, json={"state": "retired"})
    final = await api.http.post(path, json={"state": "in_repair"})
    assert final.json()["reason"] == "device_retired"
    lend_retired = await api.http.post(
        "/loans", json={"participant_id": participant_id, "device_id": device["device_id"]}
    )
    assert lend_retired.status_code in (409, 422)


async def test_lending_needs_an_explanatory_session_or_a_supervisors_exception(
    api: LendingApi, boss: LendingApi
) -> None:
    created = await api.cohort()
    [participant_id] = await api.enrolled(created["cohort_id"])
    await boss.draw(created["cohort_id"])
    device = await api.device()
    body = {"participant_id": participant_id, "device_id": device["device_id"]}

    refused = await api.http.post("/loans", json=body)
    assert refused.status_code == 422
    assert refused.json()["reason"] == "no_explanatory_session"
    by_operator = await api.http.post("/loans", json={**body, "session_exception": "入院中のため"})
    assert by_operator.json()["reason"] == "exception_needs_supervisor"

    loan = await boss.ok("POST", "/loans", json={**body, "session_exception": "入院中のため"})
    assert loan["session_exception"] == "入院中のため"
    assert loan["exception_by"]
