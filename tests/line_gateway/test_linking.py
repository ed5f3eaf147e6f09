"""Recognising and checking account-link codes."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

from services.common.time import utcnow
from services.line_gateway.domain.linking import LinkOutcome, code_hash, code_in, verify
from services.line_gateway.store.link_codes import LinkCode


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("12345678", "12345678"),
        ("１２３４５６７８", "12345678"),
        ("連携 12345678", "12345678"),
        ("連携　１２３４　５６７８", "12345678"),
        ("コード:1234-5678", "12345678"),
        ("番号は12345678です。", "12345678"),
        (" 12345678 ", "12345678"),
    ],
)
def test_codes_are_recognised_however_they_are_typed(text: str, code: str) -> None:
    assert code_in(text) == code


@pytest.mark.parametrize(
    "text",
    ["1234567", "123456789", "09012345678", "今日は 12345678 歩いたよ", "こんにちは", "", None],
)
def test_other_messages_are_not_codes(text: str | None) -> None:
    assert code_in(text) is None


def code(participant: str, digits: str, **fields: object) -> LinkCode:
    now = utcnow()
    values: dict[str, object] = {
        "code_sha256": code_hash(salt="salt-" + participant, code=digits),
        "salt": "salt-" + participant,
        "participant_id": participant,
        "expires_at": now + timedelta(days=1),
        "issued_at": now,
    }
    values.update(fields)
    return LinkCode.model_validate(values)


def test_the_agreed_hash_is_sha256_of_salt_then_code() -> None:
    assert code_hash(salt="abc", code="12345678") == hashlib.sha256(b"abc12345678").hexdigest()


def test_verdicts() -> None:
    now = utcnow()
    fresh = code("P1", "11111111")
    used = code("P2", "22222222", used_at=now)
    old = code("P3", "33333333", expires_at=now - timedelta(seconds=1))
    replaced = code("P4", "44444444", superseded_at=now)
    codes = [fresh, used, old, replaced]

    def outcome(digits: str, linked: str | None = None) -> LinkOutcome:
        return verify(code=digits, candidates=codes, now=now, linked_participant=linked).outcome

    assert outcome("11111111") is LinkOutcome.LINKED
    assert outcome("22222222") is LinkOutcome.USED
    assert outcome("22222222", linked="P2") is LinkOutcome.ALREADY_LINKED
    assert outcome("33333333") is LinkOutcome.EXPIRED
    assert outcome("44444444") is LinkOutcome.SUPERSEDED
    assert outcome("55555555") is LinkOutcome.WRONG_CODE
    assert verify(code="11111111", candidates=codes, now=now, linked_participant=None).code == fresh


def test_only_refusals_count_towards_the_brute_force_limit() -> None:
    assert {o for o in LinkOutcome if o.failed} == {
        LinkOutcome.WRONG_CODE,
        LinkOutcome.EXPIRED,
        LinkOutcome.USED,
        LinkOutcome.SUPERSEDED,
    }
