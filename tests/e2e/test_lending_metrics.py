"""tablet_lending's gauges on /metrics: participants (per cohort and area), loans (active, due
soon, overdue, returned, lost) and session fill per cohort, refreshed from MongoDB."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest

from tests.tablet_lending.support import LendingApi, jst, today_jst
from tools.devstack.stack import Stack


def gauge(metrics: str, name: str, cohort: str) -> float:
    match = re.search(rf'^{name}{{cohort="{cohort}"}} (\S+)$', metrics, re.MULTILINE)
    assert match, f"{name} for {cohort} not in /metrics"
    return float(match.group(1))


async def test_gauges_per_cohort(stack: Stack, api: LendingApi) -> None:
    boss = await LendingApi.signed_in(stack, "supervisor")
    today = today_jst()
    cohort = await api.cohort(
        capacity=2,
        lending_starts_on=(today - timedelta(days=200)).isoformat(),
        lending_ends_on=(today + timedelta(days=5)).isoformat(),
    )
    cohort_id = cohort["cohort_id"]
    due_soon, overdue = await api.enrolled(cohort_id, count=2)
    await boss.draw(cohort_id)
    await api.enrolled(cohort_id, count=1)  # waits: the cohort is full
    await api.attended_explanatory(cohort_id, [due_soon, overdue])
    await api.lend(due_soon)  # due at the cohort's end, in 5 days
    await api.lend(overdue, issued_on=today - timedelta(days=190))  # due 6 months later: past
    day = today + timedelta(days=2)
    session = await api.session(
        cohort_id, kind="follow_up", starts=jst(day, 10), ends=jst(day, 11), capacity=4
    )
    await api.ok(
        "POST",
        f"/sessions/{session['session_id']}/registrations",
        json={"participant_id": due_soon},
    )

    await boss.run_scheduler()
    await boss.close()
    async with httpx.AsyncClient() as client:
        metrics = (await client.get(f"{stack.config.url('tablet_lending')}/metrics")).text

    assert gauge(metrics, "sslp_lending_participants", cohort_id) == 2
    assert gauge(metrics, "sslp_lending_waitlisted", cohort_id) == 1
    assert gauge(metrics, "sslp_lending_loans_active", cohort_id) == 2
    assert gauge(metrics, "sslp_lending_loans_due_soon", cohort_id) == 1
    assert gauge(metrics, "sslp_lending_loans_overdue", cohort_id) == 1
    assert gauge(metrics, "sslp_lending_loans_returned", cohort_id) == 0
    assert gauge(metrics, "sslp_lending_loans_lost", cohort_id) == 0
    by_area = re.findall(
        rf'^sslp_lending_participants_by_area{{area="([^"]+)",cohort="{cohort_id}"}} (\S+)$',
        metrics,
        re.MULTILINE,
    )
    assert by_area
    assert sum(float(count) for _area, count in by_area) == 2
    # The explanatory session (10 seats, 2 walk-ins who both came) and the follow-up (4, 1 booked,
    # not started yet).
    assert gauge(metrics, "sslp_lending_session_fill_ratio", cohort_id) == pytest.approx(3 / 14)
    assert gauge(metrics, "sslp_lending_session_attendance_ratio", cohort_id) == 1.0
    for line in metrics.splitlines():
        if line.startswith("sslp_lending_") and "{" in line:
            labels = line[line.index("{") + 1 : line.index("}")]
            assert re.fullmatch(
                r'(area|cohort|kind|channel|outcome|trigger)="[^"]*"(,\w+="[^"]*")*', labels
            ), line
