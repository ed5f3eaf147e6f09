"""The local safety layers on messages a reviewer can read: routed, left alone, and the numbers."""

from __future__ import annotations

import pytest

from services.ai_chat.domain.safety import Moderation, contains_phone_number
from services.common.language.morphology import analyse
from services.common.safety import Detection, Route, Tier, detect
from services.common.safety.detector import rule_detection
from services.common.safety.matcher import matching
from services.common.safety.rules import RULES


def rules_only(text: str) -> Detection:
    return rule_detection(matching(RULES, analyse(text)))


@pytest.mark.parametrize(
    ("text", "route"),
    [
        ("胸が締め付けられて冷や汗が出てきた", Route.EMERGENCY),
        ("むねが いたい", Route.EMERGENCY),
        ("ムネガイタイ", Route.EMERGENCY),
        ("ｱﾀﾏｶﾞﾜﾚﾙﾖｳﾆｲﾀｲ", Route.EMERGENCY),
        ("こけて立たれへん", Route.EMERGENCY),
        ("顔の片方が下がってる", Route.EMERGENCY),
        ("ろれつがまわらへん", Route.EMERGENCY),
        ("餅がのどに詰まった", Route.EMERGENCY),
        ("主人が息をしていない", Route.EMERGENCY),
        ("明日の朝が来なければいいのに", Route.SELF_HARM),
        ("しにたい", Route.SELF_HARM),
        ("息子の上司を名乗る人から電話があってお金を用意してと言われた", Route.FRAUD),
        ("警察の人がキャッシュカードを取りに来るって", Route.FRAUD),
        ("人と話したい", Route.PERSON),
        ("ヘルプデスクの人に代わって", Route.PERSON),
    ],
)
def test_the_rules_name_what_a_person_would_listen_for(text: str, route: Route) -> None:
    assert route in rules_only(text).routes, text


@pytest.mark.parametrize(
    "text",
    [
        "胸がいっぱいです",
        "死ぬほど笑った",
        "ATMの場所を知りたい",
        "孫と話したい",
        "胸は痛くないよ",
        "死にたくない",
        "去年、胸が苦しくなって入院したけど今は元気です",
        "救命講習で人が倒れていたときの練習をしました",
        "家事が大変",
    ],
)
def test_look_alikes_do_not_make_a_rule_hold(text: str) -> None:
    assert not rules_only(text).any_routes, text


def test_kansai_cannot_and_negation_are_read_from_the_words() -> None:
    [sentence] = analyse("立たれへん").sentences
    assert sentence.tokens[0].lemma == "立つ"
    assert sentence.tokens[0].negated
    [sentence] = analyse("痛くはない").sentences
    assert sentence.tokens[0].negated
    [sentence] = analyse("返事がない").sentences
    assert sentence.tokens[0].negated


def test_several_routes_most_urgent_first() -> None:
    found = detect("薬をたくさん飲んだ、もう死にたい")
    assert found.routes[:2] == (Route.EMERGENCY, Route.SELF_HARM)
    assert found.primary is Route.EMERGENCY


def test_consumer_fraud_is_marked_for_the_consumer_hotline() -> None:
    assert detect("未納料金があると裁判所からはがきが来た").consumer_fraud


def test_an_uncertain_rule_puts_its_route_in_the_grey_band_only() -> None:
    uncertain = [rule for rule in RULES if rule.tier is Tier.UNCERTAIN]
    assert uncertain, "the grey band has rules of its own"
    found = rules_only("熱中症かもしれへん")
    assert Route.EMERGENCY in found.uncertain
    assert Route.EMERGENCY not in found.routes


def test_moderation_adds_self_harm_but_never_removes_a_route() -> None:
    local = Detection(routes=(Route.PERSON,))
    moderation = Moderation(flagged=True, self_harm=True, categories=("self_harm",)).detection()
    merged = local.merged(moderation)
    assert merged.routes == (Route.SELF_HARM, Route.PERSON)
    assert Moderation(flagged=True, self_harm=False).detection() == Detection()


def test_a_certain_route_leaves_the_grey_band() -> None:
    grey = Detection(uncertain=(Route.FRAUD, Route.PERSON))
    merged = grey.merged(Detection(routes=(Route.FRAUD,)))
    assert merged.routes == (Route.FRAUD,)
    assert merged.uncertain == (Route.PERSON,)


def test_empty_messages_need_nothing_and_the_end_of_the_longest_one_is_read() -> None:
    assert detect("") == Detection()
    assert detect("   ") == Detection()
    longest = "今日はええ天気やったわ。" * 410 + "胸が痛い"
    assert len(longest) <= 5_000
    assert Route.EMERGENCY in detect(longest).routes
    assert not detect("あ" * 20_000).any_routes


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
