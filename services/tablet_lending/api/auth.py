"""Staff sign-in for the admin API: `POST /auth/token` gives a bearer token."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import BaseModel, Field

from services.common.auth import AccountLocked, InvalidCredentials, TooManyAttempts
from services.common.auth.web import client_address
from services.common.logging import get_logger
from services.common.metrics import REJECTED_INPUT
from services.tablet_lending.api.deps import LendingDep, Staff

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


class Me(BaseModel):
    staff_id: str
    display_name: str
    roles: tuple[str, ...]
    expires_at: datetime


@router.post("/token", summary="Sign in; use the token as `Authorization: Bearer <token>`")
async def token(body: Login, request: Request, lending: LendingDep) -> TokenOut:
    try:
        account = await lending.accounts.authenticate(
            username=body.username, password=body.password, client_address=client_address(request)
        )
    except TooManyAttempts as exc:
        REJECTED_INPUT.labels("/auth/token", "throttled").inc()
        raise HTTPException(
            429,
            "Too many failed sign-ins from this address; "
            f"try again in {exc.retry_after_seconds} seconds.",
            headers={"Retry-After": str(exc.retry_after_seconds)},
        ) from exc
    except InvalidCredentials as exc:
        REJECTED_INPUT.labels("/auth/token", "invalid_credentials").inc()
        raise HTTPException(401, "Wrong username or password.") from exc
    except AccountLocked as exc:
        REJECTED_INPUT.labels("/auth/token", "locked").inc()
        raise HTTPException(
            423,
            "Too many failed sign-ins; this username is locked until "
            f"{exc.until.isoformat(timespec='minutes')}.",
        ) from exc
    access_token, claims = await lending.auth.start_session(account)
    log.info("staff signed in", staff_id=account.id, roles=list(account.roles))
    return TokenOut(
        access_token=access_token,
        expires_at=claims.exp,
        roles=claims.roles,
        display_name=claims.name,
    )


@router.post("/logout", status_code=204, summary="End this session")
async def logout(staff: Staff, lending: LendingDep) -> Response:
    await lending.auth.end_session(staff)
    return Response(status_code=204)


@router.get("/me", summary="Who is signed in, with which roles")
async def me(staff: Staff) -> Me:
    return Me(staff_id=staff.sub, display_name=staff.name, roles=staff.roles, expires_at=staff.exp)
