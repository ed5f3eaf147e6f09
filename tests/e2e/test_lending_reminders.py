"""Reminders on the real stack: a LINE reminder for a linked senior delivered exactly once across
a restart of tablet_lending, call tasks in the helpdesk queue for seniors without LINE, and the
overdue escalation (message, call, visit)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date, timedelta

import pytest

from services.common.events import decode_event
from services.common.events.contracts.helpdesk import HelpRequested
from services.common.events.contracts.lending import LoanOverdue
from services.common.events.contracts.line import SendRequested
from services.tablet_lending.domain.dates import add_months
from tests.fixtures.kafka import wait_for_records
from tests.fixtures.line import Simulator, texts
from tests.tablet_lending.support import LendingApi, exactly_one, link, today_jst
from tools.devstack.stack import Stack

# Reminders go out only in the day (Japan time) by default; tests run at any hour.
REMINDER_ENV = {"TABLET_LENDING_REMINDER_HOURS_JST": "0-24"}


@pytest.fixture(scope="module")
async def reminding(stack: Stack) -> AsyncIterator[Stack]:
    await stack.restart_app("tablet_lending", env=REMINDER_ENV)
    yield stack
    await stack.restart_app("tablet_lending")


@pytest.fixture
async def api(reminding: Stack) -> AsyncIterator[LendingApi]:
    client = await LendingApi.signed_in(reminding, "operator")
    try:
        yield client
    finally:
        await client.close()


@pytest.fixture
async def boss(reminding: Stack) -> AsyncIterator[LendingApi]:
    client = await LendingApi.signed_in(reminding, "supervisor")
    try:
        yield client
    finally:
        await client.close()


async def participants_on_loan(
    api: LendingApi, boss: LendingApi, *, starts: date, ends: date, issued: list[date]
) -> list[dict[str, object]]:
    cohort = await api.cohort(
        lending_starts_on=starts.isoformat(), lending_ends_on=ends.isoformat()
    )
    ids = await api.enrolled(cohort["cohort_id"], count=len(issued))
    await boss.draw(cohort["cohort_id"])
    await api.attended_explanatory(cohort["cohort_id"], ids)
    return [
        await api.lend(participant_id, issued_on=day)
        for participant_id, day in zip(ids, issued, strict=True)
    ]


async def help_request(stack: Stack, participant_id: str) -> HelpRequested:
    event = decode_event(await exactly_one(stack, "helpdesk.requests", participant_id))
    assert isinstance(event.data, HelpRequested)
    return event.data


async def test_a_linked_seniors_reminder_arrives_once_across_a_restart(
    reminding: Stack, api: LendingApi, boss: LendingApi, simulator: Simulator
) -> None:
    today = today_jst()
    [loan] = await participants_on_loan(
        api, boss, starts=today - timedelta(days=30), ends=today + timedelta(days=7), issued=[today]
    )
    assert loan["due_on"] == (today + timedelta(days=7)).isoformat()
    user = await link(reminding, api, str(loan["participant_id"]))

    await boss.run_scheduler()
    inbox = await simulator.wait_for_inbox(user)
    [reminder] = texts(inbox)
    assert "返す日" in reminder
    assert "あと7日" in reminder
    assert inbox[0]["via"] == "push"

    # Restart tablet_lending; the schedule is recomputed from MongoDB and finds it sent (staff
    # sessions live in MongoDB too, so the same token still works).
    await reminding.restart_app("tablet_lending", env=REMINDER_ENV)
    await boss.run_scheduler()
    # And once more the hard way: killed (SIGKILL) and started again.
    await reminding.restart_app("tablet_lending", crash=True, env=REMINDER_ENV)
    await boss.run_scheduler()

    assert len(await simulator.settled_inbox(user, quiet=3.0)) == 1
    send = decode_event(await exactly_one(reminding, "line.outbound", user)).data
    assert isinstance(send, SendRequested)
    assert send.priority.value == "service"
    assert send.purpose == "lending.loan_reminder"


async def test_seniors_without_line_get_one_call_task_in_the_helpdesk_queue(
    reminding: Stack, api: LendingApi, boss: LendingApi
) -> None:
    today = today_jst()
    [loan] = await participants_on_loan(
        api, boss, starts=today - timedelta(days=30), ends=today + timedelta(days=7), issued=[today]
    )
    participant_id = str(loan["participant_id"])
    await boss.run_scheduler()
    await boss.run_scheduler()

    task = await help_request(reminding, participant_id)
    assert task.request_id == f"tablet_lending:loan:{loan['loan_id']}:due_7"
    assert task.reason.value == "loan_call_task"
    assert task.line_user_id is None
    assert participant_id in task.summary
    assert "山田" not in task.summary
    assert "06-0000-1234" not in task.summary
    # Staff who call see what was sent, and the phone number, on the participant (audited).
    detail = await api.ok("GET", f"/participants/{participant_id}")
    assert [(r["stage"], r["channel"]) for r in detail["reminders"]] == [("due_7", "call_task")]
    assert detail["participant"]["personal"]["phone"] == "06-0000-1234"


async def test_overdue_loans_escalate_from_message_to_call_to_visit(
    reminding: Stack, api: LendingApi, boss: LendingApi, simulator: Simulator
) -> None:
    today = today_jst()
    # Due 3, 10 and 20 days ago (the 6-month rule decides; the cohort runs on).
    dues = [today - timedelta(days=days) for days in (3, 10, 20)]
    issued = [add_months(due, -6) for due in dues]
    loans = await participants_on_loan(
        api,
        boss,
        starts=min(issued) - timedelta(days=5),
        ends=today + timedelta(days=30),
        issued=issued,
    )
    overdue_days = [(today - date.fromisoformat(str(loan["due_on"]))).days for loan in loans]
    assert overdue_days[0] < 7 <= overdue_days[1] < 14 <= overdue_days[2]
    message, call, visit = loans
    user = await link(reminding, api, str(message["participant_id"]))
    await link(reminding, api, str(call["participant_id"]))

    await boss.run_scheduler()

    [text] = texts(await simulator.wait_for_inbox(user))
    assert "過ぎてるで" in text
    call_task = await help_request(reminding, str(call["participant_id"]))
    assert call_task.request_id.endswith(":overdue_call")
    assert call_task.priority.value == "high"
    visit_task = await help_request(reminding, str(visit["participant_id"]))
    assert visit_task.request_id.endswith(":overdue_visit")
    assert "訪問" in visit_task.summary
    marked = await api.ok("GET", f"/loans/{visit['loan_id']}")
    assert marked["loan"]["visit_required"] is True
    assert marked["loan"]["overdue_stage"] == "visit"

    stages = {}
    for loan in loans:
        records = await wait_for_records(
            reminding.kafka.bootstrap_servers,
            "lending.events",
            key=str(loan["participant_id"]).encode(),
            count=4,
        )
        overdue = [decode_event(r.value).data for r in records]
        stages[loan["loan_id"]] = [e.stage for e in overdue if isinstance(e, LoanOverdue)]
    assert stages == {
        message["loan_id"]: ["message"],
        call["loan_id"]: ["call"],
        visit["loan_id"]: ["visit"],
    }
    loans_report = await api.ok("GET", "/reports/loans", params={"cohort_id": message["cohort_id"]})
    assert loans_report[0]["overdue"] == 3
    assert loans_report[0]["visit_required"] == 1
    assert json.dumps(loans_report, ensure_ascii=False).count("山田") == 0
