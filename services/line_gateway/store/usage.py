"""This month's message counts and LINE's own quota figures, one document per month (Japan time).

LINE's allowance resets on the first of the month in Japan, so months are JST months. Replies are
free; push and multicast recipients are billable.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from services.common.store import CollectionIndexes, MongoStore, Tx
from services.common.time import JST, utcnow

COLLECTION = "monthly_usage"


def month_of(at: datetime) -> str:
    return at.astimezone(JST).strftime("%Y-%m")


class MonthlyUsage(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    month: str
    replies: int = 0
    pushes: int = 0
    multicast_recipients: int = 0
    held: int = 0
    quota_limit: int | None = None
    quota_used: int | None = None
    quota_checked_at: datetime | None = None
    quota_exhausted_at: datetime | None = None
    warned: list[int] = []

    @property
    def billable(self) -> int:
        """Billable messages this month: our own count, or LINE's when it knows of more."""
        return max(self.pushes + self.multicast_recipients, self.quota_used or 0)


class UsageRepository:
    def __init__(self, store: MongoStore) -> None:
        self._collection = store.collection(COLLECTION)

    @staticmethod
    def indexes() -> CollectionIndexes:
        return CollectionIndexes(COLLECTION)

    async def current(self, now: datetime | None = None) -> MonthlyUsage:
        month = month_of(now or utcnow())
        doc = await self._collection.find_one({"_id": month})
        return MonthlyUsage.model_validate({**(doc or {}), "month": month})

    async def count(
        self,
        tx: Tx,
        *,
        replies: int = 0,
        pushes: int = 0,
        multicast_recipients: int = 0,
        held: int = 0,
        now: datetime | None = None,
    ) -> None:
        await self._collection.update_one(
            {"_id": month_of(now or utcnow())},
            {
                "$inc": {
                    "replies": replies,
                    "pushes": pushes,
                    "multicast_recipients": multicast_recipients,
                    "held": held,
                }
            },
            upsert=True,
            session=tx.session,
        )

    async def save_quota(
        self, *, limit: int | None, used: int, now: datetime | None = None
    ) -> None:
        now = now or utcnow()
        values: dict[str, object] = {
            "quota_limit": limit,
            "quota_used": used,
            "quota_checked_at": now,
        }
        if limit is None or used < limit:
            # The plan was raised (or the month is not used up): pushes may be tried again.
            values["quota_exhausted_at"] = None
        await self._collection.update_one({"_id": month_of(now)}, {"$set": values}, upsert=True)

    async def mark_quota_exhausted(self, now: datetime | None = None) -> None:
        now = now or utcnow()
        await self._collection.update_one(
            {"_id": month_of(now)}, {"$set": {"quota_exhausted_at": now}}, upsert=True
        )

    async def claim_warning(self, threshold: int, now: datetime | None = None) -> bool:
        """True for the one caller that first reports crossing `threshold` percent this month."""
        result = await self._collection.update_one(
            {"_id": month_of(now or utcnow()), "warned": {"$ne": threshold}},
            {"$addToSet": {"warned": threshold}},
        )
        return bool(result.modified_count)
