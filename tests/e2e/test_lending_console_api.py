"""What the programme office's console needs from tablet_lending's API, on the real stack:
Japanese role and sign-in refusals, one shape for creates, cookie sign-in with CSRF under the
service's own cookie names, searching people, the call lists with name and phone (audited), and
the monthly report for the council as an Excel workbook."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path

import httpx
from openpyxl import load_workbook

from services.common.time import utcnow
from services.tablet_lending.domain.dates import add_months
from tests.tablet_lending.support import PASSWORDS, LendingApi, today_jst
from tools.devstack.stack import Stack

ROOT = Path(__file__).resolve().parents[2]


def repository_files(*paths: str) -> list[bytes]:
    return [(ROOT / path).read_bytes() for path in paths]


async def test_role_and_sign_in_refusals_say_it_in_japanese_too(
    api: LendingApi, stack: Stack
) -> None:
    cohort = await api.cohort()
    refused = await api.http.post(f"/cohorts/{cohort['cohort_id']}/lottery", json={})
    assert refused.status_code == 403
    assert refused.json() == {
        "message": "This needs one of these roles: supervisor.",
        "reason": "forbidden_role",
        "message_ja": "この操作には「統括」の権限が必要です。",
    }

    viewer = await LendingApi.signed_in(stack, "viewer")
    anonymous = httpx.AsyncClient(base_url=stack.config.url("tablet_lending"))
    try:
        people = await viewer.http.get("/participants")
        assert people.status_code == 403
        assert (
            people.json()["message_ja"]
            == "この操作には「運用担当」または「統括」の権限が必要です。"
        )
        nobody = await anonymous.get("/reports/loans")
        assert nobody.status_code == 401
        assert nobody.json()["message_ja"] == "ログインしてください。"
        wrong = await anonymous.post(
            "/auth/token", json={"username": "viewer", "password": "not-the-password"}
        )
        assert wrong.status_code == 401
        assert wrong.json()["message_ja"] == "ユーザー名 または パスワードが 違います。"
    finally:
        await viewer.close()
        await anonymous.aclose()


async def test_post_sessions_answers_the_session_itself_like_the_other_creates(
    api: LendingApi,
) -> None:
    cohort = await api.cohort()
    starts = (utcnow() + timedelta(days=3)).replace(second=0, microsecond=0)
    created = await api.ok(
        "POST",
        "/sessions",
        json={
            "cohort_id": cohort["cohort_id"],
            "kind": "follow_up",
            "title": "フォローアップ講座",
            "venue": "区民センター",
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=1)).isoformat(),
            "capacity": 12,
        },
    )
    # Flat, like POST /cohorts, /devices and /loans: the resource's own fields at the top.
    assert created["cohort_id"] == cohort["cohort_id"]
    assert (created["capacity"], created["booked"], created["seats_left"]) == (12, 0, 12)
    assert "session" not in created
    assert await api.ok("GET", f"/sessions/{created['session_id']}") == created
    assert await api.ok("GET", "/sessions", params={"cohort_id": cohort["cohort_id"]}) == [created]


async def test_the_console_signs_in_with_its_own_cookies_and_needs_the_csrf_token(
    stack: Stack,
) -> None:
    async with httpx.AsyncClient(base_url=stack.config.url("tablet_lending")) as browser:
        signed_in = await browser.post(
            "/auth/session", json={"username": "operator", "password": PASSWORDS["operator"]}
        )
        assert signed_in.status_code == 200, signed_in.text
        csrf = signed_in.json()["csrf_token"]
        # Not the helpdesk's cookie names: both pages share the host 127.0.0.1 in the demo.
        assert set(browser.cookies.keys()) == {"sslp_lending_session", "sslp_lending_csrf"}
        assert browser.cookies["sslp_lending_csrf"] == csrf
        assert (await browser.get("/auth/me")).json()["roles"] == ["operator"]

        body = {
            "device_id": f"C-{utcnow():%H%M%S%f}",
            "serial_number": "SN-console-1",
            "model": "試験端末",
        }
        without = await browser.post("/devices", json=body)
        assert without.status_code == 403
        assert without.json()["reason"] == "csrf"
        assert (
            without.json()["message_ja"] == "画面を読み込み直してから、もう一度操作してください。"
        )
        made = await browser.post("/devices", json=body, headers={"x-csrf-token": csrf})
        assert made.status_code == 201, made.text

        out = await browser.post("/auth/logout", headers={"x-csrf-token": csrf})
        assert out.status_code == 204
        assert "sslp_lending_session" not in browser.cookies
        assert (await browser.get("/auth/me")).status_code == 401


async def test_search_finds_people_by_kana_in_hiragana_by_phone_and_audits_what_it_shows(
    api: LendingApi, boss: LendingApi
) -> None:
    cohort = await api.cohort()
    cohort_id = cohort["cohort_id"]
    [wanted] = await api.enrolled(
        cohort_id, family_name="検索", family_name_kana="ケンサク", phone="06-1111-2222"
    )
    [other] = await api.enrolled(cohort_id, family_name="別人", family_name_kana="ベツジン")

    async def found(q: str) -> list[str]:
        rows = await api.ok("GET", "/participants", params={"cohort_id": cohort_id, "q": q})
        return [row["participant_id"] for row in rows]

    assert await found("けんさく") == [wanted]  # hiragana finds the katakana kept on file
    assert await found("ｹﾝｻｸ") == [wanted]  # half-width kana too
    assert await found("1111-2222") == [wanted]
    assert await found("検索 ケンサク") == [wanted]  # every word must match
    assert await found("検索 ベツジン") == []
    assert await found(".*") == []  # typed text, never a pattern
    assert sorted(await found("")) == sorted([wanted, other])

    trail = await boss.ok("GET", f"/participants/{wanted}/audit")
    assert sum(entry["action"] == "participant.list" for entry in trail) >= 5
    unseen = await boss.ok("GET", f"/participants/{other}/audit")
    assert sum(entry["action"] == "participant.list" for entry in unseen) == 1


async def test_call_lists_give_name_and_phone_of_overdue_and_due_soon_loans_audited(
    api: LendingApi, boss: LendingApi
) -> None:
    today = today_jst()
    # Lent 200 days ago: six months have passed, so it is overdue.
    late = await api.cohort(
        lending_starts_on=(today - timedelta(days=250)).isoformat(),
        lending_ends_on=(today + timedelta(days=30)).isoformat(),
    )
    # Lent 50 days ago from a window that ends in three days: due soon.
    soon = await api.cohort(
        lending_starts_on=(today - timedelta(days=100)).isoformat(),
        lending_ends_on=(today + timedelta(days=3)).isoformat(),
    )
    people = {}
    for cohort, name, days_ago in ((late, "遅延", 200), (soon, "間近", 50)):
        [participant_id] = await api.enrolled(
            cohort["cohort_id"], family_name=name, phone="06-2222-3333"
        )
        await boss.draw(cohort["cohort_id"])
        await api.attended_explanatory(cohort["cohort_id"], [participant_id])
        await api.lend(participant_id, issued_on=today - timedelta(days=days_ago))
        people[name] = participant_id

    overdue = await api.ok("GET", "/loans/calls", params={"due": "overdue"})
    [row] = [r for r in overdue if r["cohort_id"] == late["cohort_id"]]
    due_on = add_months(today - timedelta(days=200), 6)
    assert (row["name"], row["phone"]) == ("遅延 花子", "06-2222-3333")
    assert (row["due_on"], row["days_overdue"]) == (due_on.isoformat(), (today - due_on).days)
    assert row["line_linked"] is False
    assert all(r["cohort_id"] != soon["cohort_id"] for r in overdue)

    due_soon = await api.ok(
        "GET", "/loans/calls", params={"due": "due_soon", "cohort_id": soon["cohort_id"]}
    )
    assert [(r["name"], r["due_on"]) for r in due_soon] == [
        ("間近 花子", (today + timedelta(days=3)).isoformat())
    ]
    for participant_id in people.values():
        trail = await boss.ok("GET", f"/participants/{participant_id}/audit")
        assert [e["details"] for e in trail if e["action"] == "participant.call_list"]

    viewer = await api.http.get("/loans/calls", headers={"authorization": "Bearer nonsense"})
    assert viewer.status_code == 401


async def test_the_monthly_report_is_an_excel_workbook_in_japanese_with_the_months_figures(
    api: LendingApi, boss: LendingApi, stack: Stack
) -> None:
    today = today_jst()
    cohort = await api.cohort(name="月報試験期")
    cohort_id = cohort["cohort_id"]
    first, second = await api.enrolled(cohort_id, count=2)
    await boss.draw(cohort_id)
    await api.attended_explanatory(cohort_id, [first, second])
    await api.lend(first)

    viewer = await LendingApi.signed_in(stack, "viewer")  # aggregates only: viewers may
    try:
        answer = await viewer.http.get(
            "/reports/monthly.xlsx", params={"month": f"{today:%Y-%m}", "cohort_id": cohort_id}
        )
        bad = await viewer.http.get("/reports/monthly.xlsx", params={"month": "2026-13"})
        far = await viewer.http.get("/reports/monthly.xlsx", params={"month": "9999-12"})
    finally:
        await viewer.close()
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert f"monthly-report-{today:%Y-%m}-{cohort_id}.xlsx" in answer.headers["content-disposition"]
    assert bad.status_code == 422
    assert bad.json()["message_ja"] == "月は 2026-04 のように 年-月 で指定してください。"
    assert far.status_code == 422

    book = load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames == ["月次報告", "グラフ"]
    cells = [
        [cell for cell in row if cell is not None]
        for row in book["月次報告"].iter_rows(values_only=True)
    ]
    title = str(cells[0][0])
    assert title.startswith("大阪スマートシニアライフ事業")
    assert f"{today.year}年{today.month}月" in title
    # The month's movement for this cohort: 2 applications, 2 enrolled, 1 loan issued.
    flows = cells.index([f"2. {today.year}年{today.month}月の動き"])
    assert cells[flows + 1][:5] == ["期", "申込", "参加決定", "辞退", "貸出"]
    assert cells[flows + 2] == ["月報試験期", 2, 2, 0, 1, 0, 0, 0]
    loans = cells.index(["4. 貸出状況（作成時点）"])
    assert cells[loans + 2][:2] == ["月報試験期", 1]
    # No personal data: the applicants' names and phones appear nowhere.
    text = " ".join(str(value) for row in cells for value in row)
    assert "山田" not in text
    assert "06-0000-1234" not in text
    # Excel's own charts of the tables, on the second sheet.
    parts = zipfile.ZipFile(io.BytesIO(answer.content)).namelist()
    assert len([part for part in parts if part.startswith("xl/charts/chart")]) >= 2


async def test_the_readme_csv_example_imports_into_an_open_cohort_like_the_demo(
    api: LendingApi,
) -> None:
    """The README imports docs/sample-applicants.csv into the demo cohort; the same file goes
    into a fresh cohort with the demo's areas, terms and an open window (test stacks have no demo
    seed): three accepted, the one too young refused with its reason."""
    readme, demo_seed, sample = repository_files(
        "README.md", "services/tablet_lending/seed/demo.json", "docs/sample-applicants.csv"
    )
    assert "--data-binary @docs/sample-applicants.csv" in readme.decode()
    assert "/cohorts/phase-4-demo/imports?municipality_code=27116" in readme.decode()
    demo = json.loads(demo_seed)["cohort"]
    today = today_jst()
    cohort = await api.cohort(
        areas=demo["areas"],
        terms_version=demo["terms_version"],
        lending_starts_on=(today - timedelta(days=30)).isoformat(),
        lending_ends_on=(today + timedelta(days=20)).isoformat(),
    )
    record = await api.ok(
        "POST",
        f"/cohorts/{cohort['cohort_id']}/imports",
        params={"municipality_code": "27116", "filename": "sample-applicants.csv"},
        content=sample,
        headers={"content-type": "text/csv"},
    )
    assert record["counts"] == {"accepted": 3, "duplicate": 0, "refused": 1}
    [refused] = [row for row in record["rows"] if row["outcome"] == "refused"]
    assert (refused["application_number"], refused["reason"]) == ("IK-D-004", "too_young")


async def test_the_cohort_overview_gives_every_cohorts_seats_and_draw_in_one_answer(
    api: LendingApi, boss: LendingApi, stack: Stack
) -> None:
    drawn = await api.cohort(capacity=3)
    await api.enrolled(drawn["cohort_id"], count=2)
    await boss.draw(drawn["cohort_id"])
    untouched = await api.cohort(capacity=5)

    viewer = await LendingApi.signed_in(stack, "viewer")  # no personal data: viewers may
    try:
        overview = await viewer.ok("GET", "/reports/cohorts")
    finally:
        await viewer.close()
    rows = {row["cohort"]["cohort_id"]: row for row in overview}
    assert {key: rows[drawn["cohort_id"]][key] for key in ("drawn", "enrolled", "seats_left")} == {
        "drawn": True,
        "enrolled": 2,
        "seats_left": 1,
    }
    assert rows[drawn["cohort_id"]]["lottery_id"]
    assert (rows[untouched["cohort_id"]]["drawn"], rows[untouched["cohort_id"]]["seats_left"]) == (
        False,
        5,
    )
    # The same figures as the one-cohort answer.
    single = await api.ok("GET", f"/cohorts/{drawn['cohort_id']}")
    assert single == rows[drawn["cohort_id"]]
