"""Models to MongoDB documents and back.

Calendar dates are stored as ISO strings ("2026-05-12": BSON has no date-only type, and ISO
strings sort and compare correctly); instants stay BSON datetimes (UTC).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, TypeVar

from pydantic import BaseModel
from pymongo.asynchronous.collection import AsyncCollection

from services.common.store import Tx
from services.common.store.mongo import Document

M = TypeVar("M", bound=BaseModel)


def plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def to_document(model: BaseModel, *, id_field: str) -> Document:
    doc: Document = plain(model.model_dump(mode="python"))
    doc["_id"] = doc.pop(id_field)
    return doc


def from_document(model: type[M], doc: Document, *, id_field: str) -> M:
    data = dict(doc)
    data[id_field] = data.pop("_id")
    return model.model_validate(data)


def session_of(tx: Tx | None) -> Any:
    return tx.session if tx is not None else None


async def page_of(
    collection: AsyncCollection[Document],
    model: type[M],
    query: Document,
    *,
    id_field: str,
    limit: int,
    skip: int,
) -> list[M]:
    """One page of `query`'s matches in id order, as models (the admin API's listings)."""
    docs = await collection.find(query).sort("_id", 1).skip(skip).limit(limit).to_list()
    return [from_document(model, doc, id_field=id_field) for doc in docs]


async def grouped_counts(
    collection: AsyncCollection[Document], fields: tuple[str, ...], match: Document | None
) -> list[Document]:
    """Counts grouped by `fields` (e.g. cohort_id, area_code, status): reports and metrics."""
    pipeline: list[Document] = []
    if match:
        pipeline.append({"$match": match})
    pipeline.append({"$group": {"_id": {f: f"${f}" for f in fields}, "count": {"$sum": 1}}})
    cursor = await collection.aggregate(pipeline)
    return [{**row["_id"], "count": row["count"]} async for row in cursor]
