"""tablet_lending's services on a real mongod: seats under concurrency, an import that fails
midway, reminders at chosen moments, and the demo seed."""

from __future__ import annotations

import asyncio
import codecs
import json
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import uuid4

import pytest

from services.common.auth import AuditLog, StaffAccounts
from services.common.events.contracts.lending import Area
from services.common.store import Tx
from services.common.time import JST
from services.tablet_lending.domain.clock import Clock
from services.tablet_lending.domain.cohorts import Cohort
from services.tablet_lending.domain.csv_import import EXAMPLE_HEADER
from services.tablet_lending.domain.errors import Refused
from services.tablet_lending.domain.participants import (
    ApplicationIn,
    ApplicationSource,
    ParticipantStatus,
)
from services.tablet_lending.domain.sessions import SessionIn, SessionKind
from services.tablet_lending.settings import TabletLendingSettings
from services.tablet_lending.staff import add_staff
from services.tablet_lending.store import LendingDb
from services.tablet_lending.usecases import enrolment
from services.tablet_lending.usecases import sessions as session_cases
from services.tablet_lending.usecases.cohorts import save_cohort
from services.tablet_lending.usecases.demo import demo_data, demo_participants, seed_demo
from services.tablet_lending.usecases.devices import DeviceIn, register_device
from services.tablet_lending.usecases.imports import import_file
from services.tablet_lending.usecases.loans import LoanIn, issue_loan
from services.tablet_lending.usecases.reminders import (
    ReminderPolicy,
    send_loan_reminders,
    send_session_reminders,
)
from tests.tablet_lending.support import kana

TODAY = date(2026, 5, 11)
NOW = datetime.combine(TODAY, time(10), JST)
POLICY = ReminderPolicy(days_before=(14, 7, 1), call_after=7, visit_after=14)


async def a_cohort(db: LendingDb, **changes: Any) -> Cohort:
    cohort = Cohort.model_validate(
        {
            "cohort_id": f"c-{uuid4().hex[:10]}",
            "name": "試験期",
            "areas": [Area(code="27116", name="大阪市生野区")],
            "lending_starts_on": TODAY - timedelta(days=60),
            "lending_ends_on": TODAY + timedelta(days=120),
            "capacity": 10,
            **changes,
        }
    )
    await save_cohort(db, cohort=cohort)
    return cohort


def an_application(number: str | None = None) -> ApplicationIn:
    return ApplicationIn.model_validate(
        {
            "personal": {
                "family_name": "山田",
                "given_name": "花子",
                "family_name_kana": "ヤマダ",
                "given_name_kana": kana(),
                "birthdate": "1950-01-01",
                "address": "大阪市生野区桃谷1-1",
            },
            "application_number": number,
            "terms_version": "v1",
        }
    )


async def apply(db: LendingDb, cohort: Cohort) -> str:
    participant = await enrolment.apply(
        db,
        audit=AuditLog(db.store),
        cohort_id=cohort.cohort_id,
        application=an_application(),
        source=ApplicationSource.STAFF,
        actor="staff-1",
        now=NOW,
        today=TODAY,
    )
    return participant.participant_id


async def outbox(db: LendingDb, event_type: str) -> list[dict[str, Any]]:
    return await db.store.collection("outbox").find({"event_type": event_type}).to_list()


async def test_concurrent_applications_never_oversell_a_full_cohort(db: LendingDb) -> None:
    cohort = await a_cohort(db, capacity=3)
    await enrolment.draw(db, cohort_id=cohort.cohort_id, seed=None, actor="s", now=NOW)

    ids = await asyncio.gather(*(apply(db, cohort) for _ in range(10)))

    participants = [await db.participants.get(pid) for pid in ids]
    statuses = [p.status for p in participants if p]
    assert statuses.count(ParticipantStatus.ENROLLED) == 3
    assert statuses.count(ParticipantStatus.WAITLISTED) == 7
    positions = sorted(p.waitlist_position or 0 for p in participants if p and p.waitlist_position)
    assert positions == list(range(1, 8))
    allocation = await db.allocations.get(cohort.cohort_id)
    assert allocation is not None
    assert allocation.enrolled == 3
    assert len(await outbox(db, "lending.participant.enrolled")) == 3


class FailingAudit(AuditLog):
    """Fails when the audit entries are written, after the participants and their history: a
    connection lost in the middle of a file."""

    async def record_many(self, entries: list[dict[str, Any]], *, tx: Tx | None = None) -> None:
        assert tx is not None
        assert await tx.store.collection("participants").count_documents({}, session=tx.session)
        raise ConnectionError("lost the connection in the middle of the file")


async def test_an_import_that_fails_midway_leaves_nothing_behind(db: LendingDb) -> None:
    cohort = await a_cohort(db)
    rows = [
        f"N-{n},山田,花子,ヤマダ,{kana()},1950/1/1,,大阪市生野区桃谷{n},,,同意,," for n in range(5)
    ]
    raw = codecs.BOM_UTF8 + "\r\n".join([EXAMPLE_HEADER, *rows]).encode()

    with pytest.raises(ConnectionError):
        await import_file(
            db,
            audit=FailingAudit(db.store),
            cohort_id=cohort.cohort_id,
            municipality_code="27116",
            raw=raw,
            filename="f.csv",
            actor="staff-1",
            now=NOW,
            today=TODAY,
        )

    assert await db.participants.page(cohort_id=cohort.cohort_id) == []
    assert await db.store.collection("imports").count_documents({}) == 0
    assert await db.store.collection("outbox").count_documents({}) == 1  # the cohort's only
    assert await db.store.collection("history").count_documents({}) == 0

    # Sent again once the connection is back, the whole file goes in.
    record = await import_file(
        db,
        audit=AuditLog(db.store),
        cohort_id=cohort.cohort_id,
        municipality_code="27116",
        raw=raw,
        filename="f.csv",
        actor="staff-1",
        now=NOW,
        today=TODAY,
    )
    assert record["counts"] == {"accepted": 5, "duplicate": 0, "refused": 0}


async def on_loan(db: LendingDb, cohort: Cohort, issued_on: date) -> tuple[str, str]:
    participant_id = await apply(db, cohort)
    allocation = await db.allocations.get(cohort.cohort_id)
    if allocation is None or not allocation.drawn:
        await enrolment.draw(db, cohort_id=cohort.cohort_id, seed=None, actor="s", now=NOW)
    device = await register_device(
        db,
        device_in=DeviceIn(
            device_id=f"T-{uuid4().hex[:8].upper()}", serial_number=participant_id, model="m"
        ),
        actor="s",
        now=NOW,
    )
    loan = await issue_loan(
        db,
        loan_in=LoanIn(
            participant_id=participant_id,
            device_id=device.device_id,
            issued_on=issued_on,
            session_exception="試験のため",
        ),
        actor="s",
        exceptions_allowed=True,
        now=NOW,
        today=TODAY,
    )
    return participant_id, loan.loan_id


async def link(db: LendingDb, participant_id: str, user: str) -> None:
    async def work(tx: Tx) -> None:
        await db.links.link(tx, participant_id=participant_id, line_user_id=user, linked_at=NOW)

    await db.store.transaction(work)


async def test_after_a_pause_only_todays_reminder_goes_out_and_only_once(db: LendingDb) -> None:
    cohort = await a_cohort(db, lending_ends_on=TODAY + timedelta(days=10))
    participant_id, loan_id = await on_loan(db, cohort, TODAY - timedelta(days=10))
    await link(db, participant_id, "Ulinked")

    # Due in 10 days: the 14-day reminder.
    assert await send_loan_reminders(db=db, policy=POLICY, now=NOW, today=TODAY) == 1
    assert await send_loan_reminders(db=db, policy=POLICY, now=NOW, today=TODAY) == 0
    # The service was down for a week: at 1 day left only the 1-day reminder, not the 7-day one.
    later = TODAY + timedelta(days=9)
    assert await send_loan_reminders(db=db, policy=POLICY, now=NOW, today=later) == 1
    sent = [doc["_id"] for doc in await db.store.collection("reminders").find().to_list()]
    assert sorted(sent) == [f"loan:{loan_id}:due_1", f"loan:{loan_id}:due_14"]
    sends = await outbox(db, "line.send.requested")
    assert len(sends) == 2
    assert {doc["key"] for doc in sends} == {"Ulinked"}


async def test_session_reminders_go_the_day_before_to_linked_seniors_only(db: LendingDb) -> None:
    cohort = await a_cohort(db)
    linked, unlinked, late = [await apply(db, cohort) for _ in range(3)]
    await enrolment.draw(db, cohort_id=cohort.cohort_id, seed=None, actor="s", now=NOW)
    await link(db, linked, "Usenior")
    await link(db, late, "Ulate")
    tomorrow = TODAY + timedelta(days=1)
    session = await session_cases.schedule_session(
        db,
        session_in=SessionIn(
            cohort_id=cohort.cohort_id,
            kind=SessionKind.FOLLOW_UP,
            title="写真をとろう",
            venue="区民センター",
            starts_at=datetime.combine(tomorrow, time(14), JST),
            ends_at=datetime.combine(tomorrow, time(15), JST),
            capacity=5,
        ),
        actor="s",
        now=NOW - timedelta(days=3),
    )
    for participant_id, booked_at in (
        (linked, NOW - timedelta(days=2)),
        (unlinked, NOW - timedelta(days=2)),
        (late, NOW),  # booked today: the confirmation is fresh, no reminder
    ):
        await session_cases.book_session(
            db,
            session_id=session.session_id,
            participant_id=participant_id,
            actor="s",
            now=booked_at,
        )

    assert await send_session_reminders(db=db, now=NOW, today=TODAY) == 1
    assert await send_session_reminders(db=db, now=NOW, today=TODAY) == 0
    [send] = await outbox(db, "line.send.requested")
    assert send["key"] == "Usenior"
    assert "明日" in send["value"].decode()
    assert await send_session_reminders(db=db, now=NOW, today=TODAY - timedelta(days=1)) == 0


async def test_the_demo_seed_builds_the_demo_and_runs_again_harmlessly(
    db: LendingDb, audit: AuditLog
) -> None:
    clock = Clock()
    settings = TabletLendingSettings(demo_data=True)
    await seed_demo(db=db, audit=audit, clock=clock, settings=settings)
    await seed_demo(db=db, audit=audit, clock=clock, settings=settings)

    ids = await demo_participants(db)
    assert len(ids) == len(demo_data()["people"]) + len(demo_data()["after_draw"])
    cohort = await db.cohorts.get("phase-4-demo")
    assert cohort is not None
    assert cohort.demo
    assert cohort.lending_ends_on == clock.today() + timedelta(days=20)
    saburo = await db.participants.get(ids["saburo"])
    assert saburo is not None
    assert saburo.status is ParticipantStatus.WAITLISTED
    haruko_loan = await db.loans.active_for(ids["haruko"])
    assert haruko_loan is not None
    assert haruko_loan.due_on == cohort.lending_ends_on
    overdue = await db.loans.active_for(ids["ichiro"])
    assert overdue is not None
    assert overdue.due_on < clock.today()
    assert await db.loans.active_for(ids["jiro"]) is None  # returned
    # One code per LINE demo senior, not re-issued while still valid.
    codes = await db.store.collection("link_codes").count_documents({})
    assert codes == 6
    assert len(await outbox(db, "lending.link_code.issued")) == 6


async def test_staff_accounts_are_created_from_the_command_line_code(db: LendingDb) -> None:
    staff_id = await add_staff(
        store=db.store,
        username="first-supervisor",
        password="a-long-enough-password",
        display_name="統括 一",
        roles=("supervisor",),
    )
    account = await StaffAccounts(db.store).authenticate(
        username="first-supervisor", password="a-long-enough-password"
    )
    assert (account.id, account.roles) == (staff_id, ("supervisor",))
    with pytest.raises(ValueError, match="unknown roles"):
        await add_staff(
            store=db.store, username="x", password="a-long-enough-password",
            display_name="x", roles=("admin",),
        )  # fmt: skip
    with pytest.raises(ValueError, match="at least"):
        await add_staff(
            store=db.store, username="y", password="short", display_name="y", roles=("viewer",)
        )


async def test_a_session_carries_its_area_only_if_the_cohort_has_it(db: LendingDb) -> None:
    cohort = await a_cohort(db)
    tomorrow = TODAY + timedelta(days=1)

    def session_in(area_code: str) -> SessionIn:
        return SessionIn(
            cohort_id=cohort.cohort_id,
            kind=SessionKind.FOLLOW_UP,
            title="写真をとろう",
            venue="生野区民センター",
            starts_at=datetime.combine(tomorrow, time(14), JST),
            ends_at=datetime.combine(tomorrow, time(15), JST),
            capacity=5,
            area_code=area_code,
        )

    with pytest.raises(Refused) as refused:
        await session_cases.schedule_session(db, session_in=session_in("27128"), actor="s", now=NOW)
    assert refused.value.reason == "unknown_area"
    assert await outbox(db, "lending.session.scheduled") == []

    await session_cases.schedule_session(db, session_in=session_in("27116"), actor="s", now=NOW)
    [scheduled] = await outbox(db, "lending.session.scheduled")
    assert json.loads(scheduled["value"])["data"]["area_code"] == "27116"
