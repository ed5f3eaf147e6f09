"""Staff sign-in: `POST /auth/token` gives a bearer token (scripts), `POST /auth/session` an
HttpOnly session cookie and the CSRF token to echo (the console). One account, one set of roles,
either way."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from services.common.auth import (
    AccountLocked,
    InvalidCredentials,
    StaffAccount,
    TooManyAttempts,
)
from services.common.auth.web import client_address
from services.common.logging import get_logger
from services.common.metrics import REJECTED_INPUT
from services.tablet_lending.api.deps import AuthRefused, Lending, LendingDep, Staff

router = APIRouter(prefix="/auth", tags=["staff sign-in"])
log = get_logger(__name__)


class Login(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 (the OAuth token type, not a secret)
    expires_at: datetime
    roles: tuple[str, ...]
    display_name: str


# Not `SessionOut`, the answer about a programme session: /docs shows two models of one name
# under their module paths (services__tablet_lending__api__…).
class ConsoleSession(BaseModel):
    """A console sign-in: the CSRF token to echo, when it ends, and who signed in."""

    csrf_token: str = Field(description="send it back in X-CSRF-Token with every change")
    expires_at: datetime
    roles: tuple[str, ...]
    display_name: str


class Me(BaseModel):
    staff_id: str
    display_name: str
    roles: tuple[str, ...]
    expires_at: datetime


async def _authenticate(body: Login, request: Request, lending: Lending) -> StaffAccount:
    where = str(request.url.path)
    try:
        return await lending.accounts.authenticate(
            username=body.username, password=body.password, client_address=client_address(request)
        )
    except TooManyAttempts as exc:
        REJECTED_INPUT.labels(where, "throttled").inc()
        raise AuthRefused(
            429,
            "throttled",
            "Too many failed sign-ins from this address; "
            f"try again in {exc.retry_after_seconds} seconds.",
            f"ログインの失敗が続いたため、{exc.retry_after_seconds}秒ほど待ってからお試しください。",
            headers={"Retry-After": str(exc.retry_after_seconds)},
        ) from exc
    except InvalidCredentials as exc:
        REJECTED_INPUT.labels(where, "invalid_credentials").inc()
        raise AuthRefused(
            401,
            "invalid_credentials",
            "Wrong username or password.",
            "ユーザー名 または パスワードが 違います。",
        ) from exc
    except AccountLocked as exc:
        REJECTED_INPUT.labels(where, "locked").inc()
        raise AuthRefused(
            423,
            "locked",
            "Too many failed sign-ins; this username is locked until "
            f"{exc.until.isoformat(timespec='minutes')}.",
            "ログインの失敗が続いたため、このユーザー名はしばらく使えません。"
            "15分ほど待ってからお試しください。",
        ) from exc


@router.post("/token", summary="Sign in; use the token as `Authorization: Bearer <token>`")
async def token(body: Login, request: Request, lending: LendingDep) -> TokenOut:
    account = await _authenticate(body, request, lending)
    access_token, claims = await lending.auth.start_session(account)
    log.info("staff signed in", staff_id=account.id, roles=list(account.roles), mode="bearer")
    return TokenOut(
        access_token=access_token,
        expires_at=claims.exp,
        roles=claims.roles,
        display_name=claims.name,
    )


@router.post(
    "/session",
    summary="Sign in for the console: an HttpOnly session cookie, and the CSRF token to echo",
)
async def cookie_session(
    body: Login, request: Request, response: Response, lending: LendingDep
) -> ConsoleSession:
    account = await _authenticate(body, request, lending)
    session_token, claims = await lending.auth.start_session(account)
    csrf = lending.auth.set_cookies(response, session_token, claims)
    log.info("staff signed in", staff_id=account.id, roles=list(account.roles), mode="cookie")
    return ConsoleSession(
        csrf_token=csrf, expires_at=claims.exp, roles=claims.roles, display_name=claims.name
    )


@router.post("/logout", status_code=204, summary="End this session (and its cookies)")
async def logout(staff: Staff, lending: LendingDep) -> Response:
    response = Response(status_code=204)
    await lending.auth.end_session(staff, response)
    return response


@router.get("/me", summary="Who is signed in, with which roles")
async def me(staff: Staff) -> Me:
    return Me(staff_id=staff.sub, display_name=staff.name, roles=staff.roles, expires_at=staff.exp)
