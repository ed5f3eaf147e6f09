"""Applicants and participants, and the personal data they hand the programme.

Personal data (names, kana, birthdate, address, postal code, phone) lives in one sub-document,
`personal`, so least privilege and retention have one thing to guard: erasing a participant
removes `personal` and the keys derived from it, and keeps what statistics need (cohort, area,
status, age band, dates).
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from services.tablet_lending.domain.dates import age_on, normalise


class ParticipantStatus(StrEnum):
    APPLIED = "applied"  # eligible, waiting for the cohort's draw
    WAITLISTED = "waitlisted"
    ENROLLED = "enrolled"
    WITHDRAWN = "withdrawn"


class ApplicationSource(StrEnum):
    STAFF = "staff"  # entered by staff from paper or the phone
    CSV = "csv"  # imported from a municipality's file
    DEMO = "demo"  # the fictional demo cohort


class BadField(ValueError):
    """A field that cannot be accepted, said in English (APIs) and Japanese (staff, CSV)."""

    def __init__(self, message: str, message_ja: str) -> None:
        super().__init__(message)
        self.message_ja = message_ja


_SPACES = re.compile(r"\s+")
_KATAKANA = re.compile(r"^[ァ-ヺー・ヽヾ]+( [ァ-ヺー・ヽヾ]+)*$")
_POSTAL = re.compile(r"^(\d{3})-?(\d{4})$")
_PHONE = re.compile(r"^[0-9-]+$")


def clean_name(value: str) -> str:
    name = _SPACES.sub(" ", normalise(value))
    if not name:
        raise BadField("A name is empty.", "氏名が空です。")
    if len(name) > 40:
        raise BadField("A name is longer than 40 characters.", "氏名が長すぎます（40文字まで）。")
    return name


def clean_kana(value: str) -> str:
    """Katakana, as municipal systems keep it; hiragana and half-width kana are converted."""
    text = _SPACES.sub(" ", normalise(value))
    katakana = "".join(chr(ord(ch) + 0x60) if "ぁ" <= ch <= "ゖ" else ch for ch in text)
    if not katakana or not _KATAKANA.match(katakana) or len(katakana) > 40:
        raise BadField(
            "Kana must be katakana or hiragana (at most 40).",
            "フリガナはカタカナ（またはひらがな）で入力してください。",
        )
    return katakana


def clean_postal_code(value: str) -> str:
    match = _POSTAL.match(normalise(value).replace("〒", "").replace("ー", "-"))
    if not match:
        raise BadField(
            "A postal code has seven digits, e.g. 544-0001.",
            "郵便番号は7けたの数字で入力してください（例: 544-0001）。",
        )
    return f"{match[1]}-{match[2]}"


def clean_phone(value: str) -> str:
    phone = normalise(value).replace("ー", "-").replace("−", "-").replace(" ", "")
    digits = phone.replace("-", "")
    if not _PHONE.match(phone) or not digits.startswith("0") or not 10 <= len(digits) <= 11:
        raise BadField(
            "A phone number has 10 or 11 digits and starts with 0.",
            "電話番号は0から始まる10〜11けたの数字で入力してください。",
        )
    return phone


def clean_address(value: str) -> str:
    address = _SPACES.sub(" ", normalise(value))
    if not address:
        raise BadField("The address is empty.", "住所が空です。")
    if len(address) > 200:
        raise BadField("The address is longer than 200 characters.", "住所が長すぎます。")
    return address


class Personal(BaseModel):
    """What the programme knows about a person. Never logged, never in events."""

    model_config = ConfigDict(frozen=True)

    family_name: str
    given_name: str
    family_name_kana: str
    given_name_kana: str
    birthdate: date
    address: str
    postal_code: str | None = None
    phone: str | None = None

    @field_validator("family_name", "given_name")
    @classmethod
    def _name(cls, value: str) -> str:
        return clean_name(value)

    @field_validator("family_name_kana", "given_name_kana")
    @classmethod
    def _kana(cls, value: str) -> str:
        return clean_kana(value)

    @field_validator("address")
    @classmethod
    def _address(cls, value: str) -> str:
        return clean_address(value)

    @field_validator("postal_code")
    @classmethod
    def _postal(cls, value: str | None) -> str | None:
        return clean_postal_code(value) if value else None

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return clean_phone(value) if value else None

    def person_key(self, cohort_id: str) -> str:
        """A pseudonymous key that finds the same person applying twice to one cohort."""
        kana = (self.family_name_kana + self.given_name_kana).replace(" ", "")
        raw = f"{cohort_id}|{kana}|{self.birthdate.isoformat()}"
        return hashlib.sha256(raw.encode()).hexdigest()


class Consent(BaseModel):
    model_config = ConfigDict(frozen=True)

    terms_version: str
    consented_at: AwareDatetime
    recorded_by: str


AREA_CODE = r"^\d{5,6}$"
APPLICATION_NUMBER = r"^[A-Za-z0-9][A-Za-z0-9_./-]{0,39}$"


def five_digit_code(code: str | None) -> str | None:
    """JIS local government codes come with or without their check digit (27116 / 271161)."""
    return code[:5] if code else None


class ApplicationIn(BaseModel):
    """An application as staff type it in or a municipal file row supplies it."""

    model_config = ConfigDict(frozen=True)

    personal: Personal
    area_code: str | None = Field(default=None, pattern=AREA_CODE)
    application_number: str | None = Field(default=None, pattern=APPLICATION_NUMBER)
    municipality_code: str | None = Field(default=None, pattern=AREA_CODE)
    terms_version: str = Field(min_length=1, max_length=40)
    consented_at: AwareDatetime | None = None

    def natural_key(self, cohort_id: str) -> str | None:
        """Cohort + municipality + application number: an application is accepted once.

        The cohort is part of it because municipalities may number each phase's forms afresh.
        """
        if self.application_number is None:
            return None
        municipality = five_digit_code(self.municipality_code) or "staff"
        return f"{cohort_id}:{municipality}:{self.application_number}"


def age_band(birthdate: date, on: date) -> str:
    """Kept after erasure for statistics: 50-59, 60-69, 70-79, 80+."""
    age = age_on(birthdate, on)
    return "80+" if age >= 80 else f"{age // 10 * 10}-{age // 10 * 10 + 9}"


class Participant(BaseModel):
    model_config = ConfigDict(frozen=True)

    participant_id: str
    cohort_id: str
    area_code: str
    area_name: str
    status: ParticipantStatus
    waitlist_position: int | None = None
    source: ApplicationSource
    municipality_code: str | None = None
    application_number: str | None = None
    age_band: str
    consent: Consent
    applied_at: AwareDatetime
    enrolled_at: AwareDatetime | None = None
    withdrawn_at: AwareDatetime | None = None
    withdrawal_reason: str | None = None
    erased_at: AwareDatetime | None = None
    personal: Personal | None = None

    @property
    def erased(self) -> bool:
        return self.erased_at is not None
