"""The helpdesk's on-behalf-of tokens for tablet_lending's contact card (pure, no I/O)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import jwt
import pytest

from services.common.auth import InvalidToken, delegation, issue_token
from services.common.auth.tokens import decode
from services.common.time import utcnow

SECRET = "test-lending-contact-secret-0123456789abcdef"


def minted(**overrides: Any) -> str:
    arguments: dict[str, Any] = {
        "staff_id": "staff-1",
        "staff_name": "田中 (担当)",
        "roles": ("agent",),
        "purpose": "ticket:T-1",
        "secret": SECRET,
    }
    return delegation.mint(**(arguments | overrides))


def forged(**claims: Any) -> str:
    """A token signed with the right key whose claims are chosen by the test."""
    now = utcnow().replace(microsecond=0)
    payload: dict[str, Any] = {
        "iss": delegation.ISSUER,
        "aud": delegation.LENDING,
        "sub": "staff-1",
        "name": "田中",
        "roles": ["agent"],
        "act": {"sub": delegation.HELPDESK},
        "azp": delegation.HELPDESK,
        "scope": delegation.CONTACT_CARD_SCOPE,
        "jti": "j1",
        "iat": now,
        "exp": now + timedelta(seconds=60),
    }
    for name, value in claims.items():
        if value is None:
            payload.pop(name, None)
        else:
            payload[name] = value
    return jwt.encode(payload, SECRET, algorithm="HS256")


def test_a_minted_token_names_the_staff_member_and_the_helpdesk() -> None:
    granted = delegation.verify(minted(), secret=SECRET)
    assert granted.staff_id == "staff-1"
    assert granted.staff_name == "田中 (担当)"
    assert granted.actor == "helpdesk"
    assert granted.scope == delegation.CONTACT_CARD_SCOPE
    assert granted.purpose == "ticket:T-1"
    assert timedelta(seconds=55) < granted.expires_at - utcnow() <= timedelta(seconds=60)


def test_it_carries_the_helpdesk_roles_only() -> None:
    token = minted(roles=("admin", "supervisor", "agent"))
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["roles"] == ["supervisor", "agent"]
    assert claims["act"] == {"sub": "helpdesk"}
    assert claims["aud"] == "tablet_lending"


def test_a_staff_member_without_a_helpdesk_role_gets_no_token() -> None:
    with pytest.raises(delegation.NotAllowed):
        minted(roles=("admin",))
    with pytest.raises(delegation.NotAllowed):
        minted(roles=())


def test_the_wrong_audience_is_refused() -> None:
    with pytest.raises(delegation.InvalidDelegation, match="InvalidAudience"):
        delegation.verify(forged(aud="helpdesk"), secret=SECRET)


def test_an_expired_token_is_refused() -> None:
    with pytest.raises(delegation.InvalidDelegation, match="expired"):
        delegation.verify(minted(ttl=timedelta(seconds=-1)), secret=SECRET)


def test_a_token_without_the_acting_helpdesk_is_refused() -> None:
    for claims in ({"act": None}, {"act": {"sub": "ai_chat"}}, {"azp": None}, {"act": "x"}):
        with pytest.raises(delegation.InvalidDelegation, match="acting party"):
            delegation.verify(forged(**claims), secret=SECRET)


def test_a_token_without_a_helpdesk_role_is_refused() -> None:
    for roles in ([], ["admin"], None, "agent"):
        with pytest.raises(delegation.InvalidDelegation, match="helpdesk role"):
            delegation.verify(forged(roles=roles), secret=SECRET)


def test_a_token_for_another_scope_is_refused() -> None:
    with pytest.raises(delegation.InvalidDelegation, match="does not grant"):
        delegation.verify(forged(scope="lending.participants:read"), secret=SECRET)


def test_another_key_is_refused() -> None:
    with pytest.raises(delegation.InvalidDelegation, match="InvalidSignature"):
        delegation.verify(minted(secret="another-key-0123456789abcdefghijklmn"), secret=SECRET)


def test_a_staff_session_token_is_no_delegation_even_with_the_same_key() -> None:
    # A lending staff session (issuer sslp.staff) cannot be passed off as the helpdesk's token.
    session, _ = issue_token(
        sub="staff-1",
        name="x",
        roles=("agent",),
        secret=SECRET,
        ttl=timedelta(minutes=5),
        audience="tablet_lending",
    )
    with pytest.raises(delegation.InvalidDelegation):
        delegation.verify(session, secret=SECRET)


def test_missing_required_claims_are_refused() -> None:
    for claim in ("sub", "jti", "exp", "iat"):
        with pytest.raises(delegation.InvalidDelegation):
            delegation.verify(forged(**{claim: None}), secret=SECRET)


def test_each_read_has_its_own_audience_and_scope() -> None:
    """A token for Dai-chan's 呼び名 opens nothing in tablet_lending, and a queue-names token
    opens no contact card: each endpoint checks its own audience and scope."""
    name_token = minted(audience=delegation.AI_CHAT, scope=delegation.PREFERRED_NAME_SCOPE)
    granted = delegation.verify(
        name_token,
        secret=SECRET,
        audience=delegation.AI_CHAT,
        scope=delegation.PREFERRED_NAME_SCOPE,
    )
    assert (granted.staff_id, granted.scope) == ("staff-1", delegation.PREFERRED_NAME_SCOPE)
    with pytest.raises(delegation.InvalidDelegation, match="InvalidAudience"):
        delegation.verify(name_token, secret=SECRET)
    names_token = minted(scope=delegation.NAMES_SCOPE)
    assert delegation.verify(names_token, secret=SECRET, scope=delegation.NAMES_SCOPE)
    with pytest.raises(delegation.InvalidDelegation, match="does not grant"):
        delegation.verify(names_token, secret=SECRET)


def test_sessions_and_delegations_share_one_decode() -> None:
    """The PyJWT checks and their error mapping live once, in tokens.decode."""
    with pytest.raises(InvalidToken, match="expired"):
        decode(
            minted(ttl=timedelta(seconds=-1)),
            secret=SECRET,
            audience=delegation.LENDING,
            issuer=delegation.ISSUER,
        )
    claims = decode(minted(), secret=SECRET, audience=delegation.LENDING, issuer=delegation.ISSUER)
    assert claims["act"] == {"sub": "helpdesk"}
    with pytest.raises(InvalidToken, match="MissingRequiredClaim"):
        decode(
            forged(jti=None),
            secret=SECRET,
            audience=delegation.LENDING,
            issuer=delegation.ISSUER,
        )
