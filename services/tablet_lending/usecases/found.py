"""Loading what a request names, or refusing it with a 404 that says what was not found."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

from services.tablet_lending.domain.errors import not_found

T = TypeVar("T")


async def found(lookup: Awaitable[T | None], kind: str, kind_ja: str, key: str) -> T:
    item = await lookup
    if item is None:
        raise not_found(kind, kind_ja, key)
    return item
