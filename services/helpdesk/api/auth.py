"""Staff sign-in and accounts (services.common.auth): cookie sessions for the page, bearer tokens
for scripts, lockout after repeated failures, and an audit record of each sign-in."""

from __future__ import annotations

import hmac
from typing import Literal

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from services.common.auth import AccountLocked, InvalidCredentials, TooManyAttempts
from services.common.auth.web import client_address
from services.common.metrics import REJECTED_INPUT
from services.helpdesk.api.deps import Admin, AnyStaff, HelpdeskDep
from services.helpdesk.domain.tickets import Role
from services.helpdesk.metrics import LOGINS

router = APIRouter(prefix="/staff/api", tags=["staff sign-in"])
sso_router = APIRouter(tags=["staff sign-in"])
PROXY_PROOF_HEADER = "x-helpdesk-proxy-secret"


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)
    # "cookie" for the staff page (HttpOnly session cookie + CSRF token); "bearer" for scripts.
    mode: Literal["cookie", "bearer"] = "cookie"


class AccountIn(BaseModel):
    username: str = Field(min_length=3, max_length=64, pattern=r"^[a-zA-Z0-9_.-]+$")
    password: str = Field(min_length=10, max_length=256)
    display_name: str = Field(min_length=1, max_length=40)
    roles: list[Role] = Field(min_length=1)


class StaffOut(BaseModel):
    id: str
    name: str
    roles: list[str]


class SessionOut(BaseModel):
    """A new session: the bearer token (mode "bearer") or the CSRF token for the cookie session."""

    staff: StaffOut
    token: str | None = None
    csrf_token: str | None = None
    expires_at: str


class SignedOutOut(BaseModel):
    status: Literal["signed out"] = "signed out"


class AccountOut(BaseModel):
    id: str
    username: str
    roles: list[str]


class SignInOptionsOut(BaseModel):
    password: bool
    sso: bool


# Only the token of the session's mode is in the answer.
@router.post("/login", summary="Sign in", response_model_exclude_none=True)
async def login(
    body: LoginIn, request: Request, response: Response, helpdesk: HelpdeskDep
) -> SessionOut:
    try:
        account = await helpdesk.accounts.authenticate(
            username=body.username, password=body.password, client_address=client_address(request)
        )
    except TooManyAttempts as throttled:
        LOGINS.labels("throttled").inc()
        REJECTED_INPUT.labels("helpdesk.login", "throttled").inc()
        raise HTTPException(
            429,
            "Too many failed sign-ins from this address. "
            f"Try again in {throttled.retry_after_seconds} seconds.",
            headers={"Retry-After": str(throttled.retry_after_seconds)},
        ) from throttled
    except AccountLocked as locked:
        LOGINS.labels("locked").inc()
        REJECTED_INPUT.labels("helpdesk.login", "locked").inc()
        raise HTTPException(
            423,
            "Sign-in with this username is locked after repeated failed sign-ins. "
            f"Try again after {locked.until.isoformat()}.",
        ) from locked
    except InvalidCredentials as exc:
        LOGINS.labels("failed").inc()
        REJECTED_INPUT.labels("helpdesk.login", "invalid_credentials").inc()
        raise HTTPException(401, "Wrong username or password.") from exc
    token, claims = await helpdesk.auth.start_session(account)
    LOGINS.labels("ok").inc()
    await helpdesk.audit.record(
        actor=account.id, action="staff.login", subject=account.id, details={"mode": body.mode}
    )
    staff = StaffOut(id=account.id, name=account.display_name, roles=list(account.roles))
    if body.mode == "bearer":
        return SessionOut(staff=staff, token=token, expires_at=claims.exp.isoformat())
    csrf = helpdesk.auth.set_cookies(response, token, claims)
    return SessionOut(staff=staff, csrf_token=csrf, expires_at=claims.exp.isoformat())


@router.post("/logout", summary="Sign out (ends the session at once)")
async def logout(claims: AnyStaff, response: Response, helpdesk: HelpdeskDep) -> SignedOutOut:
    await helpdesk.auth.end_session(claims, response)
    return SignedOutOut()


@router.get("/me", summary="Who is signed in")
async def me(claims: AnyStaff) -> StaffOut:
    return StaffOut(id=claims.sub, name=claims.name, roles=list(claims.roles))


@router.post("/accounts", status_code=201, summary="Create a staff account (admin)")
async def create_account(body: AccountIn, claims: Admin, helpdesk: HelpdeskDep) -> AccountOut:
    try:
        account = await helpdesk.accounts.create(
            username=body.username,
            password=body.password,
            display_name=body.display_name,
            roles=tuple(r.value for r in body.roles),
        )
    except ValueError as exc:
        REJECTED_INPUT.labels("helpdesk.accounts", "invalid").inc()
        raise HTTPException(409, str(exc)) from exc
    await helpdesk.audit.record(
        actor=claims.sub, action="staff.account_created", subject=account.id
    )
    return AccountOut(id=account.id, username=account.username, roles=list(account.roles))


@router.get("/sign-in-options", summary="How staff can sign in here")
async def sign_in_options(helpdesk: HelpdeskDep) -> SignInOptionsOut:
    return SignInOptionsOut(password=True, sso=bool(helpdesk.settings.sso_username_header))


@sso_router.get("/staff/sso", summary="Single sign-on behind an OIDC-authenticating proxy")
async def single_sign_on(request: Request, helpdesk: HelpdeskDep) -> RedirectResponse:
    settings = helpdesk.settings
    if not settings.sso_username_header:
        raise HTTPException(404, "Single sign-on is not configured.")
    secret = request.headers.get(PROXY_PROOF_HEADER, "")
    if not hmac.compare_digest(secret.encode(), settings.sso_proxy_secret.encode()):
        LOGINS.labels("sso_refused").inc()
        REJECTED_INPUT.labels("helpdesk.sso", "not_from_proxy").inc()
        raise HTTPException(401, "Single sign-on must come through the identity proxy.")
    username = request.headers.get(settings.sso_username_header, "").strip()
    account = await helpdesk.accounts.by_username(username) if username else None
    if account is None or not account.active:
        LOGINS.labels("sso_refused").inc()
        REJECTED_INPUT.labels("helpdesk.sso", "unknown_account").inc()
        raise HTTPException(401, "No active staff account for this identity. Ask an admin.")
    token, claims = await helpdesk.auth.start_session(account)
    LOGINS.labels("sso").inc()
    await helpdesk.audit.record(
        actor=account.id, action="staff.login", subject=account.id, details={"mode": "sso"}
    )
    response = RedirectResponse("/staff/", status_code=303)
    helpdesk.auth.set_cookies(response, token, claims)
    return response
