"""Loans: issue, return with a condition check and data wipe, loss and damage."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from services.common.paging import Limit, Skip
from services.tablet_lending.api.deps import LendingDep, Operator, is_supervisor
from services.tablet_lending.domain import loan_service
from services.tablet_lending.domain.loans import Loan, LoanStatus

router = APIRouter(prefix="/loans", tags=["loans"])


@router.post(
    "",
    status_code=201,
    summary="Lend a tablet; due = min(issue + 6 months, cohort end)",
    responses={422: {"description": "Not enrolled, no explanatory session, device unavailable"}},
)
async def issue(loan_in: loan_service.LoanIn, staff: Operator, lending: LendingDep) -> Loan:
    return await loan_service.issue_loan(
        db=lending.db,
        loan_in=loan_in,
        actor=staff.sub,
        exceptions_allowed=is_supervisor(staff),
        now=lending.clock.now(),
        today=lending.clock.today(),
    )


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
    loan = await loan_service.loan_or_404(lending.db, loan_id)
    return LoanDetail(loan=loan, history=await lending.db.history.of(f"loan:{loan_id}"))


@router.post("/{loan_id}/return", summary="Take a tablet back (condition, accessories, data wiped)")
async def return_loan(
    loan_id: str, return_in: loan_service.ReturnIn, staff: Operator, lending: LendingDep
) -> Loan:
    return await loan_service.return_loan(
        db=lending.db,
        loan_id=loan_id,
        return_in=return_in,
        actor=staff.sub,
        now=lending.clock.now(),
        today=lending.clock.today(),
    )


@router.post("/{loan_id}/loss", summary="Record a lost tablet and what was decided")
async def report_loss(
    loan_id: str, loss_in: loan_service.LossIn, staff: Operator, lending: LendingDep
) -> Loan:
    return await loan_service.report_loss(
        db=lending.db,
        loan_id=loan_id,
        loss_in=loss_in,
        actor=staff.sub,
        now=lending.clock.now(),
        today=lending.clock.today(),
    )
