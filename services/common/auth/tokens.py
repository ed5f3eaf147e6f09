"""Signed, expiring staff session tokens: base64url(JSON claims) "." base64url(HMAC-SHA256).

Tokens are verified with the service's own secret, so a token from one service means nothing to
another. The session id (`sid`) lets a service revoke a session on logout.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, ValidationError

from services.common.time import utcnow


class InvalidToken(Exception):
    pass


class StaffClaims(BaseModel):
    model_config = ConfigDict(frozen=True)

    sub: str  # staff account id
    name: str  # display name of the staff member (shown to colleagues)
    roles: tuple[str, ...]
    sid: str
    exp: datetime

    def has_any(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(payload: str, secret: str) -> str:
    return _b64(hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest())


def issue_token(
    *, sub: str, name: str, roles: tuple[str, ...], secret: str, ttl: timedelta
) -> tuple[str, StaffClaims]:
    claims = StaffClaims(
        sub=sub, name=name, roles=roles, sid=secrets.token_urlsafe(16), exp=utcnow() + ttl
    )
    payload = _b64(claims.model_dump_json().encode())
    return f"{payload}.{_signature(payload, secret)}", claims


def verify_token(token: str, *, secret: str) -> StaffClaims:
    payload, _, signature = token.partition(".")
    if not payload or not signature:
        raise InvalidToken("malformed token")
    if not hmac.compare_digest(signature, _signature(payload, secret)):
        raise InvalidToken("bad signature")
    try:
        claims = StaffClaims.model_validate(json.loads(_unb64(payload)))
    except (ValueError, ValidationError) as exc:
        raise InvalidToken("malformed claims") from exc
    if claims.exp <= utcnow():
        raise InvalidToken("expired")
    return claims
