"""Canned responses (定型文): every worker reads them, supervisors manage them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from services.common.time import utcnow
from services.helpdesk.api.deps import HelpdeskDep, Supervisor, Worker

router = APIRouter(prefix="/staff/api/canned", tags=["canned responses"])


class CannedIn(BaseModel):
    title: str = Field(min_length=1, max_length=40)
    body: str = Field(min_length=1, max_length=2000)


class CannedOut(BaseModel):
    id: str
    title: str
    body: str
    updated_at: datetime


class CannedListOut(BaseModel):
    canned: list[CannedOut]


class DeletedOut(BaseModel):
    status: Literal["deleted"] = "deleted"


def _view(doc: dict[str, Any]) -> CannedOut:
    return CannedOut(
        id=doc["_id"], title=doc["title"], body=doc["body"], updated_at=doc["updated_at"]
    )


@router.get("", summary="Every canned response")
async def list_canned(claims: Worker, helpdesk: HelpdeskDep) -> CannedListOut:
    del claims
    return CannedListOut(canned=[_view(d) for d in await helpdesk.canned.all()])


@router.post("", status_code=201, summary="Add a canned response (supervisor)")
async def create(body: CannedIn, claims: Supervisor, helpdesk: HelpdeskDep) -> CannedOut:
    doc = await helpdesk.canned.create(title=body.title, body=body.body, by=claims.sub, at=utcnow())
    return _view(doc)


@router.put("/{canned_id}", summary="Change a canned response (supervisor)")
async def update(
    canned_id: str, body: CannedIn, claims: Supervisor, helpdesk: HelpdeskDep
) -> CannedOut:
    doc = await helpdesk.canned.update(
        canned_id, title=body.title, body=body.body, by=claims.sub, at=utcnow()
    )
    if doc is None:
        raise HTTPException(404, "No such canned response.")
    return _view(doc)


@router.delete("/{canned_id}", summary="Remove a canned response (supervisor)")
async def delete(canned_id: str, claims: Supervisor, helpdesk: HelpdeskDep) -> DeletedOut:
    del claims
    if not await helpdesk.canned.delete(canned_id):
        raise HTTPException(404, "No such canned response.")
    return DeletedOut()
