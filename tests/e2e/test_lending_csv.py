"""A dirty municipal file on the real stack: every row reported, nothing accepted twice, nothing
half-applied, Shift_JIS and UTF-8 (with a byte-order mark) both read."""

from __future__ import annotations

import codecs
import csv
import io
from typing import Any

from services.tablet_lending.domain.csv_import import EXAMPLE_HEADER
from tests.tablet_lending.support import LendingApi

IKUNO = "27116"
GOOD = ["山田", "太郎", "ヤマダ", "タロウ", "1950/4/1", "544-0034", "大阪市生野区桃谷1-1", "27116",
        "06-1234-5678", "同意", "v1", "2026/4/1"]  # fmt: skip


def row(number: str, **changes: str) -> list[str]:
    columns = EXAMPLE_HEADER.split(",")[1:]
    values = dict(zip(columns, GOOD, strict=True))
    values.update(changes)
    return [number, *values.values()]


# (row, the outcome and reason the report must give it)
DIRTY: list[tuple[list[str], str, str | None]] = [
    (row("IK-001"), "accepted", None),
    (row("IK-002", セイ="サトウ", 生年月日="昭和30年5月6日"), "accepted", None),
    (row("IK-003", セイ="ｽｽﾞｷ", 生年月日="１９５２年３月３日", 電話番号="０６－１１１１－２２２２"), "accepted", None),
    (row("IK-004", セイ="タナカ", 生年月日="1955/13/45"), "refused", "invalid"),
    (row("IK-005", セイ="イトウ", 生年月日="55/4/1"), "refused", "invalid"),
    (row("IK-006", セイ="ワタナベ", 住所="大阪市阿倍野区昭和町1-1", 市区町村コード="27119"), "refused", "wrong_municipality"),
    (row("IK-007", セイ="ナカムラ", 住所="大阪市北区梅田1-1", 市区町村コード=""), "refused", "outside_area"),
    (row("IK-008", セイ="コバヤシ", 生年月日="1990-01-01"), "refused", "too_young"),
    (row("IK-001"), "duplicate", "repeated_in_file"),
    (row("IK-009", セイ="カトウ", 規約同意="未"), "refused", "no_consent"),
    (row("IK-010", セイ="ヨシダ"), "refused", "duplicate_in_file"),
    (row("IK-010", セイ="ヤマモト"), "refused", "duplicate_in_file"),
    (row("IK-011", セイ="サトウ", 生年月日="1955-05-06"), "refused", "duplicate_person"),
    (row("IK-012", セイ="マツモト", 生年月日="平成元年1月7日"), "refused", "invalid"),
]  # fmt: skip


def encode(rows: list[list[str]], encoding: str, *, bom: bool = False) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXAMPLE_HEADER.split(","))
    writer.writerows(rows)
    data = buffer.getvalue().encode(encoding)
    return codecs.BOM_UTF8 + data if bom else data


async def upload(api: LendingApi, cohort_id: str, data: bytes, municipality: str = IKUNO) -> Any:
    return await api.http.post(
        f"/cohorts/{cohort_id}/imports",
        params={"municipality_code": municipality, "filename": "ikuno.csv"},
        content=data,
        headers={"content-type": "text/csv"},
    )


async def participation(api: LendingApi, cohort_id: str) -> int:
    rows = await api.ok("GET", "/reports/participation", params={"cohort_id": cohort_id})
    return sum(r["applied"] + r["enrolled"] + r["waitlisted"] for r in rows)


async def test_a_dirty_shift_jis_file_reports_every_row_and_a_second_import_adds_nothing(
    api: LendingApi,
) -> None:
    cohort = await api.cohort()
    data = encode([r for r, _, _ in DIRTY], "cp932")

    response = await upload(api, cohort["cohort_id"], data)

    assert response.status_code == 201, response.text
    report = response.json()
    assert report["encoding"] == "cp932"
    got = [(r["line"], r["outcome"], r["reason"]) for r in report["rows"]]
    expected = [(line, outcome, reason) for line, (_, outcome, reason) in enumerate(DIRTY, start=2)]
    assert got == expected
    assert report["counts"] == {"accepted": 3, "duplicate": 1, "refused": 10}
    for result in report["rows"]:
        if result["outcome"] != "accepted":
            assert result["message_ja"], result
    by_number = {r["application_number"]: r for r in report["rows"] if r["outcome"] == "accepted"}
    suzuki = await api.ok("GET", f"/participants/{by_number['IK-003']['participant_id']}")
    assert suzuki["participant"]["personal"]["family_name_kana"] == "スズキ"
    assert suzuki["participant"]["personal"]["birthdate"] == "1952-03-03"
    assert suzuki["participant"]["personal"]["phone"] == "06-1111-2222"
    assert suzuki["participant"]["consent"]["terms_version"] == "v1"
    assert await participation(api, cohort["cohort_id"]) == 3

    again = (await upload(api, cohort["cohort_id"], data)).json()
    assert again["counts"] == {"accepted": 0, "duplicate": 4, "refused": 10}
    assert {r["reason"] for r in again["rows"] if r["outcome"] == "duplicate"} == {
        "already_received",
        "repeated_in_file",
    }
    assert await participation(api, cohort["cohort_id"]) == 3

    # The report goes back to the municipality: Japanese, Excel-friendly, no personal data.
    sheet = await api.http.get(f"/imports/{report['import_id']}/report.csv")
    text = sheet.content.decode("utf-8-sig")
    assert sheet.content.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["行", "申込番号", "結果", "状態", "利用者番号", "理由コード", "理由"]
    # Every text cell is quoted (CSV-injection rules): Excel reads them as text, not formulas.
    assert text.splitlines()[0].startswith('"行","申込番号"')
    assert "受付不可" in text
    assert "山田" not in text
    assert "桃谷" not in text


async def test_utf8_with_bom_reads_and_a_row_in_another_encoding_is_refused_alone(
    api: LendingApi,
) -> None:
    cohort = await api.cohort()
    good = [row("U-001"), row("U-002", セイ="サトウ")]
    stray = row("U-003", セイ="キムラ", 住所="大阪市生野区勝山1-1")
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(stray)
    data = encode(good, "utf-8", bom=True) + buffer.getvalue().encode("cp932")

    report = (await upload(api, cohort["cohort_id"], data)).json()

    assert report["encoding"] == "utf-8-sig"
    assert [(r["application_number"], r["outcome"], r["reason"]) for r in report["rows"]] == [
        ("U-001", "accepted", None),
        ("U-002", "accepted", None),
        (None, "refused", "encoding"),
    ]
    assert "文字コード" in report["rows"][2]["message_ja"]
    assert await participation(api, cohort["cohort_id"]) == 2


async def test_a_file_that_cannot_be_read_is_refused_whole_and_changes_nothing(
    api: LendingApi,
) -> None:
    cohort = await api.cohort()
    no_header = "山田,太郎,1950/4/1\r\n".encode("cp932")
    response = await upload(api, cohort["cohort_id"], no_header)
    assert response.status_code == 422
    assert response.json()["reason"] == "file_refused"
    assert "見出し行" in response.json()["message_ja"]

    utf16 = await upload(api, cohort["cohort_id"], EXAMPLE_HEADER.encode("utf-16"))
    assert utf16.status_code == 422
    assert "UTF-16" in utf16.json()["message"]

    elsewhere = await upload(api, cohort["cohort_id"], encode([row("X-1")], "cp932"), "27127")
    assert elsewhere.status_code == 422
    assert elsewhere.json()["reason"] == "municipality_not_in_cohort"
    assert await participation(api, cohort["cohort_id"]) == 0

    # A designated city's file may cover several of its wards.
    city = await upload(
        api,
        cohort["cohort_id"],
        encode([row("C-1"), row("C-2", セイ="サトウ", 住所="大阪市阿倍野区昭和町1-1", 市区町村コード="27119")], "cp932"),
        "27100",
    )  # fmt: skip
    assert city.json()["counts"]["accepted"] == 2
