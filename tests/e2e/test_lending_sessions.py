"""Sessions on the real stack: seats, attendance, cancelling a session, and the fill report."""

from __future__ import annotations

from datetime import timedelta

from services.common.time import utcnow
from tests.fixtures.line import Simulator, texts
from tests.tablet_lending.support import LendingApi, jst, link, today_jst
from tools.devstack.stack import Stack


async def test_seats_attendance_cancellation_and_the_report(
    stack: Stack, api: LendingApi, simulator: Simulator
) -> None:
    boss = await LendingApi.signed_in(stack, "supervisor")
    cohort = await api.cohort()
    cohort_id = cohort["cohort_id"]
    first, second, third = await api.enrolled(cohort_id, count=3)
    await boss.draw(cohort_id)
    await boss.close()
    user = await link(stack, api, first)

    day = today_jst() + timedelta(days=5)
    upcoming = await api.session(
        cohort_id, kind="follow_up", starts=jst(day, 10), ends=jst(day, 11), capacity=2
    )
    path = f"/sessions/{upcoming['session_id']}"
    for participant_id in (first, second):
        await api.ok("POST", f"{path}/registrations", json={"participant_id": participant_id})
    full = await api.http.post(f"{path}/registrations", json={"participant_id": third})
    assert full.status_code == 422
    assert full.json()["reason"] == "session_full"
    too_early = await api.http.post(f"{path}/attendance", json={"participant_id": first})
    assert too_early.json()["reason"] == "session_not_started"
    await api.ok("DELETE", f"{path}/registrations/{second}")
    await api.ok("POST", f"{path}/registrations", json={"participant_id": third})

    now = utcnow()
    held = await api.session(
        cohort_id,
        kind="explanatory",
        starts=(now - timedelta(hours=3)).isoformat(),
        ends=(now - timedelta(hours=2)).isoformat(),
        capacity=4,
    )
    held_path = f"/sessions/{held['session_id']}"
    # Booked beforehand is not possible any more; staff record who came (walk-ins included).
    for participant_id, came in ((first, True), (second, True), (third, False)):
        await api.ok(
            "POST",
            f"{held_path}/attendance",
            json={"participant_id": participant_id, "attended": came},
        )

    cancelled = await api.ok("POST", f"{path}/cancel")
    assert cancelled["cancelled"] is True
    [notice] = texts(await simulator.wait_for_inbox(user))
    assert "中止" in notice

    report = {
        row["session_id"]: row
        for row in await api.ok("GET", "/reports/sessions", params={"cohort_id": cohort_id})
    }
    assert report[held["session_id"]]["walk_ins"] == 3
    assert report[held["session_id"]]["attended"] == 2
    assert report[held["session_id"]]["fill_ratio"] == 0.75
    assert report[held["session_id"]]["attendance_ratio"] == 0.667
    assert report[upcoming["session_id"]]["booked"] == 2
    assert report[upcoming["session_id"]]["cancelled"] is True
    assert report[upcoming["session_id"]]["attendance_ratio"] is None

    viewer = await LendingApi.signed_in(stack, "viewer")
    try:
        assert (await viewer.http.get(path)).status_code == 200
        assert (await viewer.http.get(f"{path}/registrations")).status_code == 403
    finally:
        await viewer.close()
