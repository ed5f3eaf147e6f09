"""The tablet inventory in MongoDB."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel

from services.common.events.contracts.lending import DeviceState
from services.common.store import CollectionIndexes, MongoStore, Tx
from services.tablet_lending.domain.devices import Accessories, Condition, Device
from services.tablet_lending.store.documents import (
    from_document,
    page_of,
    plain,
    session_of,
    to_document,
)

COLLECTION = "devices"
ID = "device_id"


class DeviceRepository:
    def __init__(self, store: MongoStore) -> None:
        self._collection = store.collection(COLLECTION)

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
        await self._collection.insert_one(to_document(device, id_field=ID), session=tx.session)

    async def get(self, device_id: str, tx: Tx | None = None) -> Device | None:
        doc = await self._collection.find_one({"_id": device_id}, session=session_of(tx))
        return from_document(Device, doc, id_field=ID) if doc else None

    async def by_serial(self, serial_number: str, tx: Tx | None = None) -> Device | None:
        doc = await self._collection.find_one(
            {"serial_number": serial_number}, session=session_of(tx)
        )
        return from_document(Device, doc, id_field=ID) if doc else None

    async def page(
        self, *, state: DeviceState | None = None, limit: int = 200, skip: int = 0
    ) -> list[Device]:
        query: dict[str, Any] = {"state": state.value} if state else {}
        return await page_of(self._collection, Device, query, id_field=ID, limit=limit, skip=skip)

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
