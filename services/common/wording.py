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


def clock_time(minute_of_day: int) -> str:
    """540 -> 午前9時, 1050 -> 午後5時30分, 720 -> 午後12時; 1440, a desk's closing, -> 夜12時."""
    hour, minute = divmod(minute_of_day, 60)
    if hour == 24:
        period, shown = "夜", 12
    elif hour < 12:
        period, shown = "午前", hour
    else:
        period, shown = "午後", hour - 12 or 12
    return f"{period}{shown}時" + (f"{minute}分" if minute else "")


def japanese_time(moment: datetime) -> str:
    local = moment.astimezone(JST)
    return clock_time(local.hour * 60 + local.minute)


def weekdays_in_words(days: frozenset[int]) -> str:
    """{0..4} -> 平日; {0..5} -> 月〜土曜日; {0, 2, 4, 6} -> 月・水・金・日曜日 (0 = Monday)."""
    if days == frozenset(range(5)):
        return "平日"
    runs: list[list[int]] = []
    for day in sorted(days):
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    spans = [WEEKDAYS[run[0]] + (f"〜{WEEKDAYS[run[-1]]}" if len(run) > 1 else "") for run in runs]
    return "・".join(spans) + "曜日"


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


def day_in_words(day: date, *, today: date) -> str:
    """How a senior hears a day close by: 今日, 明日, 月曜日 within the week, else 1月4日（月）."""
    ahead = (day - today).days
    if ahead == 0:
        return "今日"
    if ahead == 1:
        return "明日"
    if 1 < ahead < 7:
        return f"{WEEKDAYS[day.weekday()]}曜日"
    return short_date(day)


def moment_in_words(moment: datetime, *, now: datetime) -> str:
    """明日の 午前9時, 月曜日の 午前9時 (Japan time), counted from `now`."""
    return f"{day_in_words(jst_date(moment), today=jst_date(now))}の {japanese_time(moment)}"
