"""Lottery records: seed, entrants and the resulting order, so anyone can re-run a draw."""

from __future__ import annotations

from typing import Any

from services.common.store import CollectionIndexes, MongoStore, Tx

COLLECTION = "lotteries"


class LotteryRepository:
    def __init__(self, store: MongoStore) -> None:
        self._collection = store.collection(COLLECTION)

    @staticmethod
    def indexes() -> CollectionIndexes:
        return CollectionIndexes(COLLECTION)

    async def insert(self, tx: Tx, record: dict[str, Any]) -> None:
        await self._collection.insert_one(record, session=tx.session)

    async def get(self, lottery_id: str) -> dict[str, Any] | None:
        return await self._collection.find_one({"_id": lottery_id})
