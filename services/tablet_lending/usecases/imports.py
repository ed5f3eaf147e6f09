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
from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from services.common.auth import AuditLog
from services.common.store import Tx
from services.common.usecases import transactional
from services.tablet_lending.domain.cohorts import Cohort
from services.tablet_lending.domain.csv_import import ParsedFile, parse_file
from services.tablet_lending.domain.enrolment import Screened
from services.tablet_lending.domain.events import new_id
from services.tablet_lending.domain.import_rows import (
    OUTCOME_JA,
    RowResult,
    accepted_row,
    check_municipality,
    screen_row,
)
from services.tablet_lending.domain.participants import ApplicationSource
from services.tablet_lending.metrics import IMPORT_ROWS
from services.tablet_lending.store import LendingDb
from services.tablet_lending.usecases.enrolment import (
    cohort_or_404,
    load_taken_keys,
    store_applications,
)


async def import_file(
    db: LendingDb,
    *,
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

    record = await _record_import(
        db,
        audit=audit,
        cohort_id=cohort_id,
        raw=raw,
        filename=filename,
        actor=actor,
        now=now,
        today=today,
        cohort=cohort,
        municipality=municipality,
        parsed=parsed,
        import_id=import_id,
    )
    for outcome, count in record["counts"].items():
        IMPORT_ROWS.labels(outcome).inc(count)
    return record


@transactional
async def _record_import(
    db: LendingDb,
    tx: Tx,
    *,
    audit: AuditLog,
    cohort_id: str,
    raw: bytes,
    filename: str | None,
    actor: str,
    now: datetime,
    today: date,
    cohort: Cohort,
    municipality: str,
    parsed: ParsedFile,
    import_id: str,
) -> dict[str, Any]:
    applications = [row.application for row in parsed.rows if row.application]
    taken = await load_taken_keys(tx, db=db, cohort=cohort, applications=applications)
    verdicts = [screen_row(cohort=cohort, row=row, taken=taken, today=today) for row in parsed.rows]
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
        verdict if isinstance(verdict, RowResult) else accepted_row(row, next(accepted))
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
