"""Staff authentication on real MongoDB: hashes, tokens, lockout, sessions, roles and CSRF.

(No `from __future__ import annotations` here: the routes below are closures, and FastAPI must
see their dependency annotations as objects, not strings it cannot resolve.)
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Annotated
from uuid import uuid4

import httpx
import jwt
import pytest
from fastapi import APIRouter, Depends, FastAPI, Response
from pydantic import BaseModel

from services.common.auth import (
    AccountLocked,
    AuditLog,
    InvalidCredentials,
    InvalidToken,
    StaffAccounts,
    StaffClaims,
    TooManyAttempts,
    hash_password,
    issue_token,
    verify_password,
    verify_token,
)
from services.common.auth import accounts as accounts_module
from services.common.auth.accounts import parse_demo_accounts
from services.common.auth.tokens import ISSUER
from services.common.auth.web import CSRF_COOKIE, SESSION_COOKIE, StaffAuth
from services.common.store import MongoStore
from services.common.web import create_service_app
from tools.devstack.stack import Stack

# HS256 wants a key of at least 32 bytes (RFC 7518 3.2); PyJWT warns below that, and here a
# short test key is an error, so the tests sign as production must.
SECRET = "test-secret-which-is-long-enough"
OTHER_SECRET = "another-secret-which-is-long-enough"
SERVICE = "helpdesk"
pytestmark = pytest.mark.filterwarnings("error::jwt.warnings.InsecureKeyLengthWarning")


@pytest.fixture
async def store(infra: Stack) -> AsyncIterator[MongoStore]:
    store = MongoStore(uri=infra.mongo.uri, database=f"t_{uuid4().hex[:10]}", app_name="t")
    await store.ensure_indexes([*StaffAccounts.indexes(), StaffAuth.indexes()])
    try:
        yield store
    finally:
        await store.drop_database()
        await store.close()


def test_password_hashes_verify_and_are_salted() -> None:
    first, second = hash_password("correct horse battery"), hash_password("correct horse battery")
    assert first != second
    assert verify_password("correct horse battery", first)
    assert not verify_password("correct horse batterY", first)
    assert not verify_password("anything", "md5$garbage")


def token_for(*, ttl: timedelta) -> tuple[str, StaffClaims]:
    return issue_token(
        sub="s1", name="山田", roles=("agent",), secret=SECRET, ttl=ttl, audience=SERVICE
    )


def test_tokens_refuse_tampering_other_secrets_and_expiry() -> None:
    token, claims = token_for(ttl=timedelta(minutes=5))
    assert verify_token(token, secret=SECRET, audience=SERVICE) == claims
    header, payload, signature = token.split(".")
    with pytest.raises(InvalidToken):
        verify_token(f"{header}.{payload}x.{signature}", secret=SECRET, audience=SERVICE)
    with pytest.raises(InvalidToken):
        verify_token(token, secret=OTHER_SECRET, audience=SERVICE)
    expired, _ = token_for(ttl=timedelta(seconds=-1))
    with pytest.raises(InvalidToken, match="expired"):
        verify_token(expired, secret=SECRET, audience=SERVICE)


def test_tokens_are_for_one_service_one_issuer_and_one_algorithm() -> None:
    token, _ = token_for(ttl=timedelta(minutes=5))
    with pytest.raises(InvalidToken):
        verify_token(token, secret=SECRET, audience="tablet_lending")
    claims = jwt.decode(token, SECRET, algorithms=["HS256"], audience=SERVICE)
    assert claims["iss"] == ISSUER
    assert claims["jti"]
    assert claims["iat"] <= claims["exp"]
    foreign = jwt.encode({**claims, "iss": "someone-else"}, SECRET, algorithm="HS256")
    with pytest.raises(InvalidToken):
        verify_token(foreign, secret=SECRET, audience=SERVICE)
    unsigned = jwt.encode(claims, "", algorithm="none")
    with pytest.raises(InvalidToken):
        verify_token(unsigned, secret=SECRET, audience=SERVICE)
    without_session = jwt.encode(
        {k: v for k, v in claims.items() if k != "jti"}, SECRET, algorithm="HS256"
    )
    with pytest.raises(InvalidToken):
        verify_token(without_session, secret=SECRET, audience=SERVICE)


async def test_lockout_after_repeated_failures(store: MongoStore) -> None:
    accounts = StaffAccounts(store, max_failures=3, lockout=timedelta(minutes=10))
    await accounts.create(
        username="agent1", password="a-long-password", display_name="担当 一", roles=("agent",)
    )
    with pytest.raises(InvalidCredentials):
        await accounts.authenticate(username="nobody", password="a-long-password")
    for _ in range(2):
        with pytest.raises(InvalidCredentials):
            await accounts.authenticate(username="agent1", password="wrong-password")
    with pytest.raises(AccountLocked):
        await accounts.authenticate(username="agent1", password="wrong-password")
    # Even the right password is refused while locked.
    with pytest.raises(AccountLocked):
        await accounts.authenticate(username="agent1", password="a-long-password")


async def test_short_passwords_and_duplicate_usernames_are_refused(store: MongoStore) -> None:
    accounts = StaffAccounts(store)
    with pytest.raises(ValueError, match="at least"):
        await accounts.create(username="a", password="short", display_name="a", roles=())
    await accounts.create(username="a", password="long-enough-1", display_name="a", roles=())
    with pytest.raises(ValueError, match="taken"):
        await accounts.create(username="a", password="long-enough-2", display_name="a", roles=())


def test_demo_account_spec() -> None:
    assert parse_demo_accounts("a:pw1234567890:agent:担当A, s:pw0987654321:supervisor+agent") == [
        ("a", "pw1234567890", "担当A", ("agent",)),
        ("s", "pw0987654321", "s", ("supervisor", "agent")),
    ]


class Login(BaseModel):
    username: str
    password: str


def app_with_auth(store: MongoStore) -> tuple[FastAPI, StaffAuth]:
    auth = StaffAuth(store, service=SERVICE, secret=SECRET, secure_cookies=True)
    accounts = StaffAccounts(store)
    router = APIRouter()

    @router.post("/login")
    async def login(body: Login, response: Response) -> dict[str, str]:
        account = await accounts.authenticate(username=body.username, password=body.password)
        token, claims = await auth.start_session(account)
        return {"csrf": auth.set_cookies(response, token, claims), "token": token}

    @router.get("/me")
    async def me(staff: Annotated[StaffClaims, Depends(auth.require())]) -> dict[str, str]:
        return {"name": staff.name}

    @router.post("/supervise")
    async def supervise(
        staff: Annotated[StaffClaims, Depends(auth.require("supervisor"))],
    ) -> dict[str, str]:
        return {"ok": staff.sub}

    @router.post("/logout")
    async def logout(
        response: Response, staff: Annotated[StaffClaims, Depends(auth.require())]
    ) -> dict[str, str]:
        await auth.end_session(staff, response)
        return {}

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield

    app = create_service_app(
        service="t", title="t", description="t", lifespan=lifespan, routers=[router]
    )
    return app, auth


async def test_sessions_roles_csrf_and_logout(store: MongoStore) -> None:
    await StaffAccounts(store).create(
        username="agent1", password="a-long-password", display_name="担当 一", roles=("agent",)
    )
    app, _ = app_with_auth(store)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://staff.test") as client:
        first = await client.get("/me")
        assert first.status_code == 401, first.text
        assert (await client.get("/me")).json() == {"message": "Authentication required."}

        login = await client.post(
            "/login", json={"username": "agent1", "password": "a-long-password"}
        )
        cookie = login.headers.get_list("set-cookie")
        session_cookie = next(c for c in cookie if c.startswith(SESSION_COOKIE))
        assert "HttpOnly" in session_cookie
        assert "Secure" in session_cookie
        assert "SameSite=strict" in session_cookie
        csrf = login.json()["csrf"]
        assert client.cookies.get(CSRF_COOKIE) == csrf

        assert (await client.get("/me")).json() == {"name": "担当 一"}
        # Unsafe methods with the cookie need the CSRF header...
        assert (await client.post("/logout")).status_code == 403
        # ... and the role.
        refused = await client.post("/supervise", headers={"x-csrf-token": csrf})
        assert refused.status_code == 403
        assert "supervisor" in refused.json()["message"]

        # A bearer token works without CSRF (browsers do not send it on their own).
        bearer = {"authorization": f"Bearer {login.json()['token']}"}
        async with httpx.AsyncClient(transport=transport, base_url="https://api.test") as api:
            assert (await api.get("/me", headers=bearer)).status_code == 200

        assert (await client.post("/logout", headers={"x-csrf-token": csrf})).status_code == 200
        async with httpx.AsyncClient(transport=transport, base_url="https://api.test") as api:
            ended = await api.get("/me", headers=bearer)
            assert ended.status_code == 401
            assert "ended" in ended.json()["message"]


async def test_audit_log_records_who_saw_whom(store: MongoStore) -> None:
    audit = AuditLog(store)
    await audit.record(actor="staff-1", action="participant.read", subject="P-1")
    await audit.record(actor="staff-2", action="participant.update", subject="P-1")
    entries = await audit.for_subject("P-1")
    assert [(e["actor"], e["action"]) for e in entries] == [
        ("staff-2", "participant.update"),
        ("staff-1", "participant.read"),
    ]


async def test_csrf_token_of_another_session_is_refused(store: MongoStore) -> None:
    """A CSRF token is bound to its session: one planted from another session (e.g. a cookie
    tossed by a sibling subdomain, header and cookie both set to the attacker's own token) fails."""
    await StaffAccounts(store).create(
        username="agent1", password="a-long-password", display_name="担当 一", roles=("agent",)
    )
    app, _ = app_with_auth(store)
    transport = httpx.ASGITransport(app=app)
    credentials = {"username": "agent1", "password": "a-long-password"}
    async with (
        httpx.AsyncClient(transport=transport, base_url="https://staff.test") as victim,
        httpx.AsyncClient(transport=transport, base_url="https://staff.test") as attacker,
    ):
        await victim.post("/login", json=credentials)
        attackers_csrf = (await attacker.post("/login", json=credentials)).json()["csrf"]
        victim.cookies.set(CSRF_COOKIE, attackers_csrf)
        planted = await victim.post("/logout", headers={"x-csrf-token": attackers_csrf})
        assert planted.status_code == 403, planted.text
        assert planted.json() == {"message": "Missing or wrong CSRF token."}
        # The attacker's token still works for the attacker's own session.
        own = await attacker.post("/logout", headers={"x-csrf-token": attackers_csrf})
        assert own.status_code == 200


async def test_parallel_wrong_passwords_cannot_outrun_the_lockout(store: MongoStore) -> None:
    """The count and the lock move in one conditional update: of 30 parallel wrong attempts only
    `max_failures` get a password check, the rest are locked out, and so is the right one after."""
    accounts = StaffAccounts(store, max_failures=5, lockout=timedelta(minutes=10))
    await accounts.create(
        username="agent1", password="a-long-password", display_name="担当 一", roles=("agent",)
    )

    async def attempt(password: str) -> str:
        try:
            await accounts.authenticate(username="agent1", password=password)
        except InvalidCredentials:
            return "invalid"
        except AccountLocked:
            return "locked"
        return "ok"

    outcomes = await asyncio.gather(*(attempt(f"wrong-password-{i}") for i in range(29)))
    assert outcomes.count("invalid") == 4, outcomes
    assert outcomes.count("locked") == 25
    assert await attempt("a-long-password") == "locked"


async def test_parallel_attempts_with_the_right_one_among_them_check_at_most_the_limit(
    store: MongoStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    accounts = StaffAccounts(store, max_failures=5, lockout=timedelta(minutes=10))
    await accounts.create(
        username="agent1", password="a-long-password", display_name="担当 一", roles=("agent",)
    )
    checked = 0

    def counting_verify(password: str, stored: str) -> bool:
        nonlocal checked
        checked += 1
        return verify_password(password, stored)

    monkeypatch.setattr(accounts_module, "verify_password", counting_verify)
    passwords = [f"wrong-password-{i}" for i in range(29)] + ["a-long-password"]
    await asyncio.gather(
        *(accounts.authenticate(username="agent1", password=p) for p in passwords),
        return_exceptions=True,
    )
    # A right password among them may reset the count, but never before its own check; so at
    # most twice the limit are checked, never all 30 as when the count was read then written.
    assert checked <= 10, checked


async def test_unknown_usernames_lock_and_answer_like_real_ones(store: MongoStore) -> None:
    accounts = StaffAccounts(store, max_failures=3, lockout=timedelta(minutes=10))
    await accounts.create(
        username="agent1", password="a-long-password", display_name="担当 一", roles=("agent",)
    )

    async def outcomes(username: str) -> list[str]:
        seen = []
        for _ in range(4):
            try:
                await accounts.authenticate(username=username, password="wrong-password")
            except InvalidCredentials:
                seen.append("invalid")
            except AccountLocked:
                seen.append("locked")
        return seen

    assert (
        await outcomes("agent1")
        == await outcomes("nobody")
        == [
            "invalid",
            "invalid",
            "locked",
            "locked",
        ]
    )


async def test_unknown_usernames_still_cost_a_password_hash(
    store: MongoStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    accounts = StaffAccounts(store)
    hashed: list[str] = []

    def recording_verify(password: str, stored: str) -> bool:
        hashed.append(stored)
        return verify_password(password, stored)

    monkeypatch.setattr(accounts_module, "verify_password", recording_verify)
    with pytest.raises(InvalidCredentials):
        await accounts.authenticate(username="nobody", password="wrong-password")
    assert hashed == [accounts_module._DUMMY_HASH]


async def test_failures_from_one_address_are_limited_across_usernames(store: MongoStore) -> None:
    accounts = StaffAccounts(store, max_failures=5, max_failures_per_address=3)
    await accounts.create(
        username="agent1", password="a-long-password", display_name="担当 一", roles=("agent",)
    )
    # A right password gives its attempt back: staff behind one office address are not counted.
    for _ in range(5):
        await accounts.authenticate(
            username="agent1", password="a-long-password", client_address="192.0.2.1"
        )
    for name in ("a", "b", "c"):
        with pytest.raises(InvalidCredentials):
            await accounts.authenticate(
                username=name, password="wrong-password", client_address="192.0.2.1"
            )
    with pytest.raises(TooManyAttempts) as throttled:
        await accounts.authenticate(
            username="agent1", password="a-long-password", client_address="192.0.2.1"
        )
    assert 0 < throttled.value.retry_after_seconds <= 15 * 60
    # Another address is not affected.
    await accounts.authenticate(
        username="agent1", password="a-long-password", client_address="192.0.2.2"
    )
