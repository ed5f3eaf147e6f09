"""The programme FAQ's questions and answers, without the trained classifier (pure)."""

from __future__ import annotations

import re

import pytest

from services.ai_chat.domain.faq import Topic, read
from services.ai_chat.domain.faq.answers import Desk, answer
from services.common.language.morphology import analyse

T = Topic


def by_questions(text: str) -> Topic | None:
    return read(analyse(text), None).topic


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("タブレットを借りたいです", T.APPLY),
        ("たぶれっと かりたいんやけど", T.APPLY),
        ("タブレット欲しいんやけど、借りられるんかな", T.APPLY),
        ("何歳から借りられるん？", T.ELIGIBILITY),
        ("堺市に住んでるんやけど対象かな", T.ELIGIBILITY),
        ("タダで貸してくれるん？", T.ELIGIBILITY),
        ("説明会はいつありますか", T.SESSIONS),
        ("返却はどうしたらええの", T.RETURN),
        ("6ヶ月終わったらどうなるの", T.RETURN),
        ("電源が入らへん", T.BROKEN_LOST),
        ("タブレットを電車に置き忘れた", T.BROKEN_LOST),
        ("壊したら弁償ですか", T.BROKEN_LOST),
        ("ヘルプデスクの電話番号おしえて", T.HELPDESK),
        ("窓口は土日もやってますか", T.HELPDESK),
    ],
)
def test_a_programme_question_is_recognised_in_its_many_spellings(text: str, topic: Topic) -> None:
    assert by_questions(text) is topic


@pytest.mark.parametrize(
    "text",
    [
        "孫にタブレットを借りた",  # borrowed, in the past, from family
        "図書館の本を借りたい",
        "体操教室の説明会に行った",
        "テレビが壊れた",
        "スマホの画面が割れた",
        "病院は何時まで開いてる？",
        "区役所の窓口は何時まで",
        "人と話したい",  # a person now is the safety route's, not the FAQ's
        "私の返却期限を教えて",  # the senior's own date: intents' my loan
        "今日はええ天気やな",
    ],
)
def test_a_look_alike_is_left_to_the_conversation(text: str) -> None:
    assert by_questions(text) is None


def test_a_broken_tablet_is_not_read_as_returning_or_borrowing_it() -> None:
    assert by_questions("タブレットが壊れたんやけど、返したほうがええの？") is T.BROKEN_LOST
    assert by_questions("説明会に申し込みたい") is T.SESSIONS


def test_every_topic_has_an_answer_that_says_how_to_reach_a_person() -> None:
    desk = Desk(hours="平日の 午前9時から 午後5時まで", phone="06-6000-0000")
    for topic in Topic:
        text = answer(topic, desk)
        if topic is not T.SESSIONS:
            assert "06-6000-0000" in text, topic
            assert "午前9時" in text, topic
        assert "人と話したい" in text or topic is T.SESSIONS, topic


def test_an_answer_never_invents_a_number_the_programme_has_not_configured() -> None:
    desk = Desk(hours="平日の 午前9時から 午後5時まで")
    for topic in Topic:
        text = answer(topic, desk)
        assert not re.search(r"\d{2,4}-\d{2,4}-\d{3,4}", text), topic
        assert "電話 " not in text, topic


def test_eligibility_states_the_programme_facts() -> None:
    text = answer(T.ELIGIBILITY, Desk(hours="平日"))
    for fact in ("50さい", "無料", "6か月"):
        assert fact in text
