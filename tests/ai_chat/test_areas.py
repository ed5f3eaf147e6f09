"""Which programme area a senior's words name: pure, no database."""

from __future__ import annotations

import pytest

from services.ai_chat.domain.areas import find_area, municipalities, same_area
from services.common.programme.views import AreaView

SAKAI = AreaView(code="271403", name="堺市")
HIGASHI_OSAKA = AreaView(code="272272", name="東大阪市")
KITA = AreaView(code="271276", name="大阪市北区")
TOYONO = AreaView(code="273210", name="豊能町")
AREAS = [SAKAI, HIGASHI_OSAKA, KITA, TOYONO]


@pytest.mark.parametrize(
    ("text", "area"),
    [
        ("堺市に住んでます", SAKAI),
        ("わたしは堺市堺区やで", SAKAI),
        ("東大阪市の説明会はいつ？", HIGASHI_OSAKA),
        ("北区です", KITA),
        ("大阪市北区に住んでる", KITA),
        ("うちは豊能町やねん", TOYONO),
        ("奈良市から堺市に越してきた", SAKAI),
    ],
)
def test_a_known_city_ward_or_town_is_found(text: str, area: AreaView) -> None:
    match = find_area(text, AREAS)
    assert match.area == area
    assert not match.unknown


def test_a_city_is_not_taken_for_one_whose_name_it_ends_with() -> None:
    osaka = AreaView(code="271004", name="大阪市")
    assert find_area("東大阪市です", [osaka]).unknown
    assert find_area("大阪市です", [osaka]).area == osaka


def test_a_place_we_hold_no_sessions_in_is_unknown() -> None:
    match = find_area("京都市に住んでます", AREAS)
    assert match.named
    assert match.unknown
    assert match.area is None


def test_no_place_named_is_neither_found_nor_unknown() -> None:
    for text in ("説明会はいつありますか", "市役所に行った", ""):
        match = find_area(text, AREAS)
        assert not match.named, text
        assert match.area is None, text


def test_a_name_without_its_suffix_is_taken_only_as_an_answer() -> None:
    assert not find_area("堺やで", AREAS).named
    assert find_area("堺やで", AREAS, loose=True).area == SAKAI


def test_names_match_with_or_without_the_suffix_or_the_city_before_a_ward() -> None:
    assert same_area("堺", "堺市")
    assert same_area("北区", "大阪市北区")
    assert same_area("堺市堺区", "堺市")
    assert not same_area("東大阪市", "大阪市")
    assert not same_area("北区", "北九州市")
    assert municipalities("大阪市北区と豊能町") == ["大阪市北区", "豊能町"]
    assert municipalities("大阪市と北区") == ["大阪市", "北区"]
