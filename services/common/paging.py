"""Paging parameters of every listing API, bounded in one place.

MongoDB takes `skip` as a 64-bit integer and refuses anything past it (2^63 was a 500), and a
skip in the millions is a full collection scan nobody needs: a listing is paged by people or
scripts reading from the start. One bound here keeps every listing's parameters the same.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

MAX_SKIP = 100_000
MAX_LIMIT = 1000

Skip = Annotated[int, Query(ge=0, le=MAX_SKIP, description=f"rows to skip (at most {MAX_SKIP})")]
Limit = Annotated[
    int, Query(ge=1, le=MAX_LIMIT, description=f"rows to return (at most {MAX_LIMIT})")
]
