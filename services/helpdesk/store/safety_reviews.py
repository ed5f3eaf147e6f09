"""Messages staff marked as a missed danger or a false alarm: the corpus's next candidates.

Only the message text, the label and the route are kept (no user id, no ticket thread), for
`HELPDESK_SAFETY_REVIEW_RETENTION_DAYS`, then MongoDB's TTL index removes them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING, IndexModel

from services.common.store import CollectionIndexes, MongoStore
from services.common.store.mongo import ttl_index

SAFETY_REVIEWS = "safety_reviews"


class SafetyReviewRepository:
    def __init__(self, store: MongoStore) -> None:
        self._reviews = store.collection(SAFETY_REVIEWS)

    @staticmethod
    def indexes(*, retention: timedelta) -> CollectionIndexes:
        return CollectionIndexes(
            SAFETY_REVIEWS,
            [
                ttl_index("created_at", retention),
                # One mark per message, label and route, whoever presses the button again.
                IndexModel(
                    [("turn_id", ASCENDING), ("label", ASCENDING), ("route", ASCENDING)],
                    name="one_mark",
                    unique=True,
                ),
            ],
        )

    async def mark(
        self,
        *,
        turn_id: str,
        text: str,
        label: str,
        route: str,
        ticket_id: str,
        staff_id: str,
        at: datetime,
    ) -> bool:
        """True when this mark is new; marking the same message the same way again changes nothing."""
        result = await self._reviews.update_one(
            {"turn_id": turn_id, "label": label, "route": route},
            {
                "$setOnInsert": {
                    "text": text,
                    "ticket_id": ticket_id,
                    "staff_id": staff_id,
                    "created_at": at,
                }
            },
            upsert=True,
        )
        return result.upserted_id is not None

    async def all(self) -> list[dict[str, Any]]:
        return await self._reviews.find({}, {"staff_id": 0}).sort("created_at", 1).to_list()
