"""Signed, expiring staff session tokens: JSON Web Tokens (RFC 7519) through PyJWT, HS256.

The format, the signature, the algorithm, the expiry (`exp`), the issue time (`iat`), the issuer
and the audience are checked by the library; the audience is the service, and tokens are signed
with the service's own secret, so a token from one service means nothing to another. The session
id is the token's `jti`, recorded server-side, so a service can end a session on logout.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from pydantic import BaseModel, ConfigDict, ValidationError

from services.common.time import utcnow

ALGORITHM = "HS256"
ISSUER = "sslp.staff"
REQUIRED_CLAIMS = ("exp", "iat", "iss", "aud", "sub", "jti")


class InvalidToken(Exception):
    pass


class StaffClaims(BaseModel):
    model_config = ConfigDict(frozen=True)

    sub: str  # staff account id
    name: str  # display name of the staff member (shown to colleagues)
    roles: tuple[str, ...]
    sid: str  # the session id, the token's `jti`
    exp: datetime

    def has_any(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)


def issue_token(
    *,
    sub: str,
    name: str,
    roles: tuple[str, ...],
    secret: str,
    ttl: timedelta,
    audience: str,
) -> tuple[str, StaffClaims]:
    # JWT times are whole seconds; the claims returned are the ones the token carries.
    now = utcnow().replace(microsecond=0)
    claims = StaffClaims(
        sub=sub, name=name, roles=roles, sid=secrets.token_urlsafe(16), exp=now + ttl
    )
    payload = {
        "iss": ISSUER,
        "aud": audience,
        "sub": sub,
        "jti": claims.sid,
        "iat": now,
        "exp": claims.exp,
        "name": name,
        "roles": list(roles),
    }
    return jwt.encode(payload, secret, algorithm=ALGORITHM), claims


def decode(
    token: str,
    *,
    secret: str,
    audience: str,
    issuer: str,
    required: tuple[str, ...] = REQUIRED_CLAIMS,
) -> dict[str, Any]:
    """The claims of an HS256 token whose signature, expiry, issuer and audience PyJWT checked
    and whose `required` claims are present; InvalidToken (why, in English) otherwise. Staff
    sessions and the on-behalf-of tokens (services.common.auth.delegation) both decode here."""
    try:
        payload: dict[str, Any] = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            audience=audience,
            issuer=issuer,
            options={"require": list(required)},
        )
    except jwt.ExpiredSignatureError as exc:
        raise InvalidToken("expired") from exc
    except jwt.InvalidTokenError as exc:
        raise InvalidToken(f"invalid token: {type(exc).__name__}") from exc
    return payload


def verify_token(token: str, *, secret: str, audience: str) -> StaffClaims:
    payload = decode(token, secret=secret, audience=audience, issuer=ISSUER)
    try:
        return StaffClaims(
            sub=payload["sub"],
            name=payload["name"],
            roles=tuple(payload["roles"]),
            sid=payload["jti"],
            exp=datetime.fromtimestamp(payload["exp"], UTC),
        )
    except (KeyError, TypeError, ValueError, ValidationError) as exc:
        raise InvalidToken("malformed claims") from exc
