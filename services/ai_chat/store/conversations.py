"""Conversation turns per senior: Dai-chan's short-term memory, kept only for a limited time."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict
from pymongo import DESCENDING, IndexModel

from services.common.store import CollectionIndexes, MongoStore, Tx
from services.common.store.mongo import ttl_index

COLLECTION = "turns"


class Turn(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    role: Literal["senior", "daichan"]
    text: str
    at: datetime
    # Which reviewed persona prompt wrote Dai-chan's words (None for fixed texts and the senior).
    persona_version: str | None = None
    # How the senior said it: typed, spoken (transcribed) or tapped.
    via: Literal["text", "voice", "button"] | None = None


class ConversationRepository:
    def __init__(self, store: MongoStore) -> None:
        self._collection = store.collection(COLLECTION)

    @staticmethod
    def indexes(*, retention: timedelta) -> CollectionIndexes:
        return CollectionIndexes(
            COLLECTION,
            [
                IndexModel([("user_id", 1), ("at", DESCENDING)], name="user_recent"),
                ttl_index("at", retention),
            ],
        )

    async def recent(self, user_id: str, *, limit: int) -> list[Turn]:
        if limit <= 0:
            return []
        docs = (
            await self._collection.find({"user_id": user_id}, {"_id": 0, "user_id": 0})
            .sort([("at", DESCENDING), ("_id", DESCENDING)])
            .limit(limit)
            .to_list()
        )
        return [Turn.model_validate(doc) for doc in reversed(docs)]

    async def append(self, tx: Tx, *, user_id: str, turns: list[Turn]) -> None:
        if turns:
            await self._collection.insert_many(
                [{"user_id": user_id, **turn.model_dump(exclude_none=True)} for turn in turns],
                session=tx.session,
            )

    async def erase(self, tx: Tx, *, user_id: str) -> int:
        result = await self._collection.delete_many({"user_id": user_id}, session=tx.session)
        return result.deleted_count
