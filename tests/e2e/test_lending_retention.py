"""Retention on the real stack: after a cohort's end plus the retention period, personal data is
erased everywhere in tablet_lending's database while every count stays the same.

tablet_lending is restarted with its clock moved past the retention date
(`TABLET_LENDING_CLOCK_START`), and restored afterwards.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, time, timedelta
from typing import Any
from uuid import uuid4

import pytest
from pymongo import AsyncMongoClient

from services.common.events import decode_event
from services.common.events.contracts.lending import ParticipantErased
from services.common.time import JST
from services.tablet_lending.domain.csv_import import EXAMPLE_HEADER
from services.tablet_lending.settings import TabletLendingSettings
from tests.fixtures.kafka import wait_for_records
from tests.tablet_lending.support import LendingApi, kana, link, today_jst
from tools.devstack.stack import Stack

RETENTION_DAYS = TabletLendingSettings().retention_days_after_cohort_end


async def documents_mentioning(stack: Stack, needle: str) -> list[tuple[str, Any]]:
    """Every document in tablet_lending's database that contains `needle` anywhere."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo.uri)
    try:
        db = client[TabletLendingSettings().mongodb_database]
        found = []
        for name in await db.list_collection_names():
            async for doc in db[name].find():
                if needle in repr(doc):
                    found.append((name, doc.get("_id")))
        return found
    finally:
        await client.close()


@pytest.fixture(scope="module")
async def before(stack: Stack) -> dict[str, Any]:
    """A cohort that ended, with participants, loans and a LINE link; set up in the present."""
    api = await LendingApi.signed_in(stack, "operator")
    boss = await LendingApi.signed_in(stack, "supervisor")
    today = today_jst()
    cohort = await api.cohort(
        lending_starts_on=(today - timedelta(days=30)).isoformat(),
        lending_ends_on=(today + timedelta(days=5)).isoformat(),
        capacity=3,
    )
    cohort_id = cohort["cohort_id"]
    names = [f"ケシ{kana(6)}" for _ in range(5)]
    ids = []
    for name in names:
        response = await api.apply(cohort_id, given_name_kana=name, phone="06-9999-0000")
        ids.append(response.json()["participant_id"])
    drawn = await boss.draw(cohort_id)
    returned_by, kept_by, linked, on_request = (
        drawn["enrolled"][0],
        drawn["enrolled"][1],
        drawn["enrolled"][2],
        drawn["waitlisted"][0],
    )
    await api.attended_explanatory(cohort_id, [returned_by, kept_by])
    loan = await api.lend(returned_by)
    name_of = dict(zip(ids, names, strict=True))
    await api.ok(
        "POST",
        f"/loans/{loan['loan_id']}/return",
        json={
            "condition": "good",
            "data_wiped": True,
            "accessories_returned": {"charger": True, "case": True, "sim": True},
            # Staff should not, but sometimes do, write names into notes.
            "note": f"{name_of[returned_by]}さんの家族が返却",
        },
    )
    kept_loan = await api.lend(kept_by)
    await link(stack, api, linked)
    await api.ok("POST", f"/participants/{linked}/link-code")
    assert await documents_mentioning(stack, names[0])  # the search finds what is there
    imported = await api.http.post(
        f"/cohorts/{cohort_id}/imports",
        params={"municipality_code": "27116"},
        content=(
            f"{EXAMPLE_HEADER}\r\n"
            f"RET-{uuid4().hex[:6]},山田,一郎,ヤマダ,イチロウ,1950/1/1,,大阪市生野区1-1,,,同意,,\r\n"
            f"RET-{uuid4().hex[:6]},山田,次郎,ヤマダ,ジロウ,2000/1/1,,大阪市生野区1-1,,,同意,,\r\n"
        ).encode("cp932"),
    )
    assert imported.json()["counts"] == {"accepted": 1, "duplicate": 0, "refused": 1}, (
        imported.json()["rows"]
    )
    erased_now = await boss.ok(
        "POST", f"/participants/{on_request}/erase", json={"reason": "本人からの削除依頼"}
    )
    assert erased_now == {"participant_id": on_request, "erased": True}
    state = {
        "cohort_id": cohort_id,
        "names": dict(zip(ids, names, strict=True)),
        "returned_by": returned_by,
        "kept_by": kept_by,
        "kept_loan": kept_loan["loan_id"],
        "linked": linked,
        "on_request": on_request,
        "participation": await api.ok(
            "GET", "/reports/participation", params={"cohort_id": cohort_id}
        ),
        "loans": await api.ok("GET", "/reports/loans", params={"cohort_id": cohort_id}),
        "ends_on": cohort["lending_ends_on"],
        "import_id": imported.json()["import_id"],
    }
    await api.close()
    await boss.close()
    return state


@pytest.fixture(scope="module")
async def later(stack: Stack, before: dict[str, Any]) -> AsyncIterator[Stack]:
    """tablet_lending with its clock just past the cohort's retention date."""
    ends = datetime.fromisoformat(before["ends_on"]).date()
    moment = datetime.combine(ends + timedelta(days=RETENTION_DAYS + 2), time(11), JST)
    await stack.restart_app(
        "tablet_lending", env={"TABLET_LENDING_CLOCK_START": moment.isoformat()}
    )
    yield stack
    await stack.restart_app("tablet_lending")


async def test_retention_erases_personal_data_and_keeps_the_counts(
    later: Stack, before: dict[str, Any]
) -> None:
    api = await LendingApi.signed_in(later, "operator")
    boss = await LendingApi.signed_in(later, "supervisor")
    try:
        clock = await api.ok("GET", "/admin/clock")
        assert clock["shifted"] is True
        # The scheduler ran when the service started; a round now finds the rest blocked.
        report = await boss.run_scheduler()
        assert report["erasure_blocked"] >= 1

        for participant_id in (before["returned_by"], before["linked"], before["on_request"]):
            detail = await api.ok("GET", f"/participants/{participant_id}")
            assert detail["participant"]["personal"] is None
            assert detail["participant"]["erased_at"]
            assert detail["participant"]["application_number"] is None
            assert detail["line_linked"] is False
            assert detail["link_code_expires_at"] is None
            # Nothing anywhere in the database still carries the person's kana (notes included).
            assert await documents_mentioning(later, before["names"][participant_id]) == []

        # The import report keeps its verdicts but no application numbers, refused rows included.
        report = await api.ok("GET", f"/imports/{before['import_id']}")
        assert [row["application_number"] for row in report["rows"]] == [None, None]
        assert [row["outcome"] for row in report["rows"]] == ["accepted", "refused"]

        # Someone who still has a tablet is kept until it is back.
        kept = await api.ok("GET", f"/participants/{before['kept_by']}")
        assert (
            kept["participant"]["personal"]["given_name_kana"] == before["names"][before["kept_by"]]
        )

        cohort_id = before["cohort_id"]
        assert (
            await api.ok("GET", "/reports/participation", params={"cohort_id": cohort_id})
            == before["participation"]
        )
        loans = await api.ok("GET", "/reports/loans", params={"cohort_id": cohort_id})
        assert (loans[0]["active"], loans[0]["returned"]) == (
            before["loans"][0]["active"],
            before["loans"][0]["returned"],
        )

        records = await wait_for_records(
            later.kafka.bootstrap_servers,
            "lending.events",
            key=before["linked"].encode(),
            count=3,
        )
        erased = [decode_event(r.value).data for r in records]
        assert [e.participant_id for e in erased if isinstance(e, ParticipantErased)] == [
            before["linked"]
        ]
        trail = await boss.ok("GET", f"/participants/{before['returned_by']}/audit")
        assert ("participant.erase", "system:retention") in [
            (entry["action"], entry["actor"]) for entry in trail
        ]

        # Once the tablet comes back, the next round erases that participant too.
        await api.ok(
            "POST",
            f"/loans/{before['kept_loan']}/return",
            json={
                "condition": "good",
                "data_wiped": True,
                "accessories_returned": {"charger": True, "case": True, "sim": True},
            },
        )
        await boss.run_scheduler()
        assert await documents_mentioning(later, before["names"][before["kept_by"]]) == []
        assert (
            await api.ok("GET", "/reports/participation", params={"cohort_id": cohort_id})
            == before["participation"]
        )
    finally:
        await api.close()
        await boss.close()
