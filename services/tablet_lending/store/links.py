"""Which LINE user a participant is (learned from line_gateway), and issued link codes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.common.store import CollectionIndexes, MongoStore, Tx
from services.common.store.repository import session_of

LINKS = "line_links"
CODES = "link_codes"


class LineLinkRepository:
    def __init__(self, store: MongoStore) -> None:
        self._collection = store.collection(LINKS)

    @staticmethod
    def indexes() -> CollectionIndexes:
        # Read by participant only (`_id`): booking taps take the participant from the gateway's
        # stamp, so nothing looks a LINE user up here. The `user` index that lookup used is no
        # longer created; where an older release built it, it is unused and harmless.
        return CollectionIndexes(LINKS)

    async def link(
        self, tx: Tx, *, participant_id: str, line_user_id: str, linked_at: datetime
    ) -> None:
        await self._collection.replace_one(
            {"_id": participant_id},
            {"line_user_id": line_user_id, "linked_at": linked_at},
            upsert=True,
            session=tx.session,
        )

    async def unlink(self, tx: Tx, *, participant_id: str, line_user_id: str) -> None:
        await self._collection.delete_one(
            {"_id": participant_id, "line_user_id": line_user_id}, session=tx.session
        )

    async def forget(self, tx: Tx, participant_id: str) -> None:
        await self._collection.delete_one({"_id": participant_id}, session=tx.session)

    async def user_of(self, participant_id: str, tx: Tx | None = None) -> str | None:
        doc = await self._collection.find_one({"_id": participant_id}, session=session_of(tx))
        return str(doc["line_user_id"]) if doc else None

    async def linked(self, participant_ids: list[str], tx: Tx | None = None) -> set[str]:
        """Which of these participants have a LINE link: one `$in` read for a whole page."""
        if not participant_ids:
            return set()
        cursor = self._collection.find(
            {"_id": {"$in": list(participant_ids)}}, {"_id": 1}, session=session_of(tx)
        )
        return {str(doc["_id"]) async for doc in cursor}


class LinkCodeRepository:
    """Only a keyed digest of each code is kept; the code itself is shown to staff once."""

    def __init__(self, store: MongoStore) -> None:
        self._collection = store.collection(CODES)

    @staticmethod
    def indexes() -> CollectionIndexes:
        return CollectionIndexes(CODES)

    async def replace(self, tx: Tx, participant_id: str, record: dict[str, Any]) -> None:
        """A new code replaces (and so invalidates) the participant's previous one."""
        await self._collection.replace_one(
            {"_id": participant_id}, record, upsert=True, session=tx.session
        )

    async def get(self, participant_id: str) -> dict[str, Any] | None:
        return await self._collection.find_one({"_id": participant_id})

    async def forget(self, tx: Tx, participant_id: str) -> None:
        await self._collection.delete_one({"_id": participant_id}, session=tx.session)
