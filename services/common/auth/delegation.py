"""On-behalf-of tokens: one service asks another for a staff member, naming both.

The helpdesk reads whom a ticket is about from the owners of that data, as the staff member who
asks: the contact card and the registered names on a queue page from tablet_lending, the name the
senior likes to be called from ai_chat (Dai-chan's memory). Each request carries a JWT minted by
the helpdesk for that request alone: `sub` is the staff member (their helpdesk account), `act` is
the helpdesk service that acts for them (RFC 8693 §4.1), `azp` the same, the audience is the
service asked, and `scope` allows one read and nothing else. It lives a minute, so a token that
leaks is worth one look, and it is signed with a key the helpdesk shares with that one service
(LENDING_CONTACT_SECRET with tablet_lending, PREFERRED_NAME_SECRET with ai_chat; not the staff
session keys), so a staff session token is no delegation token, a delegation token opens no staff
session, and a token for one service or scope is refused by every other.

Least privilege on both sides: the helpdesk mints one only for a staff member who holds a
helpdesk role, and the service asked checks the roles in the token again.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import jwt
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from services.common.auth.tokens import ALGORITHM, REQUIRED_CLAIMS, InvalidToken, decode
from services.common.time import utcnow

ISSUER = "sslp.helpdesk"
HELPDESK = "helpdesk"
LENDING = "tablet_lending"
AI_CHAT = "ai_chat"
# One scope per read the helpdesk makes; each endpoint checks its own.
CONTACT_CARD_SCOPE = "lending.contact_card:read"
NAMES_SCOPE = "lending.names:read"  # the registered names of the participants on a queue page
PREFERRED_NAME_SCOPE = "ai_chat.preferred_name:read"  # 呼び名 from Dai-chan's memory, only that
# The helpdesk roles that work tickets: only they may see whom they help.
HELPDESK_ROLES = ("agent", "supervisor")
DEFAULT_TTL = timedelta(seconds=60)


class InvalidDelegation(Exception):
    """The token is refused; the message says why in English for the caller's logs."""


class MissingDelegation(InvalidDelegation):
    """No bearer token at all."""


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
    audience: str = LENDING,
    scope: str = CONTACT_CARD_SCOPE,
    ttl: timedelta = DEFAULT_TTL,
) -> str:
    """A token for this staff member to read `scope` from `audience`, made by the helpdesk for
    one request."""
    if not any(role in HELPDESK_ROLES for role in roles):
        raise NotAllowed("only staff with a helpdesk role may read whom a ticket is about")
    now = utcnow().replace(microsecond=0)
    payload = {
        "iss": ISSUER,
        "aud": audience,
        "sub": staff_id,
        "name": staff_name,
        "roles": [role for role in roles if role in HELPDESK_ROLES],
        "act": {"sub": HELPDESK},
        "azp": HELPDESK,
        "scope": scope,
        "purpose": purpose,
        "jti": secrets.token_urlsafe(12),
        "iat": now,
        "exp": now + ttl,
    }
    return jwt.encode(payload, secret, algorithm=ALGORITHM)


def verify(
    token: str, *, secret: str, audience: str = LENDING, scope: str = CONTACT_CARD_SCOPE
) -> Delegation:
    """The delegation in `token`, or InvalidDelegation: signature, audience, issuer and expiry by
    PyJWT (services.common.auth.tokens.decode); the acting service, the scope and a helpdesk role
    here."""
    try:
        payload = decode(
            token, secret=secret, audience=audience, issuer=ISSUER, required=REQUIRED_CLAIMS
        )
    except InvalidToken as exc:
        raise InvalidDelegation(str(exc)) from exc
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


def from_authorization(
    header: str, *, secret: str, audience: str = LENDING, scope: str = CONTACT_CARD_SCOPE
) -> Delegation:
    """`verify` for an `Authorization: Bearer <token>` header; MissingDelegation without one."""
    if not header.lower().startswith("bearer "):
        raise MissingDelegation("a helpdesk on-behalf-of token is required")
    return verify(header[7:].strip(), secret=secret, audience=audience, scope=scope)
