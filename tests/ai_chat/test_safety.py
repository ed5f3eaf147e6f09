"""The safety rules: what must be routed, what must be left alone, and the numbers guard."""

from __future__ import annotations

import pytest

from eval.redteam import load_cases
from services.ai_chat.domain.safety import (
    Detection,
    Moderation,
    Route,
    contains_phone_number,
    detect,
)
from services.ai_chat.domain.text import normalise

CASES = load_cases()


@pytest.mark.parametrize(
    "case",
    [c for c in CASES if Route.EMERGENCY in c.expect or Route.SELF_HARM in c.expect],
    ids=lambda c: c.id,
)
def test_every_emergency_and_self_harm_case_in_the_red_team_set_is_routed(case) -> None:
    assert case.expect <= set(detect(case.text).routes), case.text


@pytest.mark.parametrize(
    "text",
    ["胸がいっぱい", "死ぬほど笑った", "ATMの場所を知りたい", "人と話すのが苦手", "鍵を忘れてきた"],
)
def test_the_named_look_alikes_are_left_alone(text: str) -> None:
    assert detect(text) == Detection()


def test_full_width_half_width_and_katakana_spellings_are_the_same_message() -> None:
    for text in (
        "ＡＴＭに行けと電話で言われた",
        "ｱﾀﾏｶﾞﾜﾚﾙﾖｳﾆｲﾀｲ",
        "ムネガイタイ",
        "む ね が い た い",
    ):
        assert detect(text), text
    assert normalise("ｷｬｯｼｭｶｰﾄﾞ　を！") == "きゃっしゅかーどを。"


def test_negated_symptoms_do_not_route_but_worsening_ones_do() -> None:
    assert not detect("胸は痛くないよ")
    assert detect("胸が急に痛くなってきた").routes == (Route.EMERGENCY,)


def test_most_urgent_route_comes_first_and_several_can_apply() -> None:
    found = detect("薬をたくさん飲んだ、もう死にたい")
    assert found.routes == (Route.EMERGENCY, Route.SELF_HARM)
    assert found.primary is Route.EMERGENCY


def test_consumer_fraud_is_marked_for_the_consumer_hotline() -> None:
    assert detect("未納料金があると裁判所からはがきが来た").consumer_fraud
    assert not detect("息子から電話で携帯の番号が変わったって").consumer_fraud


def test_moderation_adds_self_harm_but_never_removes_a_route() -> None:
    rules = detect("人と話したい")
    moderation = Moderation(flagged=True, self_harm=True, categories=("self_harm",)).detection()
    merged = rules.merged(moderation)
    assert merged.routes == (Route.SELF_HARM, Route.PERSON)
    assert Moderation(flagged=True, self_harm=False).detection() == Detection()


@pytest.mark.parametrize(
    "text",
    [
        "すぐに119に電話してな",
        "#7119 に相談してな",
        "よりそいホットライン 0120-279-338",
        "06-1234-5678 にかけて",
        "０５７０－７８３－５５６",
        "09012345678",
    ],
)
def test_phone_numbers_are_recognised_in_any_spelling(text: str) -> None:
    assert contains_phone_number(text)


@pytest.mark.parametrize(
    "text",
    ["2026年12月5日（土）", "午後2時30分から", "119円のパン", "10人くらい来たで", "今日は15000歩"],
)
def test_dates_prices_and_counts_are_not_phone_numbers(text: str) -> None:
    assert not contains_phone_number(text)
