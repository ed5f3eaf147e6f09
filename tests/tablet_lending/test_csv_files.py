"""CSV downloads: formula cells neutralised (OWASP), and a file name that cannot break a header."""

import codecs
import csv
import io
from urllib.parse import unquote

import pytest

from services.tablet_lending.api.csv_files import csv_response

FORMULAS = [
    '=HYPERLINK("http://x","y")',
    "+81-6-0000-0000",
    "-1+1",
    "@SUM(A1:A2)",
    "\t=1",
    "\r=1",
    # Full-width forms: NFKC (which the import applies) and Japanese Excel read them as ASCII.
    "＝1+1",
    "＋1",
    "－1",
    "＠SUM(A1)",
]


def _cells(rows: list[list[object]], filename: str = "x.csv") -> list[list[str]]:
    response = csv_response(rows, filename=filename)
    body = bytes(response.body)
    assert body.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(body[len(codecs.BOM_UTF8) :].decode("utf-8"))))


@pytest.mark.parametrize("formula", FORMULAS)
def test_formula_cells_are_prefixed_with_a_quote(formula: str) -> None:
    (row,) = _cells([[formula, "田中 花子"]])
    assert row == ["'" + formula, "田中 花子"]


def test_numbers_and_plain_text_are_written_as_they_are() -> None:
    (row,) = _cells([[-3, 2.5, "生野区", None, "a=b", "メール@例"]])
    assert row == ["-3", "2.5", "生野区", "", "a=b", "メール@例"]


def test_every_text_cell_is_quoted_and_escaped_by_the_csv_module() -> None:
    response = csv_response([['say "hi"', "a,b"]], filename="x.csv")
    assert bytes(response.body)[3:] == b'"say ""hi""","a,b"\r\n'


@pytest.mark.parametrize(
    "cohort_id",
    ['phase-2"\r\nSet-Cookie: stolen=1', "第2期", "../../etc/passwd", "a;b=c"],
)
def test_download_names_from_any_cohort_id_stay_inside_the_header(cohort_id: str) -> None:
    filename = f"participants-{cohort_id}.csv"
    header = csv_response([["a"]], filename=filename).headers["content-disposition"]
    assert "\r" not in header
    assert "\n" not in header
    fallback = header.split('filename="', 1)[1].split('"', 1)[0]
    assert all(c.isascii() and (c.isalnum() or c in "._-") for c in fallback), header
    encoded = header.split("filename*=UTF-8''", 1)[1]
    assert unquote(encoded) == filename
    assert ";" not in encoded
    assert '"' not in encoded
