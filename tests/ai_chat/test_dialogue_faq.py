"""Dai-chan answers the programme's questions from the reviewed FAQ, with no model at all."""

from __future__ import annotations

from services.ai_chat.domain.faq.answers import hours_in_words
from tests.ai_chat.support import Harness
from tests.fixtures.line import new_user_id


async def test_a_friend_without_a_tablet_who_wants_one_is_told_how_to_apply(
    offline: Harness,
) -> None:
    result = await offline.say(new_user_id(), "タブレットを借りたいです")

    [text] = result.texts
    assert "申しこむ" in text
    assert "ヘルプデスクは 平日" in text
    assert result.outcome.kind == "faq_apply"
    assert result.help_requests == []


async def test_each_programme_question_gets_its_own_answer(offline: Harness) -> None:
    asked = {
        "何歳から借りられるん？": "50さい",
        "説明会はいつありますか": "説明会は",
        "タブレットの画面が割れてしもた": "こわれたり",
        "窓口は土日もやってますか": "ヘルプデスクは",
    }
    for question, expected in asked.items():
        [text] = (await offline.say(new_user_id(), question)).texts
        assert expected in text, question


async def test_a_look_alike_is_answered_as_conversation_not_as_the_faq(offline: Harness) -> None:
    result = await offline.say(new_user_id(), "図書館の本を借りたいねん")
    assert not result.outcome.kind.startswith("faq_")


async def test_an_emergency_is_never_taken_for_a_question_about_the_tablet(
    offline: Harness,
) -> None:
    result = await offline.say(new_user_id(), "タブレット見てたら急に胸が締め付けられて苦しい")
    assert result.outcome.kind.startswith("safety")


def test_the_helpdesks_hours_are_said_the_way_dai_chan_says_times() -> None:
    assert hours_in_words("09:00-17:30", "mon-fri", observe_holidays=True) == (
        "平日（祝日と 年末年始は お休み）の 午前9時から 午後5時30分まで"
    )
    assert hours_in_words("10:00-19:00", "mon-sat", observe_holidays=False) == (
        "月〜土曜日の 午前10時から 午後7時まで"
    )
    assert hours_in_words("00:00-24:00", "mon-sun", observe_holidays=False) == "月〜日曜日は 一日中"
