"""Staff sessions over HTTP: a session cookie for pages, a bearer token for APIs, roles, CSRF.

Cookie sessions are HttpOnly, SameSite=Strict and Secure outside development, and every unsafe
request made with a cookie must echo the CSRF cookie in an `X-CSRF-Token` header (double submit):
another site can make the browser send the cookie but cannot read it to copy it. The CSRF token is
an HMAC of the session id under the service's secret, so it is valid for its own session only: a
token planted from another session (a cookie tossed by a sibling subdomain, or an attacker's own
token) is refused, and nothing needs storing to check it. Bearer tokens
are not sent automatically by browsers, so they need no CSRF token. Sessions are recorded
server-side so logging out ends them at once.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable
from datetime import timedelta

from fastapi import HTTPException, Request, Response

from services.common.auth import delegation
from services.common.auth.accounts import StaffAccount
from services.common.auth.tokens import InvalidToken, StaffClaims, issue_token, verify_token
from services.common.metrics import REJECTED_INPUT
from services.common.store import CollectionIndexes, MongoStore
from services.common.store.staff import StaffSessions

SESSION_COOKIE = "sslp_session"
CSRF_COOKIE = "sslp_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# What a service answers for a refused on-behalf-of token: (reason, English message) -> exception.
Refusal = Callable[[str, str], Exception]


def client_address(request: Request) -> str:
    """The peer address of this request, for per-address limits (a proxy in front must pass the
    real address with uvicorn's --proxy-headers, or every client shares the proxy's limit)."""
    return request.client.host if request.client else "unknown"


class StaffAuth:
    def __init__(
        self,
        store: MongoStore,
        *,
        service: str,
        secret: str,
        secure_cookies: bool,
        session_ttl: timedelta = timedelta(hours=9),
        cookie_prefix: str = "sslp",
    ) -> None:
        self._sessions = StaffSessions(store)
        # The tokens' audience: a token of one service is refused by another.
        self._audience = service
        self._secret = secret
        self._secure = secure_cookies
        self._ttl = session_ttl
        self.session_cookie = f"{cookie_prefix}_session"
        self.csrf_cookie = f"{cookie_prefix}_csrf"

    @staticmethod
    def indexes() -> CollectionIndexes:
        return StaffSessions.indexes()

    async def start_session(self, account: StaffAccount) -> tuple[str, StaffClaims]:
        token, claims = issue_token(
            sub=account.id,
            name=account.display_name,
            roles=account.roles,
            secret=self._secret,
            ttl=self._ttl,
            audience=self._audience,
        )
        await self._sessions.start(
            session_id=claims.sid, staff_id=account.id, expires_at=claims.exp
        )
        return token, claims

    def csrf_token(self, claims: StaffClaims) -> str:
        """The CSRF token of this session (and of no other)."""
        message = f"csrf:{claims.sid}".encode()
        return hmac.new(self._secret.encode(), message, hashlib.sha256).hexdigest()

    def set_cookies(self, response: Response, token: str, claims: StaffClaims) -> str:
        """Put the session in an HttpOnly cookie and return the CSRF token the page must echo."""
        csrf = self.csrf_token(claims)
        max_age = int(self._ttl.total_seconds())
        response.set_cookie(
            self.session_cookie,
            token,
            max_age=max_age,
            httponly=True,
            secure=self._secure,
            samesite="strict",
        )
        response.set_cookie(
            self.csrf_cookie,
            csrf,
            max_age=max_age,
            httponly=False,
            secure=self._secure,
            samesite="strict",
        )
        return csrf

    async def end_session(self, claims: StaffClaims, response: Response | None = None) -> None:
        await self._sessions.end(claims.sid)
        if response is not None:
            response.delete_cookie(self.session_cookie)
            response.delete_cookie(self.csrf_cookie)

    async def authenticate(self, request: Request) -> StaffClaims:
        """The staff member behind this request, or a 401/403 HTTPException (English)."""
        header = request.headers.get("authorization", "")
        via_cookie = not header.lower().startswith("bearer ")
        token = request.cookies.get(self.session_cookie) if via_cookie else header[7:].strip()
        if not token:
            raise _refuse(401, "Authentication required.", "missing_credentials")
        try:
            claims = verify_token(token, secret=self._secret, audience=self._audience)
        except InvalidToken as exc:
            raise _refuse(401, "Your session is invalid or has expired.", "invalid_token") from exc
        if not await self._sessions.is_open(claims.sid):
            raise _refuse(401, "Your session has ended. Please sign in again.", "ended_session")
        if via_cookie and request.method not in SAFE_METHODS:
            sent = request.headers.get(CSRF_HEADER, "")
            if not sent or not hmac.compare_digest(sent.encode(), self.csrf_token(claims).encode()):
                raise _refuse(403, "Missing or wrong CSRF token.", "csrf")
        return claims

    def require(self, *roles: str) -> Callable[[Request], Awaitable[StaffClaims]]:
        """A FastAPI dependency: the signed-in staff member, who must hold one of `roles`."""

        async def dependency(request: Request) -> StaffClaims:
            claims = await self.authenticate(request)
            if roles and not claims.has_any(*roles):
                raise _refuse(
                    403,
                    f"This needs one of these roles: {', '.join(roles)}.",
                    "forbidden_role",
                    roles,
                )
            return claims

        return dependency


class StaffRefused(HTTPException):
    """A sign-in or role refusal (English `detail`), with a stable `reason` a service can show in
    its own words: `missing_credentials`, `invalid_token`, `ended_session`, `csrf`,
    `forbidden_role` (then `roles` are the ones that would do)."""

    def __init__(self, status: int, message: str, reason: str, roles: tuple[str, ...] = ()) -> None:
        super().__init__(status_code=status, detail=message)
        self.reason = reason
        self.roles = roles


def _refuse(status: int, message: str, reason: str, roles: tuple[str, ...] = ()) -> StaffRefused:
    REJECTED_INPUT.labels("staff_auth", reason).inc()
    return StaffRefused(status, message, reason, roles)


def bearer_refusal(reason: str, message: str) -> HTTPException:
    """A plain 401 that asks for a bearer token; for services without their own error shape."""
    return HTTPException(401, message, headers={"www-authenticate": "Bearer"})


def on_behalf_of(
    *,
    audience: str,
    scope: str,
    secret: Callable[[Request], str],
    surface: str,
    refuse: Refusal = bearer_refusal,
) -> Callable[[Request], Awaitable[delegation.Delegation]]:
    """A FastAPI dependency: the helpdesk's on-behalf-of token for `audience` and `scope`
    (services.common.auth.delegation), decoded, or `refuse(reason, message)` raised, each refusal
    counted in `sslp_rejected_input_total` under `surface`. The secret is read per request so
    it comes from the app's state, set by its lifespan after the routes were declared."""

    async def dependency(request: Request) -> delegation.Delegation:
        try:
            return delegation.from_authorization(
                request.headers.get("authorization", ""),
                secret=secret(request),
                audience=audience,
                scope=scope,
            )
        except delegation.MissingDelegation as exc:
            reason, message = "missing_credentials", "A helpdesk on-behalf-of token is required."
            cause: Exception = exc
        except delegation.InvalidDelegation as exc:
            reason, message = "invalid_delegation", f"The on-behalf-of token is refused: {exc}."
            cause = exc
        REJECTED_INPUT.labels(surface, reason).inc()
        raise refuse(reason, message) from cause

    return dependency
