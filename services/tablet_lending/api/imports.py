"""Importing a municipality's applicant file, and its per-row report."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from services.common.logging import get_logger
from services.common.metrics import REJECTED_INPUT
from services.tablet_lending.api.csv_files import csv_response
from services.tablet_lending.api.deps import LendingDep, Operator
from services.tablet_lending.domain.csv_import import EXAMPLE_HEADER, MAX_FILE_BYTES, FileRefused
from services.tablet_lending.domain.errors import Refused, not_found
from services.tablet_lending.domain.import_rows import report_rows_ja
from services.tablet_lending.usecases.imports import import_file

router = APIRouter(tags=["imports"])
log = get_logger(__name__)


@router.post(
    "/cohorts/{cohort_id}/imports",
    status_code=201,
    summary="Import a municipality's CSV (the request body, Shift_JIS or UTF-8)",
    description=(
        "Send the file as the raw body (`Content-Type: text/csv`). Every row is reported as "
        "accepted, duplicate or refused with its reason; accepted rows and the report commit "
        "together, and nothing is accepted twice (cohort + municipality + application number). "
        f"Header example: `{EXAMPLE_HEADER}`"
    ),
    responses={422: {"description": "The file as a whole cannot be read; nothing imported"}},
)
async def import_csv(
    *,
    cohort_id: str,
    request: Request,
    staff: Operator,
    lending: LendingDep,
    municipality_code: Annotated[str, Query(pattern=r"^\d{5,6}$")],
    filename: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, Any]:
    raw = await _read_limited(request)
    try:
        record = await import_file(
            lending.db,
            audit=lending.audit,
            cohort_id=cohort_id,
            municipality_code=municipality_code,
            raw=raw,
            filename=filename,
            actor=staff.sub,
            now=lending.clock.now(),
            today=lending.clock.today(),
        )
    except FileRefused as refused:
        REJECTED_INPUT.labels("/cohorts/{cohort_id}/imports", "file_refused").inc()
        raise Refused("file_refused", str(refused), refused.message_ja) from refused
    log.info(
        "file imported",
        import_id=record["_id"],
        cohort_id=cohort_id,
        counts=record["counts"],
        encoding=record["encoding"],
    )
    return _view(record)


async def _read_limited(request: Request) -> bytes:
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FILE_BYTES:
            raise Refused(
                "file_too_large",
                f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; split it.",
                "ファイルが大きすぎます。分けて取り込んでください。",
            )
    return bytes(body)


@router.get("/imports/{import_id}", summary="An import's per-row report")
async def get_import(import_id: str, staff: Operator, lending: LendingDep) -> dict[str, Any]:
    record = await lending.db.imports.get(import_id)
    if record is None:
        raise not_found("import", "取込", import_id)
    return _view(record)


@router.get(
    "/imports/{import_id}/report.csv",
    summary="The per-row report as CSV (Japanese, no personal data) to send back",
    response_class=Response,
)
async def get_import_csv(import_id: str, staff: Operator, lending: LendingDep) -> Response:
    record = await lending.db.imports.get(import_id)
    if record is None:
        raise not_found("import", "取込", import_id)
    return csv_response(report_rows_ja(record), filename=f"{import_id}-report.csv")


def _view(record: dict[str, Any]) -> dict[str, Any]:
    return {"import_id": record["_id"], **{k: v for k, v in record.items() if k != "_id"}}
