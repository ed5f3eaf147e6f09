"""Models to MongoDB documents and back.

Calendar dates are stored as ISO strings ("2026-05-12": BSON has no date-only type, and ISO
strings sort and compare correctly); instants stay BSON datetimes (UTC).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, TypeVar

from pydantic import BaseModel

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
