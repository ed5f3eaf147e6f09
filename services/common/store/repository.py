"""The small base every repository shares: models to documents and back, paging and counting.

A repository is the only code that talks to its collection (ARCHITECTURE.md). What each one does
differently (its queries, its updates, its indexes) stays in its own class; what they all did the
same way by hand lives here once: one page of a listing in a stable order, how many match, counts
grouped by a few fields, and the mapping of a pydantic model to a document.

Calendar dates are stored as ISO strings ("2026-05-12": BSON has no date-only type, and ISO
strings sort and compare correctly); instants stay BSON datetimes (UTC).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from services.common.store.mongo import Document, MongoStore, Tx

M = TypeVar("M", bound=BaseModel)

# Ascending by id unless a listing says otherwise: a page boundary never moves under a reader.
BY_ID: Sequence[tuple[str, int]] = (("_id", 1),)


def plain(value: Any) -> Any:
    """`value` as BSON takes it: dates as ISO strings, tuples as lists, datetimes unchanged."""
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
    """The driver session of `tx`, for a read that may run inside a transaction or outside."""
    return tx.session if tx is not None else None


class Repository(Generic[M]):
    """One collection of `model` documents, whose `id_field` is stored as `_id`."""

    def __init__(
        self, store: MongoStore, *, collection: str, model: type[M], id_field: str
    ) -> None:
        self._collection = store.collection(collection)
        self._model = model
        self._id_field = id_field

    def _document(self, item: M) -> Document:
        return to_document(item, id_field=self._id_field)

    def _item(self, doc: Document) -> M:
        return from_document(self._model, doc, id_field=self._id_field)

    async def find_page(
        self,
        query: Document,
        *,
        limit: int,
        skip: int,
        sort: Sequence[tuple[str, int]] = BY_ID,
        tx: Tx | None = None,
    ) -> list[M]:
        """One page of `query`'s matches (a listing API's page), as models."""
        cursor = self._collection.find(query, session=session_of(tx))
        docs = await cursor.sort(list(sort)).skip(skip).limit(limit).to_list()
        return [self._item(doc) for doc in docs]

    async def count(self, query: Document, *, tx: Tx | None = None) -> int:
        return await self._collection.count_documents(query, session=session_of(tx))

    async def grouped_counts(
        self, fields: tuple[str, ...], match: Document | None = None
    ) -> list[Document]:
        """How many match, grouped by `fields` (e.g. cohort_id, status): reports and metrics."""
        pipeline: list[Document] = []
        if match:
            pipeline.append({"$match": match})
        pipeline.append({"$group": {"_id": {f: f"${f}" for f in fields}, "count": {"$sum": 1}}})
        cursor = await self._collection.aggregate(pipeline)
        return [{**row["_id"], "count": row["count"]} async for row in cursor]
