"""Eligibility rules without a database: age, areas, municipality, terms, window."""

from __future__ import annotations

from datetime import date

import pytest

from services.common.events.contracts.lending import Area
from services.tablet_lending.domain.cohorts import Cohort
from services.tablet_lending.domain.eligibility import check_eligibility
from services.tablet_lending.domain.errors import Refused
from services.tablet_lending.domain.participants import ApplicationIn, Personal

PHASE2 = Cohort(
    cohort_id="phase-2",
    name="第2期",
    areas=[
        Area(code="27116", name="大阪市生野区"),
        Area(code="27121", name="大阪市東住吉区"),
        Area(code="27120", name="大阪市住吉区"),
    ],
    lending_starts_on=date(2022, 12, 5),
    lending_ends_on=date(2023, 5, 31),
    capacity=840,
)
DURING = date(2022, 11, 1)


def application(**changes: object) -> ApplicationIn:
    personal = {
        "family_name": "山田",
        "given_name": "花子",
        "family_name_kana": "やまだ",
        "given_name_kana": "ﾊﾅｺ",
        "birthdate": date(1950, 1, 1),
        "address": "大阪府大阪市生野区桃谷1-1-1",
    }
    fields: dict[str, object] = {"terms_version": "v1"}
    for key, value in changes.items():
        (personal if key in personal else fields)[key] = value
    return ApplicationIn.model_validate({"personal": personal, **fields})


def refusal(**changes: object) -> Refused:
    with pytest.raises(Refused) as caught:
        check_eligibility(cohort=PHASE2, application=application(**changes), today=DURING)
    return caught.value


def test_kana_is_normalised_to_full_width_katakana() -> None:
    personal = application().personal
    assert (personal.family_name_kana, personal.given_name_kana) == ("ヤマダ", "ハナコ")
    assert isinstance(personal, Personal)


def test_fifty_on_the_start_date_is_eligible_and_one_day_younger_is_not() -> None:
    area = check_eligibility(
        cohort=PHASE2, application=application(birthdate=date(1972, 12, 5)), today=DURING
    )
    assert area.code == "27116"
    refused = refusal(birthdate=date(1972, 12, 6))
    assert refused.reason == "too_young"
    assert "2022年12月5日" in refused.message_ja
    assert "49歳" in refused.message_ja


def test_addresses_must_be_in_the_cohorts_areas() -> None:
    assert refusal(address="大阪市阿倍野区昭和町1-1").reason == "outside_area"
    assert refusal(address="大阪市生野区桃谷1-1", area_code="27121").reason == "area_mismatch"
    # A ward without its city only with the matching code (大阪市北区 and 堺市北区 both exist).
    assert refusal(address="生野区桃谷1-1").reason == "outside_area"
    area = check_eligibility(
        cohort=PHASE2,
        application=application(address="生野区桃谷1-1", area_code="271161"),
        today=DURING,
    )
    assert area.code == "27116"


def test_a_municipal_file_holds_only_that_municipalitys_residents() -> None:
    assert (
        refusal(address="大阪市住吉区長居1-1", municipality_code="27116").reason
        == "wrong_municipality"
    )
    # Osaka City (27100) sends for all its wards.
    check_eligibility(
        cohort=PHASE2,
        application=application(address="大阪市住吉区長居1-1", municipality_code="27100"),
        today=DURING,
    )


def test_terms_version_and_the_lending_window() -> None:
    assert refusal(terms_version="v0").reason == "terms_version"
    with pytest.raises(Refused) as caught:
        check_eligibility(cohort=PHASE2, application=application(), today=date(2023, 6, 1))
    assert caught.value.reason == "cohort_closed"
    assert refusal(birthdate=date(2023, 1, 1)).reason == "implausible_birthdate"
