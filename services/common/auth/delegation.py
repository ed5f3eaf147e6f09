"""On-behalf-of tokens: one service asks another for a staff member, naming both.

The helpdesk reads a senior's contact card from tablet_lending, the owner of that data, as the
staff member who opened the ticket. Each request carries a JWT minted by the helpdesk for that
request alone: `sub` is the staff member (their helpdesk account), `act` is the helpdesk service
that acts for them (RFC 8693 §4.1), `azp` the same, the audience is tablet_lending, and `scope`
allows the contact card and nothing else. It lives a minute, so a token that leaks is worth one
look at one card, and it is signed with a key the two services share and nobody else holds (not
the staff session keys), so a staff session token is no delegation token and a delegation token
opens no staff session: tablet_lending's other endpoints refuse it.

Least privilege on both sides: the helpdesk mints one only for a staff member who holds a
helpdesk role, and tablet_lending checks the roles in the token again.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import jwt
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from services.common.time import utcnow

ALGORITHM = "HS256"
ISSUER = "sslp.helpdesk"
HELPDESK = "helpdesk"
LENDING = "tablet_lending"
CONTACT_CARD_SCOPE = "lending.contact_card:read"
# The helpdesk roles that work tickets: only they may see whom they help.
HELPDESK_ROLES = ("agent", "supervisor")
DEFAULT_TTL = timedelta(seconds=60)
REQUIRED_CLAIMS = ("exp", "iat", "iss", "aud", "sub", "jti")


class InvalidDelegation(Exception):
    """The token is refused; the message says why in English for the caller's logs."""


class NotAllowed(Exception):
    """The staff member may not be given a delegation token (no helpdesk role)."""


class Delegation(BaseModel):
    """Who asks (the staff member) through whom (the acting service), for what."""

    model_config = ConfigDict(frozen=True)

    staff_id: str = Field(min_length=1, max_length=64)
    staff_name: str = Field(max_length=80)
    roles: tuple[str, ...]
    actor: str  # the acting service, `act.sub`
    scope: str
    purpose: str = Field(max_length=80)  # e.g. "ticket:<id>", recorded in the audit entry
    token_id: str
    expires_at: datetime


def mint(
    *,
    staff_id: str,
    staff_name: str,
    roles: tuple[str, ...],
    purpose: str,
    secret: str,
    ttl: timedelta = DEFAULT_TTL,
) -> str:
    """A contact-card token for this staff member, made by the helpdesk for one request."""
    if not any(role in HELPDESK_ROLES for role in roles):
        raise NotAllowed("only staff with a helpdesk role may read a senior's contact card")
    now = utcnow().replace(microsecond=0)
    payload = {
        "iss": ISSUER,
        "aud": LENDING,
        "sub": staff_id,
        "name": staff_name,
        "roles": [role for role in roles if role in HELPDESK_ROLES],
        "act": {"sub": HELPDESK},
        "azp": HELPDESK,
        "scope": CONTACT_CARD_SCOPE,
        "purpose": purpose,
        "jti": secrets.token_urlsafe(12),
        "iat": now,
        "exp": now + ttl,
    }
    return jwt.encode(payload, secret, algorithm=ALGORITHM)


def verify(token: str, *, secret: str, scope: str = CONTACT_CARD_SCOPE) -> Delegation:
    """The delegation in `token`, or InvalidDelegation: signature, audience, issuer and expiry by
    PyJWT; the acting service, the scope and a helpdesk role here."""
    try:
        payload = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            audience=LENDING,
            issuer=ISSUER,
            options={"require": list(REQUIRED_CLAIMS)},
        )
    except jwt.ExpiredSignatureError as exc:
        raise InvalidDelegation("expired") from exc
    except jwt.InvalidTokenError as exc:
        raise InvalidDelegation(f"invalid token: {type(exc).__name__}") from exc
    act = payload.get("act")
    if not isinstance(act, dict) or act.get("sub") != HELPDESK or payload.get("azp") != HELPDESK:
        raise InvalidDelegation("the token does not name the helpdesk as the acting party")
    scopes = str(payload.get("scope", "")).split()
    if scope not in scopes:
        raise InvalidDelegation(f"the token does not grant {scope}")
    roles = payload.get("roles")
    if not isinstance(roles, list) or not any(role in HELPDESK_ROLES for role in roles):
        raise InvalidDelegation("the staff member holds no helpdesk role")
    try:
        return Delegation(
            staff_id=payload["sub"],
            staff_name=payload.get("name", ""),
            roles=tuple(str(role) for role in roles),
            actor=act["sub"],
            scope=scope,
            purpose=payload.get("purpose", ""),
            token_id=payload["jti"],
            expires_at=datetime.fromtimestamp(payload["exp"], UTC),
        )
    except (KeyError, TypeError, ValueError, ValidationError) as exc:
        raise InvalidDelegation("malformed claims") from exc
