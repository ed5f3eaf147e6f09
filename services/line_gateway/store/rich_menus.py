"""Which LINE rich menu serves which audience, as provisioned by this gateway."""

from __future__ import annotations

from services.common.store import CollectionIndexes, MongoStore
from services.common.time import utcnow

COLLECTION = "rich_menus"


class RichMenuRepository:
    def __init__(self, store: MongoStore) -> None:
        self._collection = store.collection(COLLECTION)

    @staticmethod
    def indexes() -> CollectionIndexes:
        return CollectionIndexes(COLLECTION)

    async def save(self, *, audience: str, rich_menu_id: str, name: str) -> None:
        await self._collection.update_one(
            {"_id": audience},
            {"$set": {"rich_menu_id": rich_menu_id, "name": name, "provisioned_at": utcnow()}},
            upsert=True,
        )

    async def menu_for(self, audience: str) -> str | None:
        doc = await self._collection.find_one({"_id": audience})
        return str(doc["rich_menu_id"]) if doc else None
