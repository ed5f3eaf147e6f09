"""Pure pieces of Dai-chan: the output guard, intents, Japanese dates, programme answers."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.ai_chat.domain import templates
from services.ai_chat.domain.checkins import next_checkin_at
from services.ai_chat.domain.dialogue import parse_postback
from services.ai_chat.domain.guard import guard_answer, strip_markdown
from services.ai_chat.domain.intents import Intent, confirmation, recognise, shared_facts
from services.ai_chat.domain.programme import ProgrammeFacts, loan_answer, sessions_answer
from services.ai_chat.domain.safety import contains_phone_number
from services.common.events.contracts.line import MAX_ACTION_LABEL_LENGTH, PostbackAction
from services.common.programme.views import LoanView
from services.common.safety import Route
from services.common.wording import japanese_date, japanese_datetime, japanese_time
from tests.ai_chat.support import said, session_view


def test_markdown_is_stripped_from_model_answers() -> None:
    answer = "## 大ちゃんより\n**こんにちは！** 今日は\n\n- 散歩\n- [公園](https://example.com) に行こう\n1. `お茶` を飲もう"
    assert (
        strip_markdown(answer)
        == "大ちゃんより\nこんにちは！ 今日は\n散歩\n公園 に行こう\nお茶 を飲もう"
    )
    guarded = guard_answer(answer)
    assert guarded.markdown_stripped
    assert not guarded.phone_number_replaced


def test_a_phone_number_from_the_model_is_replaced_by_the_fixed_text() -> None:
    guarded = guard_answer("つらいときは いのちの電話 0570-000-000 に かけてな")
    assert guarded.phone_number_replaced
    assert guarded.text == templates.NUMBER_GUARD_TEXT
    assert not contains_phone_number(guarded.text)


def test_long_answers_are_cut_at_a_sentence() -> None:
    guarded = guard_answer("ええ天気やな。" * 100)
    assert len(guarded.text) <= 400
    assert guarded.text.endswith("。")


def test_the_safety_templates_carry_exactly_the_numbers_of_the_design_brief() -> None:
    assert "119" in templates.EMERGENCY_TEXT
    assert "#7119" in templates.EMERGENCY_TEXT
    assert "#9110" in said(Route.FRAUD)
    assert "188" not in said(Route.FRAUD)
    assert "188" in said(Route.FRAUD, consumer_fraud=True)
    for number in ("0120-279-338", "0570-783-556", "0570-064-556"):
        assert number in templates.SELF_HARM_TEXT
    assert "よりそいホットライン" in templates.SELF_HARM_TEXT
    assert "いのちの電話" in templates.SELF_HARM_TEXT
    assert "こころの健康相談統一ダイヤル" in templates.SELF_HARM_TEXT


def test_quick_reply_labels_fit_lines_limit() -> None:
    for choice in (
        *templates.HELP_MENU,
        *templates.FORGET_CHOICES,
        *templates.GREETING_CHOICES,
        *templates.CHECKIN_CHOICES,
    ):
        assert len(choice.label) <= MAX_ACTION_LABEL_LENGTH


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("忘れて", Intent.FORGET),
        ("わたしのこと全部わすれてな", Intent.FORGET),
        ("記憶を消して", Intent.FORGET),
        ("鍵を忘れてきた", None),
        ("物忘れがひどくて", None),
        ("いつタブレットを返すの？", Intent.MY_LOAN),
        ("返却日はいつ？", Intent.MY_LOAN),
        ("次の講座はいつ？", Intent.SESSIONS),
        ("説明会の予定ある？", Intent.SESSIONS),
        ("口座番号を教えて", None),
        ("困ったとき", Intent.HELP_MENU),
        ("毎日声をかけてほしい", Intent.CHECKIN),
        ("こんにちは", None),
    ],
)
def test_intents(text: str, intent: Intent | None) -> None:
    assert recognise(text) is intent


def test_confirmations() -> None:
    assert confirmation("はい") is True
    assert confirmation("うん、消して") is True
    assert confirmation("いいえ") is False
    assert confirmation("ちゃうちゃう") is False
    assert confirmation("今日は雨が降ってるなあ、傘を持っていこう") is None


def test_shared_facts() -> None:
    assert shared_facts("みっちゃんって呼んで").preferred_name == "みっちゃん"
    assert shared_facts("私のことは「よしこ」と呼んでな").preferred_name == "よしこ"
    assert shared_facts("趣味は釣りです").interest == "釣り"
    assert shared_facts("盆栽が好きです").interest == "盆栽"
    assert not shared_facts("あなたが好き")
    assert not shared_facts("09012345678って呼んで")


def test_japanese_dates_and_times() -> None:
    assert japanese_date(date(2026, 12, 5)) == "2026年12月5日（土）"
    assert japanese_time(datetime(2026, 12, 5, 5, 30, tzinfo=UTC)) == "午後2時30分"
    assert japanese_time(datetime(2026, 12, 5, 1, 0, tzinfo=UTC)) == "午前10時"
    assert japanese_time(datetime(2026, 12, 5, 3, 0, tzinfo=UTC)) == "午後12時"
    assert (
        japanese_datetime(datetime(2026, 12, 4, 16, 0, tzinfo=UTC)) == "2026年12月5日（土） 午前1時"
    )


def test_the_loan_answer_comes_from_data() -> None:
    loan = LoanView(
        loan_id="L1", participant_id="P1", cohort_id="C3", due_on=date(2026, 12, 5), status="active"
    )
    facts = ProgrammeFacts(participant_id="P1", loans=[loan])
    text, _ = loan_answer(facts, today=date(2026, 11, 5))
    assert "2026年12月5日（土）" in text
    assert "あと 30日" in text
    late, choices = loan_answer(facts, today=date(2026, 12, 6))
    assert "過ぎて" in late
    assert [c.data for c in choices if isinstance(c, PostbackAction)] == [
        "daichan:help?topic=person"
    ]
    unlinked, _ = loan_answer(ProgrammeFacts(participant_id=None), today=date(2026, 11, 5))
    assert unlinked == templates.LINK_HOW_TO_TEXT
    assert "8けた" in unlinked


def test_sessions_come_with_booking_buttons_for_tablet_lending() -> None:
    facts = ProgrammeFacts(
        participant_id="P1",
        sessions=[session_view("S1", 5), session_view("S2", 12), session_view("S3", 19, seats=0)],
        booked=frozenset({"S2"}),
    )
    text, choices = sessions_answer(facts)
    assert "2026年12月5日（土） 午後2時から タブレットのつかいかた" in text
    assert "（申し込み済み）" in text
    assert "（満席）" in text
    data = [c.data for c in choices if isinstance(c, PostbackAction)]
    assert data == ["lending:book?session=S1", "lending:cancel?session=S2"]


def test_postback_data_is_parsed_and_other_services_buttons_are_not_ours() -> None:
    assert parse_postback("daichan:my_loan") == ("my_loan", {})
    assert parse_postback("daichan:help?topic=fraud") == ("help", {"topic": "fraud"})
    assert parse_postback("lending:book?session=S1") == (None, {})
    assert parse_postback("daichan:") == (None, {})


def test_next_checkin_time_is_in_japan_time() -> None:
    # 07:00 JST on 5 Dec is 22:00 UTC on 4 Dec.
    now = datetime(2026, 12, 4, 22, 0, tzinfo=UTC)
    assert next_checkin_at("08:00", after=now) == datetime(2026, 12, 4, 23, 0, tzinfo=UTC)
    assert next_checkin_at("06:30", after=now) == datetime(2026, 12, 5, 21, 30, tzinfo=UTC)
    assert next_checkin_at("25:00", after=now) is None
    assert next_checkin_at("8時", after=now) is None
