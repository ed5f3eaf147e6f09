"""Staff accounts, their sign-in failures and their sessions in MongoDB (`services.common.auth`).

The rules (lockout, password checks, cookies, roles) are in `services.common.auth`; this module is
only where they are kept. The one rule that lives in a query is the lock itself: counting a failure
and locking the name must be one conditional update, or parallel attempts would all read "not
locked" (see `LoginFailures.take_attempt`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pymongo import IndexModel, ReturnDocument
from pymongo.errors import DuplicateKeyError

from services.common.store.mongo import CollectionIndexes, Document, MongoStore, ttl_index
from services.common.time import utcnow

ACCOUNTS_COLLECTION = "staff_accounts"
FAILURES_COLLECTION = "staff_login_failures"
SESSIONS_COLLECTION = "staff_sessions"


class UsernameTaken(Exception):
    pass


class NameLocked(Exception):
    """The name is locked (until `until`, if the lock was still there to read)."""

    def __init__(self, until: datetime | None) -> None:
        super().__init__("locked")
        self.until = until


class StaffAccountDocuments:
    def __init__(self, store: MongoStore) -> None:
        self._collection = store.collection(ACCOUNTS_COLLECTION)

    @staticmethod
    def indexes() -> CollectionIndexes:
        return CollectionIndexes(
            ACCOUNTS_COLLECTION, [IndexModel([("username", 1)], unique=True, name="username")]
        )

    async def insert(self, doc: Document) -> None:
        try:
            await self._collection.insert_one(doc)
        except DuplicateKeyError as exc:
            raise UsernameTaken(doc["username"]) from exc

    async def exists(self, username: str) -> bool:
        return await self._collection.find_one({"username": username}, {"_id": 1}) is not None

    async def find(self, query: dict[str, str]) -> Document | None:
        return await self._collection.find_one(query)

    async def signed_in(self, account_id: str) -> None:
        await self._collection.update_one(
            {"_id": account_id}, {"$set": {"last_login_at": utcnow()}}
        )


class LoginFailures:
    """Failed sign-ins per username (known or not), forgotten a lockout after the last one."""

    def __init__(self, store: MongoStore) -> None:
        self._collection = store.collection(FAILURES_COLLECTION)

    @staticmethod
    def indexes() -> CollectionIndexes:
        return CollectionIndexes(FAILURES_COLLECTION, [ttl_index("expires_at", timedelta(0))])

    async def take_attempt(
        self, username: str, *, max_failures: int, lockout: timedelta
    ) -> dict[str, Any]:
        """Count this attempt as a failure before the password is checked (atomically).

        The update matches only while the name is not locked, so the count and the lock move in
        one step: of any number of parallel attempts at most `max_failures` get a password check.
        Raises `NameLocked` if the name is locked already.
        """
        now = utcnow()
        stale = {
            "$or": [{"$eq": [{"$type": "$expires_at"}, "missing"]}, {"$lte": ["$expires_at", now]}]
        }
        failures = {"$add": [{"$cond": [stale, 0, "$failures"]}, 1]}
        try:
            attempt: dict[str, Any] | None = await self._collection.find_one_and_update(
                {"_id": username, "locked_until": {"$not": {"$gt": now}}},
                [
                    {"$set": {"failures": failures}},
                    {
                        "$set": {
                            "locked_until": {
                                "$cond": [
                                    {"$gte": ["$failures", max_failures]},
                                    now + lockout,
                                    None,
                                ]
                            },
                            "expires_at": now + lockout,
                        }
                    },
                ],
                upsert=True,
                return_document=ReturnDocument.AFTER,
            )
        except DuplicateKeyError:
            # Locked: the filter did not match, so the upsert tried to create a second document.
            locked = await self._collection.find_one({"_id": username})
            raise NameLocked(locked["locked_until"] if locked else None) from None
        assert attempt is not None  # an upsert returning the document after it
        return attempt

    async def forget(self, username: str) -> None:
        await self._collection.delete_one({"_id": username})


class StaffSessions:
    """Sessions recorded server-side, so that signing out ends one at once."""

    def __init__(self, store: MongoStore) -> None:
        self._collection = store.collection(SESSIONS_COLLECTION)

    @staticmethod
    def indexes() -> CollectionIndexes:
        return CollectionIndexes(
            SESSIONS_COLLECTION,
            [IndexModel([("staff_id", 1)]), ttl_index("expires_at", timedelta(0))],
        )

    async def start(self, *, session_id: str, staff_id: str, expires_at: datetime) -> None:
        await self._collection.insert_one(
            {"_id": session_id, "staff_id": staff_id, "expires_at": expires_at, "at": utcnow()}
        )

    async def is_open(self, session_id: str) -> bool:
        return await self._collection.find_one({"_id": session_id}, {"_id": 1}) is not None

    async def end(self, session_id: str) -> None:
        await self._collection.delete_one({"_id": session_id})
