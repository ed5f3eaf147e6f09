"""One voice: every service says sessions and times the way Dai-chan does."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from services.common.time import JST
from services.common.wording import (
    SESSION_KIND_JA,
    day_in_words,
    japanese_time_range,
    moment_in_words,
)
from services.tablet_lending.domain.sessions import KIND_JA


def test_a_session_is_said_in_dai_chans_time_format() -> None:
    start = datetime(2026, 5, 12, 5, 0, tzinfo=UTC)
    assert japanese_time_range(start, start + timedelta(minutes=90)) == (
        "5月12日（火） 午後2時から 午後3時30分まで"
    )


def test_every_service_names_the_sessions_as_the_programme_does() -> None:
    assert {kind.value: name for kind, name in KIND_JA.items()} == SESSION_KIND_JA
    assert SESSION_KIND_JA["follow_up"] == "フォローアップ説明会"


def test_days_close_by_are_said_as_a_senior_would() -> None:
    wednesday = date(2026, 12, 2)
    assert day_in_words(wednesday, today=wednesday) == "今日"
    assert day_in_words(date(2026, 12, 3), today=wednesday) == "明日"
    assert day_in_words(date(2026, 12, 7), today=wednesday) == "月曜日"
    assert day_in_words(date(2026, 12, 8), today=wednesday) == "火曜日"
    assert day_in_words(date(2026, 12, 9), today=wednesday) == "12月9日（水）"


def test_a_moment_is_counted_from_now_in_japan_time() -> None:
    # 23:30 UTC on the 2nd is already 08:30 on the 3rd in Japan: "today", not "tomorrow".
    now = datetime(2026, 12, 2, 23, 30, tzinfo=UTC)
    assert moment_in_words(datetime(2026, 12, 3, 9, 0, tzinfo=JST), now=now) == "今日の 午前9時"
    assert moment_in_words(datetime(2026, 12, 4, 9, 0, tzinfo=JST), now=now) == "明日の 午前9時"
