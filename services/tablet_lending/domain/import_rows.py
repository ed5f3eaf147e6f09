"""An applicant file's rows, judged one by one: accepted, a duplicate, or refused with a reason.

No row is written here: `usecases/imports.py` loads the keys already taken, asks for each row's
verdict, and commits the accepted rows and the report together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from services.tablet_lending.domain.cohorts import Cohort
from services.tablet_lending.domain.csv_import import ParsedRow
from services.tablet_lending.domain.eligibility import belongs_to
from services.tablet_lending.domain.enrolment import (
    Screened,
    TakenKeys,
    screen,
)
from services.tablet_lending.domain.errors import LendingError, Refused
from services.tablet_lending.domain.participants import (
    Participant,
    five_digit_code,
)

DUPLICATE_REASONS = frozenset({"already_received", "repeated_in_file"})
OUTCOME_JA = {"accepted": "受付", "duplicate": "重複（受付済み）", "refused": "受付不可"}
STATUS_JA = {"applied": "抽選待ち", "enrolled": "当選・登録", "waitlisted": "キャンセル待ち"}


@dataclass(frozen=True)
class RowResult:
    line: int
    application_number: str | None
    outcome: str  # accepted, duplicate, refused
    reason: str | None = None
    message_ja: str | None = None
    participant_id: str | None = None
    status: str | None = None
    waitlist_position: int | None = None


def check_municipality(cohort: Cohort, municipality_code: str) -> str:
    code = five_digit_code(municipality_code) or ""
    if not any(belongs_to(area.code, code) for area in cohort.areas):
        raise Refused(
            "municipality_not_in_cohort",
            f"Municipality {code} has no area in cohort {cohort.cohort_id} "
            f"({cohort.area_names_ja()}).",
            f"市区町村コード {code} は{cohort.name}の対象地域（{cohort.area_names_ja()}）に"
            "含まれません。",
        )
    return code


def screen_row(
    *, cohort: Cohort, row: ParsedRow, taken: TakenKeys, today: date
) -> RowResult | Screened:
    """A row's verdict before anything is written: refused (or a duplicate), or screened."""
    if row.problem is not None or row.application is None:
        reason = row.problem.reason if row.problem else "invalid"
        return RowResult(
            line=row.line,
            application_number=row.application_number,
            outcome="duplicate" if reason in DUPLICATE_REASONS else "refused",
            reason=reason,
            message_ja=row.problem.message_ja if row.problem else None,
        )
    try:
        return screen(cohort=cohort, application=row.application, taken=taken, today=today)
    except LendingError as refusal:
        return RowResult(
            line=row.line,
            application_number=row.application_number,
            outcome="duplicate" if refusal.reason in DUPLICATE_REASONS else "refused",
            reason=refusal.reason,
            message_ja=refusal.message_ja,
        )


def accepted_row(row: ParsedRow, participant: Participant) -> RowResult:
    return RowResult(
        line=row.line,
        application_number=row.application_number,
        outcome="accepted",
        participant_id=participant.participant_id,
        status=participant.status.value,
        waitlist_position=participant.waitlist_position,
    )


def report_rows_ja(record: dict[str, Any]) -> list[list[str]]:
    """The per-row report as a table for staff (and the municipality): no personal data."""
    table = [["行", "申込番号", "結果", "状態", "利用者番号", "理由コード", "理由"]]
    for row in record["rows"]:
        table.append(
            [
                str(row["line"]),
                row["application_number"] or "",
                OUTCOME_JA[row["outcome"]],
                STATUS_JA.get(row["status"] or "", ""),
                row["participant_id"] or "",
                row["reason"] or "",
                row["message_ja"] or "",
            ]
        )
    return table
