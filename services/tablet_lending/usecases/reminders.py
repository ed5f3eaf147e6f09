"""Sending due reminders, overdue escalations and session reminders, each exactly once.

A reminder has a deterministic id (`loan:<loan>:<stage>`, `session:<session>:<participant>:...`).
Its record and the outbox event that delivers it commit in one transaction, and the transaction
first looks for the record: a reminder is recorded-and-sent or neither, so ticks that repeat (a
restart, two instances) never send it twice. The delivery itself is idempotent downstream: the
LINE command's envelope id (and so LINE's retry key) and the helpdesk request id derive from the
reminder id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from services.common.events.contracts.helpdesk import HelpRequested, Priority, RequestReason
from services.common.events.contracts.lending import LoanOverdue
from services.common.store import Tx
from services.common.usecases import transactional
from services.tablet_lending.domain import messages
from services.tablet_lending.domain.loans import Loan, LoanStatus, OverdueStage
from services.tablet_lending.domain.reminders import (
    LoanStage,
    day_in_japan,
    loan_reminder_id,
    loan_stage,
    session_reminder_due,
    session_reminder_id,
)
from services.tablet_lending.domain.sessions import Registration, Session
from services.tablet_lending.metrics import REMINDERS
from services.tablet_lending.store import LendingDb
from services.tablet_lending.usecases.outbox import publish, request_help, send_line

SYSTEM_ACTOR = "system:reminders"


@dataclass(frozen=True)
class ReminderPolicy:
    days_before: tuple[int, ...]
    call_after: int
    visit_after: int


async def send_loan_reminders(
    *, db: LendingDb, policy: ReminderPolicy, now: datetime, today: date
) -> int:
    horizon = today + timedelta(days=max(policy.days_before))
    sent = 0
    for loan in await db.loans.active_due_by(horizon):
        stage = loan_stage(
            due_on=loan.due_on,
            today=today,
            days_before=policy.days_before,
            call_after=policy.call_after,
            visit_after=policy.visit_after,
        )
        if stage is not None and await send_loan_reminder(db, loan=loan, stage=stage, now=now):
            sent += 1
    return sent


@transactional
async def send_loan_reminder(
    db: LendingDb, tx: Tx, *, loan: Loan, stage: LoanStage, now: datetime
) -> bool:
    """Send one loan reminder unless it was sent before; True if it was sent now."""
    reminder_id = loan_reminder_id(loan.loan_id, stage)
    if await db.reminders.exists(tx, reminder_id):
        return False
    current = await db.loans.get(loan.loan_id, tx)
    if current is None or current.status is not LoanStatus.ACTIVE:
        return False
    user_id = await db.links.user_of(loan.participant_id, tx)
    if stage.overdue in (None, OverdueStage.MESSAGE) and user_id is not None:
        text = (
            messages.due_reminder(due_on=loan.due_on, days_left=stage.days)
            if stage.overdue is None
            else messages.overdue_message(due_on=loan.due_on)
        )
        await send_line(
            tx,
            command=messages.send(user_id=user_id, text=text, purpose="lending.loan_reminder"),
            key=reminder_id,
        )
        channel = "line"
    else:
        await _call_task(tx, loan=loan, stage=stage, reminder_id=reminder_id)
        channel = "visit_task" if stage.overdue is OverdueStage.VISIT else "call_task"
    if stage.overdue is not None:
        await db.loans.set_overdue_stage(
            tx,
            loan.loan_id,
            stage=stage.overdue,
            visit_required=stage.overdue is OverdueStage.VISIT,
        )
        await publish(
            tx,
            key=loan.participant_id,
            data=LoanOverdue(
                loan_id=loan.loan_id,
                participant_id=loan.participant_id,
                cohort_id=loan.cohort_id,
                due_on=loan.due_on,
                days_overdue=stage.days,
                stage=stage.overdue.value,
            ),
        )
    await db.reminders.insert(
        tx,
        {
            "_id": reminder_id,
            "kind": "loan",
            "loan_id": loan.loan_id,
            "participant_id": loan.participant_id,
            "stage": stage.name,
            "channel": channel,
            "created_at": now,
        },
    )
    await db.history.append(
        tx,
        subject=f"loan:{loan.loan_id}",
        action=f"reminder_{stage.name}",
        actor=SYSTEM_ACTOR,
        at=now,
        details={"channel": channel, "reminder_id": reminder_id},
    )
    tx.after_commit(REMINDERS.labels("overdue" if stage.overdue else "due", channel).inc)
    return True


async def _call_task(tx: Tx, *, loan: Loan, stage: LoanStage, reminder_id: str) -> None:
    if stage.overdue is None:
        kind, priority = "due", Priority.NORMAL
    elif stage.overdue is OverdueStage.MESSAGE:
        kind, priority = "message", Priority.NORMAL
    else:
        kind, priority = stage.overdue.value, Priority.HIGH
    await request_help(
        tx,
        request=HelpRequested(
            request_id=f"tablet_lending:{reminder_id}",
            participant_id=loan.participant_id,
            reason=RequestReason.LOAN_CALL_TASK,
            priority=priority,
            summary=messages.call_task_summary(
                participant_id=loan.participant_id, due_on=loan.due_on, stage=kind, days=stage.days
            ),
        ),
    )


async def send_session_reminders(*, db: LendingDb, now: datetime, today: date) -> int:
    """Day-before reminders on LINE for booked seniors who linked their account."""
    starts, ends = day_in_japan(today + timedelta(days=1))
    sessions = [
        session
        for session in await db.sessions.find(starts_from=starts, starts_before=ends)
        if not session.cancelled
    ]
    if not sessions:
        return 0
    by_id = {session.session_id: session for session in sessions}
    sent = 0
    for registration in await db.registrations.of_sessions_booked(list(by_id)):
        session = by_id[registration.session_id]
        if not session_reminder_due(
            starts_at=session.starts_at, booked_at=registration.booked_at, today=today
        ):
            continue
        if await _send_session_reminder(db, session=session, registration=registration, now=now):
            sent += 1
    return sent


@transactional
async def _send_session_reminder(
    db: LendingDb, tx: Tx, *, session: Session, registration: Registration, now: datetime
) -> bool:
    reminder_id = session_reminder_id(session.session_id, registration.participant_id)
    if await db.reminders.exists(tx, reminder_id):
        return False
    user_id = await db.links.user_of(registration.participant_id, tx)
    if user_id is None:
        # Without LINE there is no reminder to send; staff remind by phone if they wish.
        return False
    await send_line(
        tx,
        command=messages.send(
            user_id=user_id,
            text=messages.session_day_before(session),
            purpose="lending.session_reminder",
            quick_replies=[messages.cancel_button(session.session_id)],
        ),
        key=reminder_id,
    )
    await db.reminders.insert(
        tx,
        {
            "_id": reminder_id,
            "kind": "session",
            "session_id": session.session_id,
            "participant_id": registration.participant_id,
            "stage": "day_before",
            "channel": "line",
            "created_at": now,
        },
    )
    tx.after_commit(REMINDERS.labels("session", "line").inc)
    return True
