"""Staff accounts with lockout after repeated failed logins."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import uuid4

from pydantic import BaseModel, ConfigDict
from pymongo import IndexModel
from pymongo.errors import DuplicateKeyError

from services.common.auth.passwords import MIN_PASSWORD_LENGTH, hash_password, verify_password
from services.common.store import CollectionIndexes, MongoStore
from services.common.time import utcnow

COLLECTION = "staff_accounts"
# Verified against when the username is unknown, so a wrong username costs the same time as a
# wrong password and does not reveal which usernames exist.
_DUMMY_HASH = hash_password("not-a-real-password-at-all")


class InvalidCredentials(Exception):
    pass


class AccountLocked(Exception):
    def __init__(self, until: datetime) -> None:
        super().__init__(f"locked until {until.isoformat()}")
        self.until = until


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
    ) -> None:
        self._collection = store.collection(COLLECTION)
        self._max_failures = max_failures
        self._lockout = lockout

    @staticmethod
    def indexes() -> CollectionIndexes:
        return CollectionIndexes(
            COLLECTION, [IndexModel([("username", 1)], unique=True, name="username")]
        )

    async def create(
        self, *, username: str, password: str, display_name: str, roles: tuple[str, ...]
    ) -> StaffAccount:
        if len(password) < MIN_PASSWORD_LENGTH:
            raise ValueError(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
        account = StaffAccount(
            id=str(uuid4()), username=username, display_name=display_name, roles=roles
        )
        try:
            await self._collection.insert_one(
                {
                    "_id": account.id,
                    "username": username,
                    "display_name": display_name,
                    "roles": list(roles),
                    "password_hash": hash_password(password),
                    "active": True,
                    "failures": 0,
                    "locked_until": None,
                    "created_at": utcnow(),
                }
            )
        except DuplicateKeyError as exc:
            raise ValueError(f"username {username!r} is taken") from exc
        return account

    async def ensure(
        self, *, username: str, password: str, display_name: str, roles: tuple[str, ...]
    ) -> None:
        """Create the account if missing (demo and bootstrap accounts); never overwrite."""
        if await self._collection.find_one({"username": username}, {"_id": 1}) is None:
            try:
                await self.create(
                    username=username, password=password, display_name=display_name, roles=roles
                )
            except ValueError:
                # Another instance created it first.
                return

    async def authenticate(self, *, username: str, password: str) -> StaffAccount:
        doc = await self._collection.find_one({"username": username})
        now = utcnow()
        if doc is None or not doc.get("active", True):
            verify_password(password, _DUMMY_HASH)
            raise InvalidCredentials
        locked_until = doc.get("locked_until")
        if locked_until is not None and locked_until > now:
            raise AccountLocked(locked_until)
        if not verify_password(password, doc["password_hash"]):
            failures = doc.get("failures", 0) + 1
            lock = now + self._lockout if failures >= self._max_failures else None
            await self._collection.update_one(
                {"_id": doc["_id"]},
                {"$set": {"failures": 0 if lock else failures, "locked_until": lock}},
            )
            if lock is not None:
                raise AccountLocked(lock)
            raise InvalidCredentials
        await self._collection.update_one(
            {"_id": doc["_id"]},
            {"$set": {"failures": 0, "locked_until": None, "last_login_at": now}},
        )
        return StaffAccount(
            id=doc["_id"],
            username=doc["username"],
            display_name=doc["display_name"],
            roles=tuple(doc["roles"]),
        )

    async def get(self, account_id: str) -> StaffAccount | None:
        return await self._one({"_id": account_id})

    async def by_username(self, username: str) -> StaffAccount | None:
        """For sign-in vouched for by an identity provider (single sign-on), not by a password."""
        return await self._one({"username": username})

    async def _one(self, query: dict[str, str]) -> StaffAccount | None:
        doc = await self._collection.find_one(query)
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
