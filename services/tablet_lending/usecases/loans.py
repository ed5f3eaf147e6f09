"""Issuing a tablet, taking it back, and recording a loss or damage: each one transaction that
moves the loan and the device together, appends to both histories and publishes the events."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.common.events.contracts.lending import (
    DeviceState,
    LoanClosed,
    LoanIssued,
    LoanOutcome,
    SessionKind,
)
from services.common.store import Tx
from services.common.usecases import transactional
from services.common.wording import japanese_date
from services.tablet_lending.domain.devices import STATE_JA, Accessories, Condition, Device
from services.tablet_lending.domain.errors import Conflict, Refused
from services.tablet_lending.domain.events import new_id
from services.tablet_lending.domain.loans import (
    Loan,
    LoanStatus,
    LossRecord,
    ReturnRecord,
    due_date,
)
from services.tablet_lending.domain.participants import ParticipantStatus
from services.tablet_lending.store import LendingDb
from services.tablet_lending.store.loans import ActiveLoanExists
from services.tablet_lending.usecases.devices import device_or_404, move_device
from services.tablet_lending.usecases.enrolment import cohort_or_404, participant_or_404
from services.tablet_lending.usecases.found import found
from services.tablet_lending.usecases.outbox import publish


class LoanIn(BaseModel):
    model_config = ConfigDict(frozen=True)

    participant_id: str
    device_id: str
    issued_on: date | None = Field(default=None, description="defaults to today (Japan time)")
    session_exception: str | None = Field(
        default=None,
        min_length=3,
        max_length=500,
        description="why the tablet is lent without an attended explanatory session "
        "(supervisors only)",
    )


class ReturnIn(BaseModel):
    model_config = ConfigDict(frozen=True)

    returned_on: date | None = None
    condition: Condition
    data_wiped: bool = Field(description="the tablet's data was wiped (must be true)")
    accessories_returned: Accessories
    damage_decision: str | None = Field(default=None, max_length=500)
    note: str | None = Field(default=None, max_length=500)


class LossIn(BaseModel):
    model_config = ConfigDict(frozen=True)

    reported_on: date | None = None
    circumstances: str = Field(min_length=1, max_length=1000)
    decision: str = Field(min_length=1, max_length=500, description="what was decided")
    police_report_number: str | None = Field(default=None, max_length=40)


async def loan_or_404(db: LendingDb, loan_id: str, tx: Tx | None = None) -> Loan:
    return await found(db.loans.get(loan_id, tx), "loan", "貸出", loan_id)


async def issue_loan(
    db: LendingDb,
    *,
    loan_in: LoanIn,
    actor: str,
    exceptions_allowed: bool,
    now: datetime,
    today: date,
) -> Loan:
    if loan_in.session_exception and not exceptions_allowed:
        raise Refused(
            "exception_needs_supervisor",
            "Only a supervisor may lend a tablet without an attended explanatory session.",
            "説明会に参加していない方への貸出は、統括者のみ登録できます。",
        )
    try:
        return await _issue(db, loan_in=loan_in, actor=actor, now=now, today=today)
    except ActiveLoanExists as exc:
        # A concurrent issue for the same participant won (one active loan per participant).
        raise Conflict(
            "active_loan_exists",
            f"Participant {loan_in.participant_id} already has a tablet.",
            f"利用者 {loan_in.participant_id} はすでにタブレットを借りています。",
        ) from exc


@transactional
async def _issue(
    db: LendingDb, tx: Tx, *, loan_in: LoanIn, actor: str, now: datetime, today: date
) -> Loan:
    pid = loan_in.participant_id
    participant = await participant_or_404(db, pid, tx)
    if participant.status is not ParticipantStatus.ENROLLED or participant.erased:
        raise Refused(
            "not_enrolled",
            f"Participant {pid} is {participant.status.value}; only enrolled participants "
            "borrow a tablet.",
            f"利用者 {pid} は貸出の対象（当選・登録済み）ではありません。",
        )
    cohort = await cohort_or_404(db, participant.cohort_id, tx)
    issued_on = loan_in.issued_on or today
    if issued_on > today:
        raise Refused(
            "future_date",
            f"The issue date {issued_on} is in the future.",
            "貸出日が未来の日付です。",
        )
    if not cohort.lending_starts_on <= issued_on < cohort.lending_ends_on:
        raise Refused(
            "outside_window",
            f"{issued_on} is outside the cohort's lending window "
            f"({cohort.lending_starts_on} to {cohort.lending_ends_on}).",
            f"貸出日が{cohort.name}の貸出期間（{japanese_date(cohort.lending_starts_on)}〜"
            f"{japanese_date(cohort.lending_ends_on)}）の外です。",
        )
    current = await db.loans.active_for(pid, tx)
    if current is not None:
        raise Conflict(
            "active_loan_exists",
            f"Participant {pid} already has tablet {current.device_id} (loan {current.loan_id}).",
            f"利用者 {pid} はすでにタブレット {current.device_id} を借りています。",
        )
    attended = await db.registrations.attended(
        tx, participant_id=pid, cohort_id=cohort.cohort_id, kind=SessionKind.EXPLANATORY
    )
    if not attended and not loan_in.session_exception:
        raise Refused(
            "no_explanatory_session",
            f"Participant {pid} has not attended an explanatory session; record attendance "
            "first, or a supervisor may lend with a recorded exception.",
            f"利用者 {pid} は説明会に参加していません。参加を記録するか、"
            "統括者が理由を記録して例外として貸し出してください。",
        )
    device = await device_or_404(db, loan_in.device_id, tx)
    if device.state is not DeviceState.IN_STOCK:
        raise Refused(
            "device_unavailable",
            f"Device {device.device_id} is {device.state.value}, not in stock.",
            f"端末 {device.device_id} は「{STATE_JA[device.state]}」のため貸し出せません。",
        )
    if device.condition is Condition.DAMAGED:
        raise Refused(
            "device_damaged",
            f"Device {device.device_id} is marked damaged; repair it before lending it.",
            f"端末 {device.device_id} は破損の記録があります。修理してから貸し出してください。",
        )
    loan = Loan(
        loan_id=new_id("L"),
        participant_id=pid,
        cohort_id=cohort.cohort_id,
        area_code=participant.area_code,
        device_id=device.device_id,
        device_model=device.model,
        accessories_issued=device.accessories,
        issued_on=issued_on,
        due_on=due_date(cohort=cohort, issued_on=issued_on),
        status=LoanStatus.ACTIVE,
        session_exception=None if attended else loan_in.session_exception,
        exception_by=None if attended else actor,
        issued_by=actor,
        created_at=now,
    )
    await db.loans.insert(tx, loan)
    await db.history.append(
        tx,
        subject=f"loan:{loan.loan_id}",
        action="issued",
        actor=actor,
        at=now,
        details={
            "participant_id": pid,
            "device_id": device.device_id,
            "issued_on": issued_on,
            "due_on": loan.due_on,
            "session_exception": loan.session_exception,
        },
    )
    await move_device(
        tx,
        db=db,
        device=device,
        to_state=DeviceState.ON_LOAN,
        condition=device.condition,
        action="lent",
        actor=actor,
        now=now,
        loan_id=loan.loan_id,
    )
    await publish(
        tx,
        key=pid,
        data=LoanIssued(
            loan_id=loan.loan_id,
            participant_id=pid,
            cohort_id=cohort.cohort_id,
            device_model=device.model,
            issued_on=issued_on,
            due_on=loan.due_on,
        ),
    )
    return loan


def _closed_check(loan: Loan) -> None:
    if loan.status is not LoanStatus.ACTIVE:
        raise Conflict(
            "loan_closed",
            f"Loan {loan.loan_id} is already closed ({loan.status.value}).",
            f"貸出 {loan.loan_id} はすでに終了しています。",
        )


def _check_close_date(loan: Loan, day: date, today: date) -> None:
    if day > today or day < loan.issued_on:
        raise Refused(
            "bad_date",
            f"The date {day} must be between the issue date {loan.issued_on} and today.",
            "日付は貸出日から今日までの間で入力してください。",
        )


@transactional
async def return_loan(
    db: LendingDb,
    tx: Tx,
    *,
    loan_id: str,
    return_in: ReturnIn,
    actor: str,
    now: datetime,
    today: date,
) -> Loan:
    if not return_in.data_wiped:
        raise Refused(
            "data_not_wiped",
            "Wipe the tablet's data and confirm it (data_wiped: true) before recording the return.",
            "返却を記録する前に、タブレットのデータ消去を行い、消去済みにしてください。",
        )
    damaged = return_in.condition is Condition.DAMAGED
    if damaged and not return_in.damage_decision:
        raise Refused(
            "decision_required",
            "A damaged tablet needs the decision taken about the damage (damage_decision).",
            "破損している場合は、対応の決定内容（弁償の有無など）を入力してください。",
        )
    loan = await loan_or_404(db, loan_id, tx)
    _closed_check(loan)
    returned_on = return_in.returned_on or today
    _check_close_date(loan, returned_on, today)
    device = await device_or_404(db, loan.device_id, tx)
    outcome = LoanOutcome.DAMAGED if damaged else LoanOutcome.RETURNED
    record = ReturnRecord(
        returned_on=returned_on,
        condition=return_in.condition,
        data_wiped=True,
        accessories_returned=return_in.accessories_returned,
        missing_accessories=loan.accessories_issued.missing_from(return_in.accessories_returned),
        damage_decision=return_in.damage_decision,
        note=return_in.note,
        recorded_by=actor,
    )
    return await _close(
        tx,
        status=LoanStatus.RETURNED,
        outcome=outcome,
        closed_on=returned_on,
        record_field="return_record",
        record=record.model_dump(mode="python"),
        action="returned_damaged" if damaged else "returned",
        device_action="returned",
        to_state=DeviceState.IN_REPAIR if damaged else DeviceState.IN_STOCK,
        condition=return_in.condition,
        accessories=return_in.accessories_returned,
        note=return_in.note,
        db=db,
        loan=loan,
        device=device,
        actor=actor,
        now=now,
    )


@transactional
async def report_loss(
    db: LendingDb, tx: Tx, *, loan_id: str, loss_in: LossIn, actor: str, now: datetime, today: date
) -> Loan:
    loan = await loan_or_404(db, loan_id, tx)
    _closed_check(loan)
    reported_on = loss_in.reported_on or today
    _check_close_date(loan, reported_on, today)
    device = await device_or_404(db, loan.device_id, tx)
    record = LossRecord(
        reported_on=reported_on,
        circumstances=loss_in.circumstances,
        decision=loss_in.decision,
        police_report_number=loss_in.police_report_number,
        recorded_by=actor,
    )
    return await _close(
        tx,
        status=LoanStatus.LOST,
        outcome=LoanOutcome.LOST,
        closed_on=reported_on,
        record_field="loss_record",
        record=record.model_dump(mode="python"),
        action="lost",
        device_action="lost",
        to_state=DeviceState.LOST,
        condition=device.condition,
        db=db,
        loan=loan,
        device=device,
        actor=actor,
        now=now,
    )


async def _close(
    tx: Tx,
    *,
    db: LendingDb,
    loan: Loan,
    device: Device,
    status: LoanStatus,
    outcome: LoanOutcome,
    closed_on: date,
    record_field: str,
    record: dict[str, Any],
    action: str,
    device_action: str,
    to_state: DeviceState,
    condition: Condition,
    actor: str,
    now: datetime,
    accessories: Accessories | None = None,
    note: str | None = None,
) -> Loan:
    """A return or a loss: the loan closes, its tablet moves, both histories and events follow."""
    await db.loans.close(
        tx,
        loan.loan_id,
        {
            "status": status.value,
            "outcome": outcome.value,
            "closed_on": closed_on,
            record_field: record,
        },
    )
    await db.history.append(
        tx, subject=f"loan:{loan.loan_id}", action=action, actor=actor, at=now, details=record
    )
    await move_device(
        tx,
        db=db,
        device=device,
        to_state=to_state,
        condition=condition,
        action=device_action,
        actor=actor,
        now=now,
        note=note,
        loan_id=loan.loan_id,
        accessories=accessories,
    )
    await _publish_closed(tx, loan, outcome, closed_on)
    return await loan_or_404(db, loan.loan_id, tx)


async def _publish_closed(tx: Tx, loan: Loan, outcome: LoanOutcome, closed_on: date) -> None:
    await publish(
        tx,
        key=loan.participant_id,
        data=LoanClosed(
            loan_id=loan.loan_id,
            participant_id=loan.participant_id,
            cohort_id=loan.cohort_id,
            outcome=outcome,
            closed_on=closed_on,
        ),
    )
