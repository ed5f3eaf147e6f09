"""The demo cohort 第4期（デモ） for `make run`: fictional people, tablets, loans and sessions.

Seeded once, through the same service functions staff use (so every event is published and the
other services' read models fill up), with dates relative to the day it is first seeded: the
lending window ends in three weeks, one tablet is overdue, follow-up sessions are tomorrow and
in the coming days. The six LINE simulator demo seniors are participants here; each gets a fixed,
documented link code (re-issued at every start until they have linked), so anyone can link on the
simulator page by sending it, e.g. 「40010001」 as デモ 春子.
Never enabled in production (settings refuse it).
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from importlib import resources
from typing import Any

from services.common.auth import AuditLog
from services.common.events.contracts.lending import Area, DeviceState
from services.common.logging import get_logger
from services.common.time import JST
from services.tablet_lending.domain.clock import Clock
from services.tablet_lending.domain.cohorts import Cohort
from services.tablet_lending.domain.devices import Accessories, Condition
from services.tablet_lending.domain.participants import (
    ApplicationIn,
    ApplicationSource,
    Personal,
)
from services.tablet_lending.domain.sessions import SessionIn, SessionKind
from services.tablet_lending.settings import TabletLendingSettings
from services.tablet_lending.store import LendingDb
from services.tablet_lending.usecases import devices as device_cases
from services.tablet_lending.usecases import enrolment
from services.tablet_lending.usecases import sessions as session_cases
from services.tablet_lending.usecases.cohorts import save_cohort
from services.tablet_lending.usecases.link_codes import issue_link_code
from services.tablet_lending.usecases.loans import LoanIn, ReturnIn, issue_loan, return_loan

log = get_logger(__name__)
ACTOR = "system:demo-seed"
DEMO_LOTTERY_SEED = "demo-lottery-seed"


def demo_data() -> dict[str, Any]:
    raw = resources.files("services.tablet_lending.seed").joinpath("demo.json").read_text()
    data: dict[str, Any] = json.loads(raw)
    return data


def _at(today: date, days: int, clock_time: str, minutes: int = 0) -> datetime:
    hour, minute = (int(part) for part in clock_time.split(":"))
    return datetime.combine(today + timedelta(days=days), time(hour, minute), JST) + timedelta(
        minutes=minutes
    )


async def seed_demo(
    *, db: LendingDb, audit: AuditLog, clock: Clock, settings: TabletLendingSettings
) -> None:
    data = demo_data()
    cohort_id = data["cohort"]["cohort_id"]
    if await db.cohorts.get(cohort_id) is None:
        await _seed_once(db=db, data=data, clock=clock)
        log.info("seeded the demo cohort", cohort_id=cohort_id)
    await _refresh_link_codes(db=db, audit=audit, data=data, clock=clock, settings=settings)


async def _seed_once(*, db: LendingDb, data: dict[str, Any], clock: Clock) -> None:
    today, now = clock.today(), clock.now()
    spec = data["cohort"]
    cohort = Cohort(
        cohort_id=spec["cohort_id"],
        name=spec["name"],
        areas=[Area.model_validate(area) for area in spec["areas"]],
        lending_starts_on=today + timedelta(days=spec["starts_days_from_seed"]),
        lending_ends_on=today + timedelta(days=spec["ends_days_from_seed"]),
        minimum_age=spec["minimum_age"],
        capacity=spec["capacity"],
        terms_version=spec["terms_version"],
        source=spec["source"],
        demo=True,
    )
    await save_cohort(db, cohort=cohort)

    sessions: dict[str, str] = {}
    for kind, key in (
        (SessionKind.EXPLANATORY, "explanatory_sessions"),
        (SessionKind.FOLLOW_UP, "follow_up_sessions"),
    ):
        for item in data[key]:
            session = await session_cases.schedule_session(
                db,
                session_in=SessionIn(
                    cohort_id=cohort.cohort_id,
                    kind=kind,
                    title=item["title"],
                    venue=item["venue"],
                    starts_at=_at(today, item["days_from_seed"], item["at"]),
                    ends_at=_at(today, item["days_from_seed"], item["at"], item["minutes"]),
                    capacity=item["capacity"],
                ),
                actor=ACTOR,
                now=now,
            )
            sessions[item["key"]] = session.session_id

    for item in data["devices"]:
        await device_cases.register_device(
            db,
            device_in=device_cases.DeviceIn(
                device_id=item["device_id"],
                serial_number=item["serial_number"],
                model=item["model"],
                accessories=Accessories(charger=True, case=True, sim=item["sim"]),
            ),
            actor=ACTOR,
            now=now,
        )
        if item.get("state"):
            await device_cases.change_device_state(
                db,
                device_id=item["device_id"],
                to_state=DeviceState(item["state"]),
                condition=Condition.DAMAGED if item["state"] == "in_repair" else None,
                note="デモ用",
                actor=ACTOR,
                now=now,
            )

    participants = {
        person["key"]: await _apply(db=db, cohort=cohort, person=person, now=now, today=today)
        for person in data["people"]
    }
    await enrolment.draw(
        db, cohort_id=cohort.cohort_id, seed=DEMO_LOTTERY_SEED, actor=ACTOR, now=now
    )
    for person in data["after_draw"]:
        await _apply(db=db, cohort=cohort, person=person, now=now, today=today)

    for person in data["people"]:
        participant_id = participants[person["key"]]
        # The explanatory session is past; a follow-up is attended if it was held, else booked.
        attended = [person["explanatory"]]
        if follow_up := person.get("follow_up"):
            if _at(today, _days(data, follow_up), "00:00") < now:
                attended.append(follow_up)
            else:
                await session_cases.book_session(
                    db,
                    session_id=sessions[follow_up],
                    participant_id=participant_id,
                    actor=ACTOR,
                    now=now,
                )
        for key in attended:
            await session_cases.record_attendance(
                db,
                session_id=sessions[key],
                participant_id=participant_id,
                attended=True,
                actor=ACTOR,
                now=now,
            )
        loan_spec = person["loan"]
        loan = await issue_loan(
            db,
            loan_in=LoanIn(
                participant_id=participant_id,
                device_id=loan_spec["device"],
                issued_on=today + timedelta(days=loan_spec["issued_days_from_seed"]),
            ),
            actor=ACTOR,
            exceptions_allowed=False,
            now=now,
            today=today,
        )
        if "returned_days_from_seed" in loan_spec:
            await return_loan(
                db,
                loan_id=loan.loan_id,
                return_in=ReturnIn(
                    returned_on=today + timedelta(days=loan_spec["returned_days_from_seed"]),
                    condition=Condition.GOOD,
                    data_wiped=True,
                    accessories_returned=loan.accessories_issued,
                    note="デモ用の返却",
                ),
                actor=ACTOR,
                now=now,
                today=today,
            )


def _days(data: dict[str, Any], session_key: str) -> int:
    for item in (*data["explanatory_sessions"], *data["follow_up_sessions"]):
        if item["key"] == session_key:
            return int(item["days_from_seed"])
    raise KeyError(session_key)


async def _apply(
    *, db: LendingDb, cohort: Cohort, person: dict[str, Any], now: datetime, today: date
) -> str:
    personal = Personal.model_validate(
        {field: person[field] for field in Personal.model_fields if field in person}
    )
    participant = await enrolment.apply(
        db,
        audit=AuditLog(db.store),
        cohort_id=cohort.cohort_id,
        application=ApplicationIn(
            personal=personal,
            application_number=f"DEMO-{person['key']}",
            terms_version=cohort.terms_version,
        ),
        source=ApplicationSource.DEMO,
        actor=ACTOR,
        now=now,
        today=today,
    )
    return participant.participant_id


async def demo_participants(db: LendingDb) -> dict[str, str]:
    """Demo person key -> participant id (found by their application number)."""
    found = {}
    data = demo_data()
    cohort_id = data["cohort"]["cohort_id"]
    for person in (*data["people"], *data["after_draw"]):
        participant = await db.participants.by_natural_key(
            f"{cohort_id}:staff:DEMO-{person['key']}"
        )
        if participant is not None:
            found[person["key"]] = participant.participant_id
    return found


async def _refresh_link_codes(
    *,
    db: LendingDb,
    audit: AuditLog,
    data: dict[str, Any],
    clock: Clock,
    settings: TabletLendingSettings,
) -> None:
    """Keep each demo senior's documented code valid until they have linked."""
    ids = await demo_participants(db)
    now = clock.now()
    for person in data["people"]:
        participant_id = ids.get(person["key"])
        if participant_id is None or "link_code" not in person:
            continue
        if await db.links.user_of(participant_id) is not None:
            continue
        current = await db.link_codes.get(participant_id)
        if current is not None and current["expires_at"] > now + timedelta(days=1):
            continue
        await issue_link_code(
            db,
            audit=audit,
            participant_id=participant_id,
            actor=ACTOR,
            now=now,
            ttl=timedelta(days=settings.link_code_ttl_days),
            secret=settings.link_code_secret,
            code=person["link_code"],
        )
