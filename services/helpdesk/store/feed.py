"""A MongoDB change stream over tickets and presence: what the staff pages' live updates follow.

Watching the database (not an in-process signal) means a change made by any instance, by a
consumer or by a staff request, reaches every open page.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from pymongo.errors import PyMongoError

from services.common.logging import get_logger
from services.common.store import MongoStore
from services.helpdesk.store.staff_tools import PRESENCE
from services.helpdesk.store.tickets import COLLECTION as TICKETS

log = get_logger(__name__)


class ChangeFeed:
    def __init__(self, store: MongoStore) -> None:
        self._db = store.db

    async def changes(self) -> AsyncIterator[tuple[str, str, dict[str, Any] | None]]:
        """(collection, document id, document without thread/history or None if deleted)."""
        pipeline: list[dict[str, Any]] = [
            {"$match": {"ns.coll": {"$in": [TICKETS, PRESENCE]}}},
            {
                "$project": {
                    "fullDocument.thread": 0,
                    "fullDocument.history": 0,
                    "fullDocument.reply_token": 0,
                }
            },
        ]
        while True:
            try:
                async with await self._db.watch(pipeline, full_document="updateLookup") as stream:
                    async for change in stream:
                        yield (
                            change["ns"]["coll"],
                            str(change["documentKey"]["_id"]),
                            change.get("fullDocument"),
                        )
            except PyMongoError:
                log.warning("change stream interrupted; watching again")
                await asyncio.sleep(1.0)
