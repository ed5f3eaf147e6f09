"""Loans: issue, return with a condition check and data wipe, loss and damage."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from services.common.paging import Limit, Skip
from services.tablet_lending.api.deps import LendingDep, Operator, is_supervisor
from services.tablet_lending.domain.loans import Loan, LoanStatus
from services.tablet_lending.usecases import loans as loan_cases

router = APIRouter(prefix="/loans", tags=["loans"])


@router.post(
    "",
    status_code=201,
    summary="Lend a tablet; due = min(issue + 6 months, cohort end)",
    responses={422: {"description": "Not enrolled, no explanatory session, device unavailable"}},
)
async def issue(loan_in: loan_cases.LoanIn, staff: Operator, lending: LendingDep) -> Loan:
    return await loan_cases.issue_loan(
        lending.db,
        loan_in=loan_in,
        actor=staff.sub,
        exceptions_allowed=is_supervisor(staff),
        now=lending.clock.now(),
        today=lending.clock.today(),
    )


class CallList(StrEnum):
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"


class CallRow(BaseModel):
    """One loan to telephone about: the loan's dates and the borrower's name and phone."""

    loan_id: str
    participant_id: str
    cohort_id: str
    device_id: str
    due_on: date
    days_overdue: int
    overdue_stage: str | None
    visit_required: bool
    line_linked: bool
    name: str | None
    kana: str | None
    phone: str | None


@router.get(
    "/calls",
    summary="Loans to call about (overdue, or due within the due-soon days), with name and "
    "phone (audited), the most urgent first",
)
async def calls(
    *,
    staff: Operator,
    lending: LendingDep,
    due: CallList = CallList.OVERDUE,
    cohort_id: str | None = None,
) -> list[CallRow]:
    today = lending.clock.today()
    if due is CallList.OVERDUE:
        loans = await lending.db.loans.active_due_by(today - timedelta(days=1))
    else:
        soon = today + timedelta(days=lending.settings.due_soon_days)
        loans = [
            loan for loan in await lending.db.loans.active_due_by(soon) if loan.due_on >= today
        ]
    rows = []
    linked = await lending.db.links.linked([loan.participant_id for loan in loans])
    for loan in sorted(loans, key=lambda loan: (loan.due_on, loan.loan_id)):
        if cohort_id and loan.cohort_id != cohort_id:
            continue
        participant = await lending.db.participants.get(loan.participant_id)
        personal = participant.personal if participant else None
        rows.append(
            CallRow(
                loan_id=loan.loan_id,
                participant_id=loan.participant_id,
                cohort_id=loan.cohort_id,
                device_id=loan.device_id,
                due_on=loan.due_on,
                days_overdue=max((today - loan.due_on).days, 0),
                overdue_stage=loan.overdue_stage.value if loan.overdue_stage else None,
                visit_required=loan.visit_required,
                line_linked=loan.participant_id in linked,
                name=f"{personal.family_name} {personal.given_name}" if personal else None,
                kana=(
                    f"{personal.family_name_kana} {personal.given_name_kana}" if personal else None
                ),
                phone=personal.phone if personal else None,
            )
        )
    await lending.audit.record_many(
        [
            {
                "actor": staff.sub,
                "action": "participant.call_list",
                "subject": row.participant_id,
                "details": {"list": due.value},
            }
            for row in rows
            if row.name is not None
        ]
    )
    return rows


@router.get("", summary="Loans, by cohort and status")
async def list_loans(
    *,
    staff: Operator,
    lending: LendingDep,
    cohort_id: str | None = None,
    status: LoanStatus | None = None,
    limit: Limit = 200,
    skip: Skip = 0,
) -> list[Loan]:
    return await lending.db.loans.page(cohort_id=cohort_id, status=status, limit=limit, skip=skip)


class LoanDetail(BaseModel):
    loan: Loan
    history: list[dict[str, Any]]


@router.get("/{loan_id}", summary="A loan with its append-only history")
async def get_loan(loan_id: str, staff: Operator, lending: LendingDep) -> LoanDetail:
    loan = await loan_cases.loan_or_404(lending.db, loan_id)
    return LoanDetail(loan=loan, history=await lending.db.history.of(f"loan:{loan_id}"))


@router.post("/{loan_id}/return", summary="Take a tablet back (condition, accessories, data wiped)")
async def return_loan(
    loan_id: str, return_in: loan_cases.ReturnIn, staff: Operator, lending: LendingDep
) -> Loan:
    return await loan_cases.return_loan(
        lending.db,
        loan_id=loan_id,
        return_in=return_in,
        actor=staff.sub,
        now=lending.clock.now(),
        today=lending.clock.today(),
    )


@router.post("/{loan_id}/loss", summary="Record a lost tablet and what was decided")
async def report_loss(
    loan_id: str, loss_in: loan_cases.LossIn, staff: Operator, lending: LendingDep
) -> Loan:
    return await loan_cases.report_loss(
        lending.db,
        loan_id=loan_id,
        loss_in=loss_in,
        actor=staff.sub,
        now=lending.clock.now(),
        today=lending.clock.today(),
    )
