"""CSV downloads: UTF-8 with a byte-order mark, so Excel in Japan opens them correctly.

Cells are written the OWASP way against CSV (formula) injection: a text cell that a spreadsheet
would read as a formula — starting with `=`, `+`, `-`, `@`, a tab or a carriage return, or with
their full-width forms (`＝`, `＋`, `－`, `＠`, which NFKC and Japanese Excel both fold into the
ASCII ones) — gets a leading `'`, and every cell is quoted, with the `csv` module doing the
escaping of quotes and separators. Numbers are written as numbers.

The download's file name goes into Content-Disposition twice (RFC 6266): an ASCII fallback of
safe characters only, and the exact name percent-encoded as UTF-8 in `filename*` (RFC 5987), so a
cohort id with quotes, line breaks or Japanese in it can neither break the header nor a browser.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

from fastapi import Response

FORMULA_STARTS = frozenset("=+-@\t\r")
_UNSAFE_FILENAME_CHARACTERS = re.compile(r"[^A-Za-z0-9._-]+")


def neutralise(value: Any) -> Any:
    """The cell as it is safe to write: formula-like text prefixed with `'`."""
    if value is None:
        return ""
    if not isinstance(value, str) or not value:
        return value
    first = value[0]
    if first in FORMULA_STARTS or unicodedata.normalize("NFKC", first)[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def content_disposition(filename: str) -> str:
    fallback = _UNSAFE_FILENAME_CHARACTERS.sub("_", filename).strip("._") or "download.csv"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def csv_response(rows: Iterable[Sequence[Any]], *, filename: str) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_NONNUMERIC)
    for row in rows:
        writer.writerow([neutralise(value) for value in row])
    return Response(
        content=codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": content_disposition(filename)},
    )


def table(records: list[dict[str, Any]], columns: list[str]) -> list[list[Any]]:
    return [columns, *([record.get(column) for column in columns] for record in records)]
