"""Applications, the draw, withdrawal and corrections, each loaded and committed in one transaction.

The rules (eligibility, duplicates, seats, the lottery order) are in `domain/enrolment.py`.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError

from services.common.auth import AuditLog
from services.common.events.contracts.lending import ParticipantEnrolled, ParticipantWithdrawn
from services.common.store import Tx
from services.common.usecases import transactional
from services.tablet_lending.domain.cohorts import Cohort
from services.tablet_lending.domain.eligibility import area_for_address, check_age
from services.tablet_lending.domain.enrolment import (
    LOTTERY_ALGORITHM,
    PersonalUpdate,
    Screened,
    Seats,
    TakenKeys,
    lottery_order,
    screen,
)
from services.tablet_lending.domain.errors import Conflict, Refused
from services.tablet_lending.domain.events import new_id
from services.tablet_lending.domain.participants import (
    ApplicationIn,
    ApplicationSource,
    Consent,
    Participant,
    ParticipantStatus,
    Personal,
    age_band,
)
from services.tablet_lending.store import LendingDb
from services.tablet_lending.usecases.found import found
from services.tablet_lending.usecases.outbox import publish


async def cohort_or_404(db: LendingDb, cohort_id: str, tx: Tx | None = None) -> Cohort:
    return await found(db.cohorts.get(cohort_id, tx), "cohort", "期", cohort_id)


async def participant_or_404(
    db: LendingDb, participant_id: str, tx: Tx | None = None
) -> Participant:
    return await found(
        db.participants.get(participant_id, tx), "participant", "利用者", participant_id
    )


async def load_taken_keys(
    tx: Tx, *, db: LendingDb, cohort: Cohort, applications: Sequence[ApplicationIn]
) -> TakenKeys:
    natural = [key for a in applications if (key := a.natural_key(cohort.cohort_id))]
    person = [a.personal.person_key(cohort.cohort_id) for a in applications]
    return TakenKeys(
        natural=await db.participants.taken_natural_keys(tx, natural),
        person=await db.participants.taken_person_keys(tx, cohort.cohort_id, person),
    )


async def lock_seats(tx: Tx, *, db: LendingDb, cohort: Cohort) -> Seats:
    """The cohort's allocation, read and write-locked once for this transaction."""
    return Seats(cohort, await db.allocations.lock(tx, cohort.cohort_id))


async def save_seats(tx: Tx, *, db: LendingDb, seats: Seats, cohort_id: str) -> None:
    await db.allocations.update(
        tx, cohort_id, enrolled_delta=seats.enrolled_delta, last_position=seats.last_position
    )


async def store_applications(
    tx: Tx,
    *,
    db: LendingDb,
    audit: AuditLog,
    cohort: Cohort,
    screened: Sequence[Screened],
    source: ApplicationSource,
    actor: str,
    now: datetime,
) -> list[Participant]:
    """Record screened applications as applied, enrolled or waitlisted (seats permitting), in
    order, with their history, audit entries and events: a handful of writes however many."""
    if not screened:
        return []
    seats = await lock_seats(tx, db=db, cohort=cohort)
    participants = []
    for item in screened:
        status, position = seats.place()
        application = item.application
        participants.append(
            Participant(
                participant_id=new_id("P"),
                cohort_id=cohort.cohort_id,
                area_code=item.area.code,
                area_name=item.area.name,
                status=status,
                waitlist_position=position,
                source=source,
                municipality_code=application.municipality_code,
                application_number=application.application_number,
                age_band=age_band(application.personal.birthdate, cohort.lending_starts_on),
                consent=Consent(
                    terms_version=application.terms_version,
                    consented_at=application.consented_at or now,
                    recorded_by=actor,
                ),
                applied_at=now,
                enrolled_at=now if status is ParticipantStatus.ENROLLED else None,
                personal=application.personal,
            )
        )
    await db.participants.insert_many(
        tx,
        [
            (participant, item.natural_key, item.person_key)
            for participant, item in zip(participants, screened, strict=True)
        ],
    )
    await db.history.append_many(
        tx,
        [
            {
                "subject": f"participant:{p.participant_id}",
                "action": "applied",
                "actor": actor,
                "at": now,
                "details": {
                    "status": p.status.value,
                    "source": source.value,
                    "position": p.waitlist_position,
                },
            }
            for p in participants
        ],
    )
    await audit.record_many(
        [
            {
                "actor": actor,
                "action": "participant.create",
                "subject": p.participant_id,
                "details": {"via": source.value},
            }
            for p in participants
        ],
        tx=tx,
    )
    for participant in participants:
        if participant.status is ParticipantStatus.ENROLLED:
            await _publish_enrolled(tx, participant, now)
    await save_seats(tx, db=db, seats=seats, cohort_id=cohort.cohort_id)
    return participants


@transactional
async def apply(
    db: LendingDb,
    tx: Tx,
    *,
    audit: AuditLog,
    cohort_id: str,
    application: ApplicationIn,
    source: ApplicationSource,
    actor: str,
    now: datetime,
    today: date,
) -> Participant:
    """One application (staff entry): recorded, or refused with nothing written."""
    cohort = await cohort_or_404(db, cohort_id, tx)
    taken = await load_taken_keys(tx, db=db, cohort=cohort, applications=[application])
    screened = screen(cohort=cohort, application=application, taken=taken, today=today)
    [participant] = await store_applications(
        tx,
        db=db,
        audit=audit,
        cohort=cohort,
        screened=[screened],
        source=source,
        actor=actor,
        now=now,
    )
    return participant


@transactional
async def draw(
    db: LendingDb, tx: Tx, *, cohort_id: str, seed: str | None, actor: str, now: datetime
) -> dict[str, Any]:
    """Enrol applicants up to capacity (by lot when oversubscribed); the rest wait, in order."""
    seed = seed or secrets.token_hex(16)
    cohort = await cohort_or_404(db, cohort_id, tx)
    allocation = await db.allocations.lock(tx, cohort_id)
    if allocation.drawn:
        raise Conflict(
            "already_drawn",
            f"Cohort {cohort_id} was already drawn (lottery {allocation.lottery_id}).",
            f"{cohort.name}の抽選はすでに行われています（{allocation.lottery_id}）。",
        )
    entrants = await db.participants.ids_with_status(
        tx, cohort_id=cohort_id, status=ParticipantStatus.APPLIED
    )
    seats = max(cohort.capacity - allocation.enrolled, 0)
    order = lottery_order(seed=seed, entrants=entrants)
    winners, waiting = order[:seats], order[seats:]
    lottery_id = new_id("LOT")
    if winners:
        await db.participants.enrol(tx, winners, at=now)
    await db.participants.waitlist_many(
        tx,
        {pid: allocation.last_position + n for n, pid in enumerate(waiting, start=1)},
    )
    for participant in await db.participants.get_many(tx, winners):
        await _publish_enrolled(tx, participant, now)
    record = {
        "_id": lottery_id,
        "cohort_id": cohort_id,
        "seed": seed,
        "algorithm": LOTTERY_ALGORITHM,
        "oversubscribed": len(entrants) > seats,
        "seats": seats,
        "entrants": entrants,
        "order": order,
        "enrolled": winners,
        "waitlisted": waiting,
        "drawn_at": now,
        "drawn_by": actor,
    }
    await db.lotteries.insert(tx, record)
    await db.allocations.update(
        tx,
        cohort_id,
        enrolled_delta=len(winners),
        last_position=allocation.last_position + len(waiting),
        lottery_id=lottery_id,
    )
    await db.history.append(
        tx,
        subject=f"cohort:{cohort_id}",
        action="drawn",
        actor=actor,
        at=now,
        details={
            "lottery_id": lottery_id,
            "enrolled": len(winners),
            "waitlisted": len(waiting),
        },
    )
    return record


@transactional
async def withdraw(
    db: LendingDb,
    tx: Tx,
    *,
    participant_id: str,
    reason: str,
    actor: str,
    now: datetime,
    today: date,
) -> Participant:
    """Leave the programme; a freed seat goes to the first on the waiting list."""
    participant = await participant_or_404(db, participant_id, tx)
    if participant.status is ParticipantStatus.WITHDRAWN:
        raise Conflict(
            "already_withdrawn",
            f"Participant {participant_id} has already withdrawn.",
            f"利用者 {participant_id} はすでに辞退済みです。",
        )
    loan = await db.loans.active_for(participant_id, tx)
    if loan is not None:
        raise Refused(
            "active_loan",
            f"Participant {participant_id} still has tablet {loan.device_id} "
            f"(loan {loan.loan_id}); record its return or loss first.",
            f"利用者 {participant_id} はタブレット {loan.device_id} を借りたままです。"
            "先に返却または紛失を記録してください。",
        )
    cohort = await cohort_or_404(db, participant.cohort_id, tx)
    await db.allocations.lock(tx, cohort.cohort_id)
    await db.participants.withdraw(tx, participant_id, at=now, reason=reason)
    await db.history.append(
        tx,
        subject=f"participant:{participant_id}",
        action="withdrawn",
        actor=actor,
        at=now,
        details={"from_status": participant.status.value},
    )
    if participant.status is ParticipantStatus.ENROLLED:
        await publish(
            tx,
            key=participant_id,
            data=ParticipantWithdrawn(
                participant_id=participant_id, cohort_id=cohort.cohort_id, withdrawn_at=now
            ),
        )
        promoted = await _promote_next(tx, db=db, cohort=cohort, actor=actor, now=now, today=today)
        await db.allocations.update(
            tx, cohort.cohort_id, enrolled_delta=-1 + (1 if promoted else 0)
        )
    return await participant_or_404(db, participant_id, tx)


async def _promote_next(
    tx: Tx, *, db: LendingDb, cohort: Cohort, actor: str, now: datetime, today: date
) -> Participant | None:
    if cohort.lending_ends_on < today:
        return None
    waiting = await db.participants.next_waitlisted(tx, cohort_id=cohort.cohort_id)
    if waiting is None:
        return None
    await db.participants.enrol(tx, [waiting.participant_id], at=now)
    await _publish_enrolled(tx, waiting, now)
    await db.history.append(
        tx,
        subject=f"participant:{waiting.participant_id}",
        action="promoted_from_waiting_list",
        actor=actor,
        at=now,
        details={"position": waiting.waitlist_position},
    )
    return waiting


async def _publish_enrolled(tx: Tx, participant: Participant, now: datetime) -> None:
    await publish(
        tx,
        key=participant.participant_id,
        data=ParticipantEnrolled(
            participant_id=participant.participant_id,
            cohort_id=participant.cohort_id,
            area_code=participant.area_code,
            enrolled_at=now,
        ),
    )


@transactional
async def update_personal(
    db: LendingDb,
    tx: Tx,
    *,
    audit: AuditLog,
    participant_id: str,
    update: PersonalUpdate,
    actor: str,
    now: datetime,
) -> Participant:
    changes = update.model_dump(exclude_unset=True)
    participant = await participant_or_404(db, participant_id, tx)
    if participant.personal is None:
        raise Refused(
            "erased",
            f"Participant {participant_id}'s personal data was erased.",
            f"利用者 {participant_id} の個人情報は消去済みです。",
        )
    try:
        personal = Personal.model_validate({**participant.personal.model_dump(), **changes})
    except ValidationError as exc:
        raise Refused(
            "invalid",
            f"The correction is invalid: {exc.errors()[0]['msg']}",
            "入力が正しくありません。",
        ) from exc
    cohort = await cohort_or_404(db, participant.cohort_id, tx)
    if "address" in changes:
        # Moving out of the participant's area is a new application, not a correction.
        area_for_address(cohort=cohort, address=personal.address, area_code=participant.area_code)
    if "birthdate" in changes:
        check_age(cohort=cohort, birthdate=personal.birthdate)
    key = personal.person_key(cohort.cohort_id)
    twin = await db.participants.by_person_key(cohort.cohort_id, key, tx)
    if twin is not None and twin.participant_id != participant_id:
        raise Conflict(
            "duplicate_person",
            f"Participant {twin.participant_id} has the same kana and birthdate.",
            f"フリガナと生年月日が同じ利用者 {twin.participant_id} がいます。",
        )
    await db.participants.update_personal(tx, participant_id, personal=personal, person_key=key)
    await db.history.append(
        tx,
        subject=f"participant:{participant_id}",
        action="personal_data_corrected",
        actor=actor,
        at=now,
        details={"fields": sorted(changes)},
    )
    await audit.record(
        actor=actor,
        action="participant.update",
        subject=participant_id,
        details={"fields": sorted(changes)},
        tx=tx,
    )
    return await participant_or_404(db, participant_id, tx)
