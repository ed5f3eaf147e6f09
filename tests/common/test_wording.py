"""One voice: every service says sessions and times the way Dai-chan does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.common.wording import SESSION_KIND_JA, japanese_time_range
from services.tablet_lending.domain.sessions import KIND_JA


def test_a_session_is_said_in_dai_chans_time_format() -> None:
    start = datetime(2026, 5, 12, 5, 0, tzinfo=UTC)
    assert japanese_time_range(start, start + timedelta(minutes=90)) == (
        "5月12日（火） 午後2時から 午後3時30分まで"
    )


def test_every_service_names_the_sessions_as_the_programme_does() -> None:
    assert {kind.value: name for kind, name in KIND_JA.items()} == SESSION_KIND_JA
    assert SESSION_KIND_JA["follow_up"] == "フォローアップ説明会"
