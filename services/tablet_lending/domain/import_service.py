"""Importing a municipality's applicant file: every row accepted or refused, the whole file in one
transaction.

Decision: per-row outcomes, applied atomically. Every row gets its own verdict (accepted,
duplicate, or refused with a reason), but the accepted rows and the import's report are committed
in one MongoDB transaction, so a file is either fully applied with its report or, if anything
fails midway (a crash, a lost connection), not applied at all and can simply be sent again. A bad
row never blocks the good ones, and a good row is never half-written.

Nothing is accepted twice: the natural key is cohort + municipality + application number (a
unique index), so importing the same file again reports every row as a duplicate and changes
nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from services.common.auth import AuditLog
from services.common.store import Tx
from services.tablet_lending.domain.cohorts import Cohort
from services.tablet_lending.domain.csv_import import ParsedRow, parse_file
from services.tablet_lending.domain.eligibility import belongs_to
from services.tablet_lending.domain.enrolment import (
    Screened,
    TakenKeys,
    cohort_or_404,
    screen,
    store_applications,
)
from services.tablet_lending.domain.errors import LendingError, Refused
from services.tablet_lending.domain.events import new_id
from services.tablet_lending.domain.participants import (
    ApplicationSource,
    Participant,
    five_digit_code,
)
from services.tablet_lending.metrics import IMPORT_ROWS
from services.tablet_lending.store import LendingDb

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


async def import_file(
    *,
    db: LendingDb,
    audit: AuditLog,
    cohort_id: str,
    municipality_code: str,
    raw: bytes,
    filename: str | None,
    actor: str,
    now: datetime,
    today: date,
) -> dict[str, Any]:
    cohort = await cohort_or_404(db, cohort_id)
    municipality = check_municipality(cohort, municipality_code)
    parsed = parse_file(raw, terms_version=cohort.terms_version, municipality_code=municipality)
    import_id = new_id("IMP")

    async def work(tx: Tx) -> dict[str, Any]:
        applications = [row.application for row in parsed.rows if row.application]
        taken = await TakenKeys.load(tx, db=db, cohort=cohort, applications=applications)
        verdicts = [
            _screen_row(cohort=cohort, row=row, taken=taken, today=today) for row in parsed.rows
        ]
        accepted = iter(
            await store_applications(
                tx,
                db=db,
                audit=audit,
                cohort=cohort,
                screened=[v for v in verdicts if isinstance(v, Screened)],
                source=ApplicationSource.CSV,
                actor=actor,
                now=now,
            )
        )
        results = [
            verdict if isinstance(verdict, RowResult) else _accepted(row, next(accepted))
            for row, verdict in zip(parsed.rows, verdicts, strict=True)
        ]
        counts = {outcome: 0 for outcome in OUTCOME_JA}
        for result in results:
            counts[result.outcome] += 1
        record = {
            "_id": import_id,
            "cohort_id": cohort_id,
            "municipality_code": municipality,
            "filename": filename,
            "sha256": hashlib.sha256(raw).hexdigest(),
            "encoding": parsed.encoding,
            "at": now,
            "by": actor,
            "counts": counts,
            "rows": [asdict(result) for result in results],
        }
        await db.imports.insert(tx, record)
        return record

    record = await db.store.transaction(work)
    for outcome, count in record["counts"].items():
        IMPORT_ROWS.labels(outcome).inc(count)
    return record


def _screen_row(
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


def _accepted(row: ParsedRow, participant: Participant) -> RowResult:
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
