"""The tablet inventory in MongoDB."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel

from services.common.events.contracts.lending import DeviceState
from services.common.store import CollectionIndexes, MongoStore, Tx
from services.common.store.repository import Repository, plain, session_of
from services.tablet_lending.domain.devices import Accessories, Condition, Device

COLLECTION = "devices"
ID = "device_id"


class DeviceRepository(Repository[Device]):
    def __init__(self, store: MongoStore) -> None:
        super().__init__(store, collection=COLLECTION, model=Device, id_field=ID)

    @staticmethod
    def indexes() -> CollectionIndexes:
        return CollectionIndexes(
            COLLECTION,
            [
                IndexModel([("serial_number", ASCENDING)], unique=True, name="serial_number"),
                IndexModel([("state", ASCENDING)], name="state"),
            ],
        )

    async def insert(self, tx: Tx, device: Device) -> None:
        await self._collection.insert_one(self._document(device), session=tx.session)

    async def get(self, device_id: str, tx: Tx | None = None) -> Device | None:
        doc = await self._collection.find_one({"_id": device_id}, session=session_of(tx))
        return self._item(doc) if doc else None

    async def by_serial(self, serial_number: str, tx: Tx | None = None) -> Device | None:
        doc = await self._collection.find_one(
            {"serial_number": serial_number}, session=session_of(tx)
        )
        return self._item(doc) if doc else None

    async def page(
        self, *, state: DeviceState | None = None, limit: int = 200, skip: int = 0
    ) -> list[Device]:
        query: dict[str, Any] = {"state": state.value} if state else {}
        return await self.find_page(query, limit=limit, skip=skip)

    async def move(
        self,
        tx: Tx,
        device_id: str,
        *,
        state: DeviceState,
        condition: Condition,
        at: datetime,
        loan_id: str | None = None,
        accessories: Accessories | None = None,
    ) -> None:
        changes: dict[str, Any] = {
            "state": state.value,
            "condition": condition.value,
            "current_loan_id": loan_id,
            "updated_at": at,
        }
        if accessories is not None:
            changes["accessories"] = plain(accessories.model_dump())
        await self._collection.update_one({"_id": device_id}, {"$set": changes}, session=tx.session)

    async def count_by_state(self) -> dict[str, int]:
        cursor = await self._collection.aggregate(
            [{"$group": {"_id": "$state", "count": {"$sum": 1}}}]
        )
        return {str(row["_id"]): int(row["count"]) async for row in cursor}
