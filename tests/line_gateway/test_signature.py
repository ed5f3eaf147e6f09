from __future__ import annotations

from services.line_gateway.domain.signature import is_valid_signature, sign

SECRET = "channel-secret"
BODY = b'{"destination":"U0","events":[]}'


def test_signature_of_body_is_accepted() -> None:
    assert is_valid_signature(BODY, sign(BODY, SECRET), SECRET)


def test_signature_for_other_body_or_secret_or_missing_is_refused() -> None:
    assert not is_valid_signature(BODY + b" ", sign(BODY, SECRET), SECRET)
    assert not is_valid_signature(BODY, sign(BODY, "other"), SECRET)
    assert not is_valid_signature(BODY, None, SECRET)
    assert not is_valid_signature(BODY, "", SECRET)
    assert not is_valid_signature(BODY, "not base64 at all", SECRET)


def test_known_vector() -> None:
    # HMAC-SHA256("channel-secret", body), base64; computed independently with openssl:
    # printf '%s' '{"destination":"U0","events":[]}' | openssl dgst -sha256 -hmac channel-secret -binary | base64
    assert sign(BODY, SECRET) == KNOWN


KNOWN = "W3dP9Bhbu4pAfrrGKmS3sZ+m7GXhMWYtP0X+0oJHG4w="
