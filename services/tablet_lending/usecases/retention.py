"""Erasing personal data: after a cohort's end plus the retention period, or on request.

Erasure removes the `personal` sub-document and every key derived from it (application number,
duplicate-detection hash), the LINE link and any link code, and blanks the staff's free-text notes
on the participant's loans (and in their history), since a note may name someone, and their
application number in import reports (a cohort's import reports lose every application number,
refused rows included, when its retention period ends); it keeps the participant's id,
cohort, area, status, age band and dates, so every count and report stays as it was. A
participant who still has a tablet is kept until the loan is closed (the data is needed to get
the tablet back) and counted as blocked. `lending.participant.erased` tells the other services to
forget the participant too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from services.common.auth import AuditLog
from services.common.events.contracts.lending import ParticipantErased
from services.common.logging import get_logger
from services.common.store import Tx
from services.common.usecases import transactional
from services.tablet_lending.domain.errors import Refused
from services.tablet_lending.metrics import ERASURES
from services.tablet_lending.store import LendingDb
from services.tablet_lending.store.history import REDACTED
from services.tablet_lending.usecases.enrolment import participant_or_404
from services.tablet_lending.usecases.outbox import publish

log = get_logger(__name__)
RETENTION_ACTOR = "system:retention"
FREE_TEXT_DETAILS = (
    "note",
    "damage_decision",
    "circumstances",
    "decision",
    "police_report_number",
    "session_exception",
)


@transactional
async def erase_participant(
    db: LendingDb,
    tx: Tx,
    *,
    audit: AuditLog,
    participant_id: str,
    actor: str,
    trigger: str,
    now: datetime,
) -> bool:
    """Erase one participant's personal data; False if it was already erased."""
    participant = await participant_or_404(db, participant_id, tx)
    if participant.erased:
        return False
    loan = await db.loans.active_for(participant_id, tx)
    if loan is not None:
        raise Refused(
            "active_loan",
            f"Participant {participant_id} still has tablet {loan.device_id}; their data is "
            "kept until the loan is closed.",
            f"利用者 {participant_id} はタブレットを返却していないため、"
            "貸出が終了するまで情報を消去できません。",
        )
    await db.participants.erase(tx, participant_id, at=now)
    await db.links.forget(tx, participant_id)
    await db.link_codes.forget(tx, participant_id)
    await db.imports.forget_participant(tx, participant_id)
    loan_ids = await db.loans.redact_free_text(tx, participant_id, placeholder=REDACTED)
    await db.history.redact(
        tx,
        match={
            "$or": [
                {"subject": {"$in": [f"loan:{loan_id}" for loan_id in loan_ids]}},
                {"details.loan_id": {"$in": loan_ids}},
            ]
        },
        fields=FREE_TEXT_DETAILS,
    )
    await db.history.append(
        tx,
        subject=f"participant:{participant_id}",
        action="erased",
        actor=actor,
        at=now,
        details={"trigger": trigger},
    )
    await audit.record(
        actor=actor,
        action="participant.erase",
        subject=participant_id,
        details={"trigger": trigger},
        tx=tx,
    )
    await publish(
        tx,
        key=participant_id,
        data=ParticipantErased(participant_id=participant_id, erased_at=now),
    )
    tx.after_commit(ERASURES.labels(trigger).inc)
    return True


@dataclass(frozen=True)
class RetentionReport:
    erased: int
    blocked: int


async def run_retention(
    *, db: LendingDb, audit: AuditLog, today: date, now: datetime, days_after_end: int
) -> RetentionReport:
    erased = blocked = 0
    for cohort in await db.cohorts.list():
        if cohort.lending_ends_on + timedelta(days=days_after_end) >= today:
            continue
        # Import reports keep refused rows too: their application numbers go with the rest.
        await db.imports.forget_numbers(cohort.cohort_id)
        for participant_id in await db.participants.not_erased(cohort.cohort_id, limit=100_000):
            try:
                if await erase_participant(
                    db,
                    audit=audit,
                    participant_id=participant_id,
                    actor=RETENTION_ACTOR,
                    trigger="retention",
                    now=now,
                ):
                    erased += 1
            except Refused:
                blocked += 1
    if erased or blocked:
        log.info("retention round", erased=erased, blocked=blocked)
    return RetentionReport(erased=erased, blocked=blocked)
