"""What seniors read from tablet_lending on LINE: Dai-chan's voice, the same facts (pure texts)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from services.common.events.contracts.lending import SessionKind
from services.common.time import JST
from services.common.wording import japanese_date
from services.tablet_lending.domain import messages
from services.tablet_lending.domain.errors import LendingError
from services.tablet_lending.domain.sessions import Session
from tests.fixtures.voice import assert_dai_chans_voice

DUE = date(2026, 6, 30)


def session() -> Session:
    starts = datetime(2026, 12, 5, 14, 0, tzinfo=JST)
    return Session(
        session_id="S-1",
        cohort_id="C-1",
        kind=SessionKind.FOLLOW_UP,
        title="LINEの使い方",
        venue="中央区民センター",
        starts_at=starts,
        ends_at=starts + timedelta(minutes=90),
        capacity=20,
    )


def senior_texts() -> list[str]:
    refusals = [
        messages.booking_refused(LendingError(reason, "x", "x"), session())
        for reason in messages.BOOKING_REFUSALS
    ]
    return [
        *refusals,
        messages.session_called_off(session()),
        messages.due_reminder(due_on=DUE, days_left=7),
        messages.due_reminder(due_on=DUE, days_left=1),
        messages.due_reminder(due_on=DUE, days_left=0),
        messages.overdue_message(due_on=DUE),
        messages.booking_confirmed(session()),
        messages.booking_cancelled(session()),
        messages.session_day_before(session()),
    ]


@pytest.mark.parametrize("text", senior_texts())
def test_texts_to_seniors_are_in_dai_chans_voice(text: str) -> None:
    assert_dai_chans_voice(text)


def test_reminders_keep_their_facts() -> None:
    week = messages.due_reminder(due_on=DUE, days_left=7)
    assert japanese_date(DUE) in week
    assert "あと7日" in week
    assert "明日が 返す日" in messages.due_reminder(due_on=DUE, days_left=1)
    assert "今日が 返す日" in messages.due_reminder(due_on=DUE, days_left=0)
    overdue = messages.overdue_message(due_on=DUE)
    assert japanese_date(DUE) in overdue
    assert "過ぎてる" in overdue
    assert "「困ったとき」" in overdue


def test_times_are_said_as_dai_chan_says_them() -> None:
    called_off = messages.session_called_off(session())
    assert "12月5日（土） 午後2時から 午後3時30分まで" in called_off
    assert "14:00" not in called_off
    already = messages.booking_refused(LendingError("already_booked", "x", "x"), session())
    assert "申し込み済み" in already
    assert "午後2時から" in already


@pytest.mark.parametrize("stage", ["due", "message", "call", "visit"])
def test_a_call_task_points_to_the_contact_card_on_its_ticket(stage: str) -> None:
    """Staff read the name and phone on the ticket they open, not in another system."""
    summary = messages.call_task_summary(participant_id="P-1", due_on=DUE, stage=stage, days=3)
    assert "利用者番号 P-1" in summary
    assert "チケットを開くと表示されます" in summary
    assert "貸出管理の利用者情報で確認" not in summary
