"""Honest hours: what Dai-chan says of the helpdesk at chosen moments (pure, no clock read).

The helpdesk keeps 09:00-17:00 on weekdays with holidays closed unless a test says otherwise;
Monday 2026-11-23 is 勤労感謝の日.
"""

from __future__ import annotations

from datetime import datetime
from uuid import uuid4

import pytest

from services.ai_chat.domain import templates
from services.ai_chat.domain.guidance import certain_guidance
from services.ai_chat.domain.hours import desk_hours
from services.ai_chat.domain.outcome import Inbound
from services.ai_chat.domain.seniors import Senior
from services.common.calendar import BusinessCalendar
from services.common.safety import Detection, Route
from services.common.time import JST

DESK = BusinessCalendar()
WEDNESDAY_10 = datetime(2026, 12, 2, 10, 0, tzinfo=JST)
WEDNESDAY_0320 = datetime(2026, 12, 2, 3, 20, tzinfo=JST)
WEDNESDAY_EVENING = datetime(2026, 12, 2, 19, 0, tzinfo=JST)
SATURDAY_EVENING = datetime(2026, 11, 21, 18, 0, tzinfo=JST)  # Monday the 23rd is a holiday
FRIDAY = (2026, 12, 4)


def person(at: datetime, calendar: BusinessCalendar = DESK) -> str:
    return templates.safety_text(Route.PERSON, desk_hours(calendar, at))


def test_during_hours_a_person_answers_soon() -> None:
    text = person(WEDNESDAY_10)
    assert "いま ヘルプデスクは 開いてるで。人が すぐ 返事するから、少し 待っててな。" in text
    assert "お休み" not in text


@pytest.mark.parametrize(
    ("at", "opening"),
    [
        (WEDNESDAY_0320, "今日の 午前9時"),  # the 03:20 of the report: this morning, not 「すぐ」
        (WEDNESDAY_EVENING, "明日の 午前9時"),
        (datetime(*FRIDAY, 17, 30, tzinfo=JST), "月曜日の 午前9時"),
        (SATURDAY_EVENING, "火曜日の 午前9時"),  # Monday is 勤労感謝の日
        (datetime(2026, 12, 28, 18, 0, tzinfo=JST), "1月4日（月）の 午前9時"),  # year-end break
    ],
)
def test_outside_hours_dai_chan_says_when_a_person_will_answer(at: datetime, opening: str) -> None:
    text = person(at)
    assert f"いま ヘルプデスクは お休みや。ヘルプデスクは {opening}から やで。" in text
    assert "すぐ 返事" not in text
    assert f"すぐ {templates.AMBULANCE} に 電話してな" in text  # the ambulance line stays


def test_friday_closing_edge_is_exact() -> None:
    """A desk open until 18:00: 17:59 is still open, 18:00 is Monday morning."""
    late_desk = BusinessCalendar.from_settings("09:00-18:00", "mon-fri", observe_holidays=True)
    assert "人が すぐ 返事する" in person(datetime(*FRIDAY, 17, 59, tzinfo=JST), late_desk)
    closed = person(datetime(*FRIDAY, 18, 0, tzinfo=JST), late_desk)
    assert "ヘルプデスクは 月曜日の 午前9時から やで" in closed


def test_an_emergency_out_of_hours_points_to_119_and_never_to_waiting() -> None:
    text = templates.safety_text(Route.EMERGENCY, desk_hours(DESK, WEDNESDAY_0320))
    assert text.startswith(templates.EMERGENCY_TEXT)  # 119 and #7119 first, unchanged
    assert text.endswith(
        "ヘルプデスクにも 知らせたけど、いまは お休みや。"
        "今日の 午前9時に 開いたら、ヘルプデスクから 連絡するで。"
    )
    assert "すぐ 知らせた" not in text
    assert "待って" not in text


def test_an_emergency_in_hours_says_the_desk_will_look_now() -> None:
    text = templates.safety_text(Route.EMERGENCY, desk_hours(DESK, WEDNESDAY_10))
    assert (
        text == templates.EMERGENCY_TEXT + "\nヘルプデスクの 人にも 知らせたで。すぐ 見てくれるで。"
    )


@pytest.mark.parametrize("consumer_fraud", [False, True])
def test_fraud_guidance_keeps_its_numbers_and_says_when_the_desk_looks(
    consumer_fraud: bool,
) -> None:
    text = templates.safety_text(
        Route.FRAUD, desk_hours(DESK, SATURDAY_EVENING), consumer_fraud=consumer_fraud
    )
    assert text.startswith(templates.FRAUD_TEXT)
    assert (templates.FRAUD_CONSUMER_LINE in text) is consumer_fraud
    assert text.endswith("火曜日の 午前9時に 開いたら、ヘルプデスクから 連絡するで。")


def test_self_harm_guidance_keeps_the_24_hour_line_and_dai_chan_stays() -> None:
    text = templates.safety_text(Route.SELF_HARM, desk_hours(DESK, WEDNESDAY_0320))
    assert text.startswith(templates.SELF_HARM_TEXT)
    assert "今日の 午前9時に 開いたら" in text
    assert text.endswith(templates.SELF_HARM_CLOSING)


def test_the_waiting_acknowledgement_is_as_honest_as_the_hand_over() -> None:
    assert "人が すぐ 返事する" in templates.waiting_text(desk_hours(DESK, WEDNESDAY_10))
    at_night = templates.waiting_text(desk_hours(DESK, WEDNESDAY_0320))
    assert at_night.startswith("メッセージ 受けとったで。いま ヘルプデスクは お休みや。")
    assert "今日の 午前9時から" in at_night


def test_the_guidance_reads_the_moment_and_the_calendar_it_is_given() -> None:
    inbound = Inbound(
        event_id=uuid4(), user_id="U" + "0" * 32, sent_at=WEDNESDAY_0320, via="text", text="人"
    )
    outcome = certain_guidance(
        inbound,
        Senior(user_id=inbound.user_id),
        Detection(routes=(Route.PERSON,), reasons=("rule:person",)),
        now=WEDNESDAY_0320,
        calendar=DESK,
        detector="rules",
    )
    assert [m.text for m in outcome.messages] == [person(WEDNESDAY_0320)]
    assert "今日の 午前9時から" in outcome.messages[0].text
