"""How the account says dates, times and the programme's names, whichever service writes: one
voice for Dai-chan, the lending reminders and the gateway's answers (2026年12月5日（土）
午後2時30分, in Japan time; 説明会 and フォローアップ説明会, the programme's own names)."""

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


def japanese_time_range(starts_at: datetime, ends_at: datetime) -> str:
    """12月5日（土） 午後2時から 午後3時30分まで"""
    return (
        f"{short_date(jst_date(starts_at))} {japanese_time(starts_at)}から "
        f"{japanese_time(ends_at)}まで"
    )


# The programme's names for its sessions (its published description's), by `SessionKind` value.
SESSION_KIND_JA = {"explanatory": "説明会", "follow_up": "フォローアップ説明会"}


def japanese_datetime(moment: datetime) -> str:
    return f"{japanese_date(moment.astimezone(JST).date())} {japanese_time(moment)}"


def jst_date(moment: datetime) -> date:
    return moment.astimezone(JST).date()
