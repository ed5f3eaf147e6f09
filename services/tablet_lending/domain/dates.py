"""Dates the way the programme uses them: calendar months, age on a day, Japanese formats.

Municipal files write dates in many ways (1952/4/1, 1952-04-01, 19520401, 昭和27年4月1日,
S27.4.1, 令和元年5月1日, full-width digits); `parse_date` reads those and refuses anything
ambiguous (two-digit years, spreadsheet serial numbers) rather than guess.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date


def add_months(day: date, months: int) -> date:
    """The same day `months` later; a day that month lacks becomes its last (8/31 + 6 → 2/28|29)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def age_on(birthdate: date, day: date) -> int:
    """Whole years of age at the start of `day`.

    Under Japanese law (年齢計算ニ関スル法律) a person turns N at the end of the day before their
    Nth birthday, so on the birthday itself they are N and on the day before still N-1; that is
    exactly the usual "has the birthday come this year" count. Someone born on 29 February turns N
    on 1 March in other years.
    """
    before_birthday = (day.month, day.day) < (birthdate.month, birthdate.day)
    return day.year - birthdate.year - int(before_birthday)


# Era, its first day, and the abbreviations municipal systems use.
ERAS: tuple[tuple[str, date, tuple[str, ...]], ...] = (
    ("令和", date(2019, 5, 1), ("令和", "令", "R")),
    ("平成", date(1989, 1, 8), ("平成", "平", "H")),
    ("昭和", date(1926, 12, 25), ("昭和", "昭", "S")),
    ("大正", date(1912, 7, 30), ("大正", "大", "T")),
    ("明治", date(1868, 10, 23), ("明治", "明", "M")),
)
_ERA_BY_MARK = {mark: (name, first) for name, first, marks in ERAS for mark in marks}
_ERA_PATTERN = "|".join(sorted(_ERA_BY_MARK, key=len, reverse=True))
_WAREKI = re.compile(
    rf"^(?P<era>{_ERA_PATTERN})\s*(?P<year>元|\d{{1,2}})\s*[年./-]\s*(?P<month>\d{{1,2}})\s*"
    r"[月./-]\s*(?P<day>\d{1,2})\s*日?$"
)
_SEIREKI = re.compile(
    r"^(?P<year>\d{4})\s*[年./-]\s*(?P<month>\d{1,2})\s*[月./-]\s*(?P<day>\d{1,2})\s*日?$"
)
_COMPACT = re.compile(r"^(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})$")


class BadDate(ValueError):
    """The text is not a date this module reads; the message (Japanese) says why without
    repeating the text, which may be someone's birthdate."""


def normalise(text: str) -> str:
    """NFKC (full-width digits and letters to ASCII, half-width kana to full-width), trimmed."""
    return unicodedata.normalize("NFKC", text).strip()


def parse_date(text: str) -> date:
    value = normalise(text).upper().replace("　", " ")
    if not value:
        raise BadDate("日付が空です。")
    for pattern in (_SEIREKI, _COMPACT):
        if match := pattern.match(value):
            return _build(int(match["year"]), int(match["month"]), int(match["day"]))
    if match := _WAREKI.match(value):
        name, first = _ERA_BY_MARK[match["era"]]
        era_year = 1 if match["year"] == "元" else int(match["year"])
        if era_year < 1:
            raise BadDate(f"{name}の年が正しくありません。")
        result = _build(first.year + era_year - 1, int(match["month"]), int(match["day"]))
        later = [era_first for _n, era_first, _m in ERAS if era_first > first]
        if result < first or (later and result >= min(later)):
            raise BadDate(f"{name}の期間にない日付です。")
        return result
    raise BadDate("日付として読み取れませんでした（例: 1952/4/1、昭和27年4月1日、S27.4.1）。")


def _build(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise BadDate("存在しない日付です。") from exc
