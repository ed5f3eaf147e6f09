"""Dates and times the way seniors read them: 2026年12月5日（土） 午後2時30分, in Japan time."""

from __future__ import annotations

from datetime import date, datetime

from services.common.time import JST

WEEKDAYS = "月火水木金土日"


def japanese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日（{WEEKDAYS[day.weekday()]}）"


def short_date(day: date) -> str:
    """For buttons, where 20 characters is the limit: 12月5日（土）."""
    return f"{day.month}月{day.day}日（{WEEKDAYS[day.weekday()]}）"


def japanese_time(moment: datetime) -> str:
    local = moment.astimezone(JST)
    period = "午前" if local.hour < 12 else "午後"
    hour = local.hour % 12
    if period == "午後" and hour == 0:
        hour = 12
    minutes = f"{local.minute}分" if local.minute else ""
    return f"{period}{hour}時{minutes}"


def japanese_datetime(moment: datetime) -> str:
    return f"{japanese_date(moment.astimezone(JST).date())} {japanese_time(moment)}"


def jst_date(moment: datetime) -> date:
    return moment.astimezone(JST).date()
