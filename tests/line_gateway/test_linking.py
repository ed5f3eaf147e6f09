"""Recognising and checking account-link codes."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

from services.common.link_codes import link_code_digest
from services.common.time import utcnow
from services.line_gateway.domain.linking import LinkCode, LinkOutcome, code_in, verify

SECRET = "test-link-code-secret-for-unit-tests"


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
        "code_digest": link_code_digest(secret=SECRET, code=digits),
        "participant_id": participant,
        "expires_at": now + timedelta(days=1),
        "issued_at": now,
    }
    values.update(fields)
    return LinkCode.model_validate(values)


def test_the_digest_is_keyed_and_deterministic() -> None:
    digest = link_code_digest(secret=SECRET, code="12345678")
    assert digest == link_code_digest(secret=SECRET, code="12345678")  # found by lookup
    assert digest != link_code_digest(secret="another-secret-of-another-platform", code="12345678")
    # Without the key, trying every 8-digit code against unkeyed hashes finds nothing.
    assert digest not in {
        hashlib.sha256(f"{n:08d}".encode()).hexdigest() for n in range(12345670, 12345680)
    }


def test_verdicts() -> None:
    now = utcnow()
    fresh = code("P1", "11111111")
    used = code("P2", "22222222", used_at=now)
    old = code("P3", "33333333", expires_at=now - timedelta(seconds=1))
    replaced = code("P4", "44444444", superseded_at=now)
    codes = {c.code_digest: c for c in (fresh, used, old, replaced)}

    def outcome(digits: str, linked: str | None = None) -> LinkOutcome:
        match = codes.get(link_code_digest(secret=SECRET, code=digits))
        return verify(match=match, now=now, linked_participant=linked).outcome

    assert outcome("11111111") is LinkOutcome.LINKED
    assert outcome("22222222") is LinkOutcome.USED
    assert outcome("22222222", linked="P2") is LinkOutcome.ALREADY_LINKED
    assert outcome("33333333") is LinkOutcome.EXPIRED
    assert outcome("44444444") is LinkOutcome.SUPERSEDED
    assert outcome("55555555") is LinkOutcome.WRONG_CODE
    assert verify(match=fresh, now=now, linked_participant=None).code == fresh


def test_only_refusals_count_towards_the_brute_force_limit() -> None:
    assert {o for o in LinkOutcome if o.failed} == {
        LinkOutcome.WRONG_CODE,
        LinkOutcome.EXPIRED,
        LinkOutcome.USED,
        LinkOutcome.SUPERSEDED,
    }
