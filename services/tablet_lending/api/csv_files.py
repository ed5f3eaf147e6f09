"""CSV downloads: UTF-8 with a byte-order mark, so Excel in Japan opens them correctly."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from fastapi import Response


def csv_response(rows: Iterable[Sequence[Any]], *, filename: str) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    return Response(
        content=codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


def table(records: list[dict[str, Any]], columns: list[str]) -> list[list[Any]]:
    return [columns, *([record.get(column) for column in columns] for record in records)]
