"""Reports: aggregates for every staff role, and the one personal-data export (supervisors)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from services.common.logging import get_logger
from services.tablet_lending.api.csv_files import content_disposition, csv_response, table
from services.tablet_lending.api.deps import LendingDep, Staff, Supervisor
from services.tablet_lending.api.workbook import XLSX, monthly_workbook
from services.tablet_lending.domain.participants import ParticipantStatus
from services.tablet_lending.domain.reports import (
    LOAN_COLUMNS,
    PARTICIPATION_COLUMNS,
    SESSION_COLUMNS,
)
from services.tablet_lending.usecases import reports
from services.tablet_lending.usecases.monthly_report import Month, monthly_report

router = APIRouter(tags=["reports"])
log = get_logger(__name__)

Format = Annotated[Literal["json", "csv"], Query(description="json (default) or csv")]


def _answer(
    rows: list[dict[str, Any]], columns: list[str], fmt: str, name: str
) -> Response | list[dict[str, Any]]:
    if fmt == "csv":
        return csv_response(table(rows, columns), filename=f"{name}.csv")
    return rows


@router.get(
    "/reports/participation",
    summary="Applicants and participants by cohort, area and status",
    response_model=None,
)
async def participation(
    staff: Staff, lending: LendingDep, cohort_id: str | None = None, format: Format = "json"
) -> Response | list[dict[str, Any]]:
    rows = await reports.participation(lending.db, cohort_id=cohort_id)
    return _answer(rows, PARTICIPATION_COLUMNS, format, "participation")


@router.get(
    "/reports/loans",
    summary="Active, due soon, overdue, returned, damaged and lost loans by cohort",
    response_model=None,
)
async def loans(
    staff: Staff, lending: LendingDep, cohort_id: str | None = None, format: Format = "json"
) -> Response | list[dict[str, Any]]:
    rows = await reports.loans(
        lending.db,
        today=lending.clock.today(),
        due_soon_days=lending.settings.due_soon_days,
        cohort_id=cohort_id,
    )
    return _answer(rows, LOAN_COLUMNS, format, "loans")


@router.get("/reports/sessions", summary="Session fill and attendance", response_model=None)
async def sessions(
    staff: Staff, lending: LendingDep, cohort_id: str | None = None, format: Format = "json"
) -> Response | list[dict[str, Any]]:
    rows = await reports.sessions(lending.db, now=lending.clock.now(), cohort_id=cohort_id)
    return _answer(rows, SESSION_COLUMNS, format, "sessions")


@router.get(
    "/reports/monthly.xlsx",
    summary="The month's report for the council, as an Excel workbook in Japanese (no personal "
    "data): the month's applications, enrolments, loans and sessions, and the standing now",
    response_class=Response,
)
async def monthly(
    staff: Staff,
    lending: LendingDep,
    month: Annotated[str, Query(max_length=7, description="YYYY-MM (Japan time)")],
    cohort_id: str | None = None,
) -> Response:
    report = await monthly_report(
        lending.db,
        month=Month.parse(month),
        now=lending.clock.now(),
        today=lending.clock.today(),
        due_soon_days=lending.settings.due_soon_days,
        cohort_id=cohort_id,
    )
    name = f"monthly-report-{report.month}" + (f"-{cohort_id}" if cohort_id else "") + ".xlsx"
    return Response(
        content=monthly_workbook(report),
        media_type=XLSX,
        headers={"content-disposition": content_disposition(name)},
    )


@router.get("/reports/devices", summary="Tablets by state")
async def devices(staff: Staff, lending: LendingDep) -> dict[str, int]:
    return await reports.devices(lending.db)


PERSONAL_EXPORT_COLUMNS = [
    "participant_id",
    "cohort_id",
    "status",
    "area_code",
    "area_name",
    "family_name",
    "given_name",
    "family_name_kana",
    "given_name_kana",
    "birthdate",
    "postal_code",
    "address",
    "phone",
    "consent_terms_version",
    "consented_at",
]


@router.get(
    "/exports/participants",
    summary="Participants with personal data, as CSV (supervisors; every row is audited)",
    response_class=Response,
)
async def export_participants(
    cohort_id: str,
    staff: Supervisor,
    lending: LendingDep,
    status: ParticipantStatus | None = None,
) -> Response:
    rows = []
    skip = 0
    while batch := await lending.db.participants.page(
        cohort_id=cohort_id, status=status, limit=500, skip=skip
    ):
        skip += len(batch)
        shown = [participant for participant in batch if participant.personal is not None]
        await lending.audit.record_many(
            [
                {
                    "actor": staff.sub,
                    "action": "participant.export",
                    "subject": participant.participant_id,
                    "details": {"cohort_id": cohort_id},
                }
                for participant in shown
            ]
        )
        for participant in shown:
            assert participant.personal is not None
            rows.append(
                {
                    "participant_id": participant.participant_id,
                    "cohort_id": participant.cohort_id,
                    "status": participant.status.value,
                    "area_code": participant.area_code,
                    "area_name": participant.area_name,
                    **participant.personal.model_dump(mode="json"),
                    "consent_terms_version": participant.consent.terms_version,
                    "consented_at": participant.consent.consented_at.isoformat(),
                }
            )
    log.info("personal data exported", cohort_id=cohort_id, rows=len(rows), staff_id=staff.sub)
    return csv_response(
        table(rows, PERSONAL_EXPORT_COLUMNS), filename=f"participants-{cohort_id}.csv"
    )
