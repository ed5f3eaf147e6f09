"""LINE users as the gateway knows them: follow status and conversation mode."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict
from pymongo import IndexModel

from services.common.events.contracts.line import ConversationMode
from services.common.store import CollectionIndexes, MongoStore, Tx
from services.common.time import utcnow

COLLECTION = "line_users"


class LineUser(BaseModel):
    model_config = ConfigDict(frozen=True)

    user_id: str
    following: bool = True
    mode: ConversationMode = ConversationMode.BOT
    followed_at: datetime | None = None
    unfollowed_at: datetime | None = None
    last_message_at: datetime | None = None
    messages_received: int = 0


class LineUserRepository:
    def __init__(self, store: MongoStore) -> None:
        self._collection = store.collection(COLLECTION)

    @staticmethod
    def indexes() -> CollectionIndexes:
        return CollectionIndexes(
            COLLECTION, [IndexModel([("following", 1), ("unfollowed_at", 1)], name="following")]
        )

    async def get(self, user_id: str, tx: Tx | None = None) -> LineUser | None:
        doc = await self._collection.find_one({"_id": user_id}, session=tx.session if tx else None)
        if doc is None:
            return None
        doc["user_id"] = doc.pop("_id")
        return LineUser.model_validate(doc)

    async def record_message(self, tx: Tx, *, user_id: str, at: datetime) -> None:
        await self._collection.update_one(
            {"_id": user_id},
            {
                "$set": {"last_message_at": at},
                "$inc": {"messages_received": 1},
                "$setOnInsert": {"following": True, "mode": ConversationMode.BOT.value},
            },
            upsert=True,
            session=tx.session,
        )

    async def record_follow(self, tx: Tx, *, user_id: str, at: datetime) -> None:
        await self._collection.update_one(
            {"_id": user_id},
            {
                "$set": {"following": True, "followed_at": at, "unfollowed_at": None},
                "$setOnInsert": {"mode": ConversationMode.BOT.value, "messages_received": 0},
            },
            upsert=True,
            session=tx.session,
        )

    async def record_unfollow(self, tx: Tx, *, user_id: str, at: datetime) -> None:
        await self._collection.update_one(
            {"_id": user_id},
            {
                "$set": {"following": False, "unfollowed_at": at},
                "$setOnInsert": {"mode": ConversationMode.BOT.value, "messages_received": 0},
            },
            upsert=True,
            session=tx.session,
        )

    async def set_mode(self, tx: Tx, *, user_id: str, mode: ConversationMode) -> None:
        await self._collection.update_one(
            {"_id": user_id},
            {"$set": {"mode": mode.value, "mode_changed_at": utcnow()}},
            upsert=True,
            session=tx.session,
        )
