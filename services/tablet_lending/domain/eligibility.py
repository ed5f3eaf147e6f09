"""Who may borrow: age on the cohort's start date, an address in its areas, agreed terms.

Capacity is the one rule that depends on everyone else's application; it lives with enrolment
(a full cohort puts an eligible applicant on the waiting list, it never refuses them).
Each refusal carries a reason code, an English message and a Japanese one; none repeats the
applicant's personal data, so a refusal can go into a report sent back to a municipality.
"""

from __future__ import annotations

from datetime import date

from services.common.events.contracts.lending import Area
from services.common.wording import japanese_date
from services.tablet_lending.domain.cohorts import Cohort
from services.tablet_lending.domain.dates import age_on, normalise
from services.tablet_lending.domain.errors import Refused
from services.tablet_lending.domain.participants import ApplicationIn, five_digit_code

MAX_AGE = 120
PREFECTURE = "大阪府"
# Designated cities send files for all their wards at once: city code -> its ward codes.
DESIGNATED_CITY_WARDS = {
    "27100": frozenset(str(code) for code in range(27102, 27129)),  # 大阪市
    "27140": frozenset(str(code) for code in range(27141, 27148)),  # 堺市
}


def check_eligibility(*, cohort: Cohort, application: ApplicationIn, today: date) -> Area:
    """The applicant's area if they may borrow in this cohort; otherwise `Refused`."""
    if today > cohort.lending_ends_on:
        raise Refused(
            "cohort_closed",
            f"The cohort's lending window ended on {cohort.lending_ends_on}; "
            "it takes no more applications.",
            f"{cohort.name}の貸出期間は{japanese_date(cohort.lending_ends_on)}に終了したため、"
            "申込を受け付けられません。",
        )
    if application.terms_version != cohort.terms_version:
        raise Refused(
            "terms_version",
            f"Consent was given to terms version {application.terms_version!r}; "
            f"this cohort's terms are version {cohort.terms_version!r}.",
            f"同意された利用規約の版（{application.terms_version}）が、"
            f"{cohort.name}の規約（{cohort.terms_version}）と異なります。",
        )
    check_age(cohort=cohort, birthdate=application.personal.birthdate)
    area = area_for_address(
        cohort=cohort,
        address=application.personal.address,
        area_code=five_digit_code(application.area_code),
    )
    municipality = five_digit_code(application.municipality_code)
    if municipality and not belongs_to(area.code, municipality):
        raise Refused(
            "wrong_municipality",
            f"The address is in {area.name} ({area.code}), "
            f"not in the municipality {municipality} that sent it.",
            f"住所が{area.name}（{area.code}）で、申込元の市区町村（{municipality}）の"
            "申込ではありません。",
        )
    return area


def check_age(*, cohort: Cohort, birthdate: date) -> None:
    starts = cohort.lending_starts_on
    age = age_on(birthdate, starts)
    if birthdate >= starts or age > MAX_AGE:
        raise Refused(
            "implausible_birthdate",
            "The birthdate is not plausible for an applicant.",
            "生年月日が正しくないようです。ご確認ください。",
        )
    if age < cohort.minimum_age:
        raise Refused(
            "too_young",
            f"Age on the cohort start date ({starts}) is {age}; the minimum is "
            f"{cohort.minimum_age}.",
            f"{cohort.name}の開始日（{japanese_date(starts)}）時点で{age}歳のため、"
            f"対象（{cohort.minimum_age}歳以上）になりません。",
        )


def _compact(text: str) -> str:
    return normalise(text).replace(" ", "").replace("　", "")


def _without_prefecture(address: str) -> str:
    return address.removeprefix(PREFECTURE)


def _ward_part(area_name: str) -> str | None:
    """ "大阪市生野区" -> "生野区": how a ward is sometimes written without its city."""
    city, sep, ward = area_name.partition("市")
    return ward if sep and city and ward.endswith("区") else None


def area_for_address(*, cohort: Cohort, address: str, area_code: str | None) -> Area:
    """The cohort area the address lies in, agreeing with `area_code` when one is given.

    Addresses must start with the municipality (大阪市生野区…, optionally after 大阪府). A ward
    without its city (生野区…) is accepted only with a matching area code, because ward names
    repeat across cities (大阪市北区, 堺市北区).
    """
    text = _without_prefecture(_compact(address))
    matched = sorted(
        (area for area in cohort.areas if text.startswith(_compact(area.name))),
        key=lambda area: len(area.name),
        reverse=True,
    )
    if area_code is None:
        if matched:
            return matched[0]
        raise _outside(cohort)
    claimed = cohort.area(area_code)
    if claimed is None:
        if matched:
            raise _mismatch(area_code, None)
        raise _outside(cohort)
    if claimed in matched:
        return claimed
    ward = _ward_part(claimed.name)
    if not matched and ward and text.startswith(ward):
        return claimed
    raise _mismatch(area_code, claimed.name)


def belongs_to(area_code: str, municipality_code: str) -> bool:
    return area_code == municipality_code or area_code in DESIGNATED_CITY_WARDS.get(
        municipality_code, frozenset()
    )


def _outside(cohort: Cohort) -> Refused:
    names = cohort.area_names_ja()
    return Refused(
        "outside_area",
        f"The address is not in the cohort's areas ({names}).",
        f"住所が{cohort.name}の対象地域（{names}）にありません。",
    )


def _mismatch(area_code: str, area_name: str | None) -> Refused:
    named = area_name or "対象地域外"
    return Refused(
        "area_mismatch",
        f"The address does not agree with area code {area_code} ({area_name or 'not a cohort area'}).",
        f"住所が市区町村コード {area_code}（{named}）と一致しません。"
        "住所は市区町村名から記入してください。",
    )
