"""Reading municipal files before any rule: encodings, headers, rows and repeats."""

from __future__ import annotations

import codecs

import pytest

from services.tablet_lending.domain.csv_import import (
    EXAMPLE_HEADER,
    FileRefused,
    decode_lines,
    parse_file,
)

ROW = "A-1,山田,花子,ヤマダ,ハナコ,昭和30年1月2日,544-0034,大阪市生野区桃谷1-1,27116,06-1234-5678,同意,v1,2026/4/1"


def parse(text: str, encoding: str = "utf-8", *, bom: bool = False) -> list[tuple[int, str | None]]:
    raw = text.encode(encoding)
    parsed = parse_file(
        codecs.BOM_UTF8 + raw if bom else raw, terms_version="v1", municipality_code="27116"
    )
    return [(row.line, row.problem.reason if row.problem else None) for row in parsed.rows]


def test_encodings_are_detected() -> None:
    text = f"{EXAMPLE_HEADER}\r\n{ROW}\r\n"
    assert decode_lines(text.encode("cp932"))[0] == "cp932"
    assert decode_lines(text.encode("utf-8"))[0] == "utf-8"
    assert decode_lines(codecs.BOM_UTF8 + text.encode("utf-8"))[0] == "utf-8-sig"
    # CP932's own characters (NEC special characters) are not plain Shift_JIS, and still read.
    assert decode_lines(f"{EXAMPLE_HEADER}\n①㈱\n".encode("cp932"))[1][1] == "①㈱"


def test_a_good_row_becomes_an_application() -> None:
    parsed = parse_file(
        f"{EXAMPLE_HEADER}\n{ROW}\n".encode(), terms_version="v1", municipality_code="27116"
    )
    [row] = parsed.rows
    assert row.problem is None
    assert row.application is not None
    assert row.application.natural_key("phase-2") == "phase-2:27116:A-1"
    assert str(row.application.personal.birthdate) == "1955-01-02"
    assert row.application.consented_at is not None


def test_blank_lines_are_skipped_and_line_numbers_are_the_files() -> None:
    assert parse(f"{EXAMPLE_HEADER}\n\n{ROW}\n\n") == [(3, None)]


def test_every_problem_in_a_row_is_reported() -> None:
    bad = ROW.replace("昭和30年1月2日", "1955/02/30").replace("544-0034", "5440")
    parsed = parse_file(
        f"{EXAMPLE_HEADER}\n{bad}\n".encode(), terms_version="v1", municipality_code="27116"
    )
    [row] = parsed.rows
    assert row.problem is not None
    assert row.problem.reason == "invalid"
    assert "生年月日" in row.problem.message_ja
    assert "郵便番号" in row.problem.message_ja


def test_repeats_and_clashes_within_a_file() -> None:
    first_b = ROW.replace("A-1", "B-1")
    second_b = first_b.replace("花子", "良子")
    text = f"{EXAMPLE_HEADER}\n{ROW}\n{ROW}\n{first_b}\n{second_b}\n"
    # An exact repeat counts once; two different rows under one number are both refused.
    assert parse(text) == [
        (2, None),
        (3, "repeated_in_file"),
        (4, "duplicate_in_file"),
        (5, "duplicate_in_file"),
    ]


def test_a_combined_name_column_and_english_headers() -> None:
    header = "application_number,name,kana,birthdate,address,consent"
    text = f"{header}\nA-2,山田 花子,ヤマダ　ハナコ,1950-01-01,大阪市生野区1-1,yes\n"
    parsed = parse_file(text.encode(), terms_version="v1", municipality_code="27116")
    [row] = parsed.rows
    assert row.application is not None
    assert row.application.personal.given_name == "花子"
    assert row.application.personal.given_name_kana == "ハナコ"


def test_consent_must_be_given() -> None:
    assert parse(f"{EXAMPLE_HEADER}\n{ROW.replace(',同意,', ',,')}\n") == [(2, "no_consent")]


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        (b"", "empty"),
        ("氏名,住所\n山田,大阪\n".encode("cp932"), "lacks required columns"),
        (EXAMPLE_HEADER.encode("utf-16"), "UTF-16"),
        (b"\x82\xa0\xff\xfe\x00,\x80\x81\n", "header row cannot be read"),
    ],
)
def test_unreadable_files_are_refused_whole(raw: bytes, why: str) -> None:
    with pytest.raises(FileRefused, match=why):
        parse_file(raw, terms_version="v1", municipality_code="27116")


def test_a_huge_cell_refuses_its_row_and_the_rest_is_read() -> None:
    huge = ROW.replace("大阪市生野区桃谷1-1", "大" * 1_000_000)
    other = ROW.replace("A-1", "A-2")
    parsed = parse_file(
        f"{EXAMPLE_HEADER}\n{huge}\n{other}\n".encode(),
        terms_version="v1",
        municipality_code="27116",
    )
    assert [(row.line, row.problem.reason if row.problem else None) for row in parsed.rows] == [
        (2, "cell_too_large"),
        (3, None),
    ]
    assert parsed.rows[0].problem is not None
    assert "1000文字" in parsed.rows[0].problem.message_ja


def test_a_huge_header_cell_refuses_the_file() -> None:
    with pytest.raises(FileRefused, match="header cell"):
        parse_file(
            f"{EXAMPLE_HEADER},{'x' * 200_000}\n{ROW}\n".encode(),
            terms_version="v1",
            municipality_code="27116",
        )
