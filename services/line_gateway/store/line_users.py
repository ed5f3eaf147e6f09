"""LINE users as the gateway knows them: follow status, link, conversation mode, counts.

No LINE profile: the display name, picture and language are personal data nothing here uses, so
they are not fetched. Earlier versions stored them; `erase_profiles` removes what is left.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from pymongo import IndexModel, UpdateOne

from services.common.events.contracts.line import ConversationMode
from services.common.store import AmongIds, ById, CollectionIndexes, MongoStore, Tx
from services.common.store.mongo import Document
from services.common.time import utcnow

COLLECTION = "line_users"

# One event's change to its user, for `apply` (the driver's type, named for the layers above).
UserChange = UpdateOne

# What earlier versions kept from LINE's profile API (and when they fetched it).
PROFILE_FIELDS = ("display_name", "picture_url", "language", "profile_fetched_at")

_NEW_USER = {"mode": ConversationMode.BOT.value, "messages_received": 0}


class LineUser(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    user_id: str
    following: bool = True
    mode: ConversationMode = ConversationMode.BOT
    mode_changed_at: datetime | None = None
    first_followed_at: datetime | None = None
    followed_at: datetime | None = None
    unfollowed_at: datetime | None = None
    unblocked_count: int = 0
    last_message_at: datetime | None = None
    messages_received: int = 0
    postbacks_received: int = 0
    personal_data_erased_at: datetime | None = None
    participant_id: str | None = None
    linked_at: datetime | None = None


class LineUserRepository:
    def __init__(self, store: MongoStore) -> None:
        self._collection = store.collection(COLLECTION)

    @staticmethod
    def indexes() -> CollectionIndexes:
        return CollectionIndexes(
            COLLECTION,
            [
                IndexModel(
                    [("participant_id", 1)],
                    name="participant",
                    unique=True,
                    partialFilterExpression={"participant_id": {"$type": "string"}},
                ),
            ],
        )

    async def get(self, user_id: str, tx: Tx | None = None) -> LineUser | None:
        doc = await self._collection.find_one({"_id": user_id}, session=tx.session if tx else None)
        if doc is None:
            return None
        doc["user_id"] = doc.pop("_id")
        return LineUser.model_validate(doc)

    @staticmethod
    def follow_status(user_id: str) -> ById:
        """What tells whether `user_id` blocked the account, for a read folded with others
        (`MongoStore.find_by_ids`; read with `has_blocked`). Only that field: a send needs
        nothing else of the user, and the names are personal data."""
        return ById(COLLECTION, user_id, fields=("following",))

    @staticmethod
    def has_blocked(found: Document | None) -> bool:
        # An unknown user is taken as a friend, as in `blocked_among`.
        return found is not None and not found.get("following", True)

    async def blocked_among(self, user_ids: list[str]) -> set[str]:
        """Which of these users have blocked the account (unknown users are taken as friends)."""
        found = self._collection.find(
            {"_id": {"$in": user_ids}, "following": False}, projection={"_id": 1}
        )
        return {doc["_id"] async for doc in found}

    async def get_many(self, tx: Tx, user_ids: list[str]) -> dict[str, LineUser]:
        """The known users among `user_ids`, in one `$in` read (a link's users, read again)."""
        found = self._collection.find({"_id": {"$in": user_ids}}, session=tx.session)
        return self.users_from(await found.to_list())

    @staticmethod
    def among(user_ids: list[str]) -> AmongIds:
        """The read of the known users among `user_ids` (a body's senders), for `Tx.find_among`
        with the body's other reads (`users_from` reads its answer)."""
        return AmongIds(COLLECTION, user_ids)

    @staticmethod
    def users_from(found: list[Document]) -> dict[str, LineUser]:
        users: dict[str, LineUser] = {}
        for doc in found:
            doc["user_id"] = doc.pop("_id")
            user = LineUser.model_validate(doc)
            users[user.user_id] = user
        return users

    async def apply(self, tx: Tx, changes: list[UpdateOne]) -> None:
        """Write a body's user changes (`message_recorded` ...) in one ordered bulk write: in the
        body's order, so two events of one user apply as they came."""
        if changes:
            await self._collection.bulk_write(changes, ordered=True, session=tx.session)

    # The changes an event makes to its user; upserts, so a first event creates the user.

    @staticmethod
    def message_recorded(user_id: str, at: datetime) -> UpdateOne:
        return UpdateOne(
            {"_id": user_id},
            {
                "$set": {"last_message_at": at},
                "$inc": {"messages_received": 1},
                "$setOnInsert": {"following": True, "mode": ConversationMode.BOT.value},
            },
            upsert=True,
        )

    @staticmethod
    def postback_recorded(user_id: str, at: datetime) -> UpdateOne:
        return UpdateOne(
            {"_id": user_id},
            {
                "$set": {"last_message_at": at},
                "$inc": {"postbacks_received": 1},
                "$setOnInsert": {"following": True, **_NEW_USER},
            },
            upsert=True,
        )

    @staticmethod
    def follow_recorded(user_id: str, at: datetime, *, is_unblocked: bool) -> UpdateOne:
        return UpdateOne(
            {"_id": user_id},
            {
                "$set": {"following": True, "followed_at": at, "unfollowed_at": None},
                "$min": {"first_followed_at": at},
                "$inc": {"unblocked_count": 1 if is_unblocked else 0},
                "$setOnInsert": _NEW_USER,
            },
            upsert=True,
        )

    @staticmethod
    def unfollow_recorded(user_id: str, at: datetime) -> UpdateOne:
        return UpdateOne(
            {"_id": user_id},
            {"$set": {"following": False, "unfollowed_at": at}, "$setOnInsert": _NEW_USER},
            upsert=True,
        )

    async def set_mode(self, tx: Tx, *, user_id: str, mode: ConversationMode, at: datetime) -> bool:
        """Set the mode unless a later change is already recorded; True when it changed."""
        result = await self._collection.update_one(
            {
                "_id": user_id,
                "$or": [{"mode_changed_at": None}, {"mode_changed_at": {"$lte": at}}],
            },
            {"$set": {"mode": mode.value, "mode_changed_at": at}},
            session=tx.session,
        )
        if result.matched_count:
            return True
        exists = await self._collection.find_one({"_id": user_id}, session=tx.session)
        if exists is not None:
            return False
        await self._collection.insert_one(
            {
                "_id": user_id,
                "following": True,
                "messages_received": 0,
                "mode": mode.value,
                "mode_changed_at": at,
            },
            session=tx.session,
        )
        return True

    # -- profiles stored by earlier versions ----------------------------------------------------

    async def erase_profiles(self) -> int:
        """Remove the LINE profile fields earlier versions stored; the count of users changed."""
        result = await self._collection.update_many(
            {"$or": [{field: {"$exists": True}} for field in PROFILE_FIELDS]},
            {
                "$unset": dict.fromkeys(PROFILE_FIELDS, ""),
                "$set": {"personal_data_erased_at": utcnow()},
            },
        )
        return int(result.modified_count)

    # -- account links -------------------------------------------------------------------------

    async def user_linked_to(self, tx: Tx, participant_id: str) -> str | None:
        doc = await self._collection.find_one(
            {"participant_id": participant_id}, projection={"_id": 1}, session=tx.session
        )
        return str(doc["_id"]) if doc else None

    async def link(self, tx: Tx, *, user_id: str, participant_id: str, at: datetime) -> None:
        await self._collection.update_one(
            {"_id": user_id},
            {
                "$set": {"participant_id": participant_id, "linked_at": at},
                "$setOnInsert": {"following": True, **_NEW_USER},
            },
            upsert=True,
            session=tx.session,
        )

    async def unlink(self, tx: Tx, *, user_id: str) -> None:
        await self._collection.update_one(
            {"_id": user_id},
            {"$set": {"participant_id": None, "linked_at": None}},
            session=tx.session,
        )

    async def count_by_state(self) -> dict[str, int]:
        """Friends (following), users who blocked the account, and linked friends."""
        pipeline: list[dict[str, Any]] = [
            {
                "$group": {
                    "_id": None,
                    "following": {"$sum": {"$cond": [{"$eq": ["$following", False]}, 0, 1]}},
                    "blocked": {"$sum": {"$cond": [{"$eq": ["$following", False]}, 1, 0]}},
                    "linked": {
                        "$sum": {
                            "$cond": [
                                {
                                    "$and": [
                                        {"$ne": ["$following", False]},
                                        {"$eq": [{"$type": "$participant_id"}, "string"]},
                                    ]
                                },
                                1,
                                0,
                            ]
                        }
                    },
                }
            }
        ]
        counts = {"following": 0, "blocked": 0, "linked": 0}
        async for row in await self._collection.aggregate(pipeline):
            counts.update({state: int(row[state]) for state in counts})
        return counts

    async def linked_user_ids(self) -> list[str]:
        found = self._collection.find(
            {"participant_id": {"$type": "string"}, "following": {"$ne": False}},
            projection={"_id": 1},
        )
        return [str(doc["_id"]) async for doc in found]
