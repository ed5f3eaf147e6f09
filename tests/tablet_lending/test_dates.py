"""Calendar months, age on a day (Japanese law), and the date formats municipal files use."""

from __future__ import annotations

from datetime import date

import pytest

from services.tablet_lending.domain.dates import BadDate, add_months, age_on, parse_date


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2022, 12, 5), 6, date(2023, 6, 5)),
        (date(2023, 8, 31), 6, date(2024, 2, 29)),  # a leap year's February
        (date(2022, 8, 31), 6, date(2023, 2, 28)),
        (date(2023, 9, 5), 6, date(2024, 3, 5)),
        (date(2024, 2, 29), -6, date(2023, 8, 29)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_last_of_the_month(
    start: date, months: int, expected: date
) -> None:
    assert add_months(start, months) == expected


def test_age_on_the_start_date_turns_on_the_birthday() -> None:
    starts = date(2022, 12, 5)
    assert age_on(date(1972, 12, 5), starts) == 50
    assert age_on(date(1972, 12, 6), starts) == 49
    # Born on 29 February: a year older on 1 March in other years.
    assert age_on(date(1972, 2, 29), date(2022, 2, 28)) == 49
    assert age_on(date(1972, 2, 29), date(2022, 3, 1)) == 50


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1952-04-01", date(1952, 4, 1)),
        ("1952/4/1", date(1952, 4, 1)),
        ("19520401", date(1952, 4, 1)),
        ("1952年4月1日", date(1952, 4, 1)),
        ("１９５２／４／１", date(1952, 4, 1)),
        ("昭和27年4月1日", date(1952, 4, 1)),
        ("S27.4.1", date(1952, 4, 1)),
        ("s27/04/01", date(1952, 4, 1)),
        ("昭27.4.1", date(1952, 4, 1)),
        ("昭和64年1月7日", date(1989, 1, 7)),
        ("平成元年1月8日", date(1989, 1, 8)),
        ("令和元年5月1日", date(2019, 5, 1)),
        ("大正15年12月24日", date(1926, 12, 24)),
    ],
)
def test_dates_in_western_and_japanese_era_forms(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("1955/13/45", "存在しない"),
        ("55/4/1", "読み取れません"),  # a two-digit year is ambiguous
        ("25659", "読み取れません"),  # a spreadsheet serial number
        ("平成1年1月7日", "期間にない"),  # Heisei began on 8 January 1989
        ("昭和64年1月8日", "期間にない"),
        ("", "空"),
    ],
)
def test_ambiguous_or_impossible_dates_are_refused_in_japanese(text: str, why: str) -> None:
    with pytest.raises(BadDate, match=why):
        parse_date(text)
