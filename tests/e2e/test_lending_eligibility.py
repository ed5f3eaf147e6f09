"""Who may borrow, on the real stack: age on the start date, areas, capacity, the recorded draw,
the waiting list, and who may see what."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import httpx

from tests.tablet_lending.support import LendingApi, today_jst
from tools.devstack.stack import Stack


def years_before(day: date, years: int) -> date:
    return day.replace(year=day.year - years)


async def test_age_is_taken_on_the_cohort_start_date_49_refused_50_accepted(
    api: LendingApi,
) -> None:
    starts = today_jst() - timedelta(days=10)
    cohort = await api.cohort(lending_starts_on=starts.isoformat())
    fifty_on_the_day = years_before(starts, 50)
    one_day_short = fifty_on_the_day + timedelta(days=1)

    accepted = await api.apply(cohort["cohort_id"], birthdate=fifty_on_the_day.isoformat())
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["status"] == "applied"

    refused = await api.apply(cohort["cohort_id"], birthdate=one_day_short.isoformat())
    assert refused.status_code == 422
    body = refused.json()
    assert body["reason"] == "too_young"
    assert "is 49; the minimum is 50" in body["message"]
    assert "49歳" in body["message_ja"]
    # Nothing was stored for the refused applicant.
    listed = await api.ok("GET", "/participants", params={"cohort_id": cohort["cohort_id"]})
    assert [p["participant_id"] for p in listed] == [accepted.json()["participant_id"]]


async def test_an_address_outside_the_areas_is_refused_with_the_areas_named(
    api: LendingApi,
) -> None:
    cohort = await api.cohort()
    refused = await api.apply(cohort["cohort_id"], address="大阪市北区梅田1-1-1")
    assert refused.status_code == 422
    assert refused.json()["reason"] == "outside_area"
    assert "大阪市生野区" in refused.json()["message_ja"]
    assert "梅田" not in refused.json()["message_ja"]  # the refusal does not repeat the address

    mismatch = await api.apply(cohort["cohort_id"], area_code="27119")  # 阿倍野区, address 生野区
    assert mismatch.json()["reason"] == "area_mismatch"
    ward_only = await api.apply(
        cohort["cohort_id"], address="阿倍野区昭和町1-1", area_code="271195"
    )
    assert ward_only.status_code == 201, ward_only.text
    assert ward_only.json()["area_code"] == "27119"


async def test_a_full_cohort_sends_applicants_to_the_waiting_list_by_a_recorded_draw(
    api: LendingApi, boss: LendingApi
) -> None:
    cohort = await api.cohort(capacity=2)
    cohort_id = cohort["cohort_id"]
    applicants = [(await api.apply(cohort_id)).json()["participant_id"] for _ in range(4)]
    forbidden = await api.http.post(f"/cohorts/{cohort_id}/lottery", json={"seed": "x" * 8})
    assert forbidden.status_code == 403

    drawn = await boss.draw(cohort_id, seed="auditable-seed-42")
    assert drawn["oversubscribed"] is True
    assert sorted(drawn["entrants"]) == sorted(applicants)
    # Anyone can re-run the draw from the seed and the entrants.
    expected = sorted(
        applicants,
        key=lambda pid: hashlib.sha256(f"auditable-seed-42:{pid}".encode()).hexdigest(),
    )
    assert drawn["order"] == expected
    assert drawn["enrolled"] == expected[:2]
    assert drawn["waitlisted"] == expected[2:]
    again = await boss.http.post(f"/cohorts/{cohort_id}/lottery", json={"seed": "x" * 8})
    assert again.status_code == 409

    # After the draw, a new eligible applicant waits at the end of the list.
    late = await api.apply(cohort_id)
    assert late.status_code == 201
    assert late.json()["status"] == "waitlisted"
    assert late.json()["waitlist_position"] == 3
    status = await api.ok("GET", f"/cohorts/{cohort_id}")
    assert (status["enrolled"], status["seats_left"]) == (2, 0)

    # A withdrawal frees a seat for the first on the waiting list.
    await api.ok("POST", f"/participants/{expected[0]}/withdraw", json={"reason": "転居のため"})
    promoted = await api.ok("GET", f"/participants/{expected[2]}")
    assert promoted["participant"]["status"] == "enrolled"
    still_waiting = await api.ok("GET", f"/participants/{late.json()['participant_id']}")
    assert still_waiting["participant"]["status"] == "waitlisted"
    report = await api.ok("GET", "/reports/participation", params={"cohort_id": cohort_id})
    assert [(r["enrolled"], r["waitlisted"], r["withdrawn"]) for r in report] == [(2, 2, 1)]


async def test_the_same_application_or_person_is_never_accepted_twice(api: LendingApi) -> None:
    cohort = await api.cohort()
    first = await api.apply(cohort["cohort_id"], application_number="A-1", given_name_kana="ハナコ")
    assert first.status_code == 201
    same_number = await api.apply(cohort["cohort_id"], application_number="A-1")
    assert same_number.status_code == 409
    assert same_number.json()["reason"] == "already_received"
    same_person = await api.apply(cohort["cohort_id"], given_name_kana="はなこ")
    assert same_person.status_code == 409
    assert same_person.json()["reason"] == "duplicate_person"


async def test_consent_needs_the_cohorts_terms_version_and_is_recorded(api: LendingApi) -> None:
    cohort = await api.cohort(terms_version="2026-04")
    wrong = await api.apply(cohort["cohort_id"], terms_version="2025-01")
    assert wrong.json()["reason"] == "terms_version"
    ok = await api.apply(
        cohort["cohort_id"], terms_version="2026-04", consented_at="2026-04-01T10:00:00+09:00"
    )
    detail = await api.ok("GET", f"/participants/{ok.json()['participant_id']}")
    consent = detail["participant"]["consent"]
    assert consent["terms_version"] == "2026-04"
    assert consent["consented_at"].startswith("2026-04-01T01:00:00")


async def test_roles_guard_personal_data_and_every_read_is_audited(
    stack: Stack, api: LendingApi, boss: LendingApi
) -> None:
    cohort = await api.cohort()
    participant_id = (await api.apply(cohort["cohort_id"])).json()["participant_id"]

    async with httpx.AsyncClient(base_url=stack.config.url("tablet_lending")) as anonymous:
        assert (await anonymous.get(f"/participants/{participant_id}")).status_code == 401
        wrong = await anonymous.post(
            "/auth/token", json={"username": "operator", "password": "not-the-password"}
        )
        assert wrong.status_code == 401
        assert wrong.json() == {
            "message": "Wrong username or password.",
            "reason": "invalid_credentials",
            "message_ja": "ユーザー名 または パスワードが 違います。",
        }
        # Cohorts are public programme facts.
        assert (await anonymous.get("/cohorts")).status_code == 200

    viewer = await LendingApi.signed_in(stack, "viewer")
    try:
        assert (await viewer.http.get(f"/participants/{participant_id}")).status_code == 403
        assert (await viewer.http.get("/participants")).status_code == 403
        assert (
            await viewer.http.get("/exports/participants", params={"cohort_id": "x"})
        ).status_code == 403
        report = await viewer.ok(
            "GET", "/reports/participation", params={"cohort_id": cohort["cohort_id"]}
        )
        assert report[0]["applied"] == 1
        assert "山田" not in str(report)
    finally:
        await viewer.close()

    await api.ok("GET", f"/participants/{participant_id}")
    assert (await api.http.get(f"/participants/{participant_id}/audit")).status_code == 403
    trail = await boss.ok("GET", f"/participants/{participant_id}/audit")
    actions = [entry["action"] for entry in trail]
    assert "participant.read" in actions
    assert "participant.create" in actions
    me = await api.ok("GET", "/auth/me")
    assert {entry["actor"] for entry in trail if entry["action"] == "participant.read"} == {
        me["staff_id"]
    }

    export = await boss.http.get("/exports/participants", params={"cohort_id": cohort["cohort_id"]})
    assert export.status_code == 200
    assert export.content.startswith("\ufeff".encode())
    assert "山田" in export.content.decode("utf-8-sig")
    trail = await boss.ok("GET", f"/participants/{participant_id}/audit")
    assert "participant.export" in [entry["action"] for entry in trail]
