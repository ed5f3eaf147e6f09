"""Staff accounts with lockout after repeated failed logins.

Two limits guard sign-in. Per username: the attempt is counted *before* the password is checked,
in one conditional update, so parallel attempts cannot all read "0 failures" and all get checked;
the `max_failures`-th failure locks the name. The counter is kept per username whether or not an
account has it, so an unknown name locks, answers and takes as long (one scrypt hash) as a real
one: nothing tells which usernames exist. Per client address: failures from one address are
limited too (`limits`, in process), so one client cannot spray guesses across many usernames.
"""

from __future__ import annotations

import asyncio
import math
import time
from datetime import datetime, timedelta
from uuid import uuid4

from limits import RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import FixedWindowRateLimiter
from pydantic import BaseModel, ConfigDict

from services.common.auth.passwords import MIN_PASSWORD_LENGTH, hash_password, verify_password
from services.common.store import CollectionIndexes, MongoStore
from services.common.store.mongo import Document
from services.common.store.staff import (
    LoginFailures,
    NameLocked,
    StaffAccountDocuments,
    UsernameTaken,
)
from services.common.time import utcnow

# Verified against when the username is unknown, so a wrong username costs the same time as a
# wrong password and does not reveal which usernames exist.
_DUMMY_HASH = hash_password("not-a-real-password-at-all")


class InvalidCredentials(Exception):
    pass


class AccountLocked(Exception):
    def __init__(self, until: datetime) -> None:
        super().__init__(f"locked until {until.isoformat()}")
        self.until = until


class TooManyAttempts(Exception):
    """This client address failed too often; it may try again after `retry_after_seconds`."""

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(
            f"too many failed sign-ins from this address; retry in {retry_after_seconds}s"
        )
        self.retry_after_seconds = retry_after_seconds


class StaffAccount(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    username: str
    display_name: str
    roles: tuple[str, ...]
    active: bool = True


class StaffAccounts:
    def __init__(
        self,
        store: MongoStore,
        *,
        max_failures: int = 5,
        lockout: timedelta = timedelta(minutes=15),
        max_failures_per_address: int = 20,
    ) -> None:
        self._accounts = StaffAccountDocuments(store)
        self._failures = LoginFailures(store)
        self._max_failures = max_failures
        self._lockout = lockout
        # In process: one instance per service (see the README's limits); the lock per username,
        # the one that protects an account, is in MongoDB and shared by every instance.
        self._address_limit = RateLimitItemPerSecond(
            max_failures_per_address, max(1, int(lockout.total_seconds()))
        )
        self._address_counts = MemoryStorage()
        self._address_limiter = FixedWindowRateLimiter(self._address_counts)

    @staticmethod
    def indexes() -> list[CollectionIndexes]:
        # A name's failures are forgotten a lockout period after its last failure or lock.
        return [StaffAccountDocuments.indexes(), LoginFailures.indexes()]

    async def create(
        self, *, username: str, password: str, display_name: str, roles: tuple[str, ...]
    ) -> StaffAccount:
        if len(password) < MIN_PASSWORD_LENGTH:
            raise ValueError(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
        account = StaffAccount(
            id=str(uuid4()), username=username, display_name=display_name, roles=roles
        )
        try:
            await self._accounts.insert(
                {
                    "_id": account.id,
                    "username": username,
                    "display_name": display_name,
                    "roles": list(roles),
                    "password_hash": hash_password(password),
                    "active": True,
                    "created_at": utcnow(),
                }
            )
        except UsernameTaken as exc:
            raise ValueError(f"username {username!r} is taken") from exc
        return account

    async def ensure(
        self, *, username: str, password: str, display_name: str, roles: tuple[str, ...]
    ) -> None:
        """Create the account if missing (demo and bootstrap accounts); never overwrite."""
        if not await self._accounts.exists(username):
            try:
                await self.create(
                    username=username, password=password, display_name=display_name, roles=roles
                )
            except ValueError:
                # Another instance created it first.
                return

    async def authenticate(
        self, *, username: str, password: str, client_address: str | None = None
    ) -> StaffAccount:
        address_key = await self._take_address_attempt(client_address)
        attempt = await self._take_attempt(username)
        doc = await self._accounts.find({"username": username})
        usable = doc is not None and doc.get("active", True)
        # Always one scrypt hash, off the event loop: the same time for unknown names.
        stored = doc["password_hash"] if usable and doc is not None else _DUMMY_HASH
        verified = await asyncio.to_thread(verify_password, password, stored)
        if not (usable and verified) or doc is None:
            if attempt["locked_until"] is not None:
                raise AccountLocked(attempt["locked_until"])
            raise InvalidCredentials
        # Right password: this attempt and the name's earlier failures no longer count.
        await self._failures.forget(username)
        if address_key is not None:
            await self._address_counts.decr(address_key)
        await self._accounts.signed_in(doc["_id"])
        return StaffAccount(
            id=doc["_id"],
            username=doc["username"],
            display_name=doc["display_name"],
            roles=tuple(doc["roles"]),
        )

    async def _take_address_attempt(self, client_address: str | None) -> str | None:
        """Count an attempt from this address (given back on success), or refuse it."""
        if client_address is None:
            return None
        limit, limiter = self._address_limit, self._address_limiter
        if not await limiter.hit(limit, "login", client_address):
            stats = await limiter.get_window_stats(limit, "login", client_address)
            raise TooManyAttempts(max(1, math.ceil(stats.reset_time - time.time())))
        return limit.key_for("login", client_address)

    async def _take_attempt(self, username: str) -> Document:
        """Count this attempt as a failure before the password is checked, or refuse it."""
        try:
            return await self._failures.take_attempt(
                username, max_failures=self._max_failures, lockout=self._lockout
            )
        except NameLocked as locked:
            raise AccountLocked(locked.until or utcnow() + self._lockout) from None

    async def get(self, account_id: str) -> StaffAccount | None:
        return await self._one({"_id": account_id})

    async def by_username(self, username: str) -> StaffAccount | None:
        """For sign-in vouched for by an identity provider (single sign-on), not by a password."""
        return await self._one({"username": username})

    async def _one(self, query: dict[str, str]) -> StaffAccount | None:
        doc = await self._accounts.find(query)
        if doc is None:
            return None
        return StaffAccount(
            id=doc["_id"],
            username=doc["username"],
            display_name=doc["display_name"],
            roles=tuple(doc["roles"]),
            active=doc.get("active", True),
        )


def parse_demo_accounts(spec: str) -> list[tuple[str, str, str, tuple[str, ...]]]:
    """Parse "username:password:role[+role]:表示名,..." (development and demo only)."""
    accounts = []
    for item in filter(None, (part.strip() for part in spec.split(","))):
        fields = item.split(":", 3)
        if len(fields) < 3:
            raise ValueError(f"demo account {fields[0]!r} needs username:password:roles[:name]")
        username, password, roles = fields[0], fields[1], tuple(fields[2].split("+"))
        display = fields[3] if len(fields) == 4 else username
        accounts.append((username, password, display, roles))
    return accounts
