"""The tablet inventory (operators and supervisors)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from services.common.events.contracts.lending import DeviceState
from services.common.paging import Limit, Skip
from services.tablet_lending.api.deps import LendingDep, Operator
from services.tablet_lending.domain.devices import Condition, Device
from services.tablet_lending.usecases.devices import (
    DeviceIn,
    change_device_state,
    device_or_404,
    register_device,
)

router = APIRouter(prefix="/devices", tags=["devices"])


@router.post("", status_code=201, summary="Register a tablet (in stock)")
async def register(device_in: DeviceIn, staff: Operator, lending: LendingDep) -> Device:
    return await register_device(
        lending.db, device_in=device_in, actor=staff.sub, now=lending.clock.now()
    )


@router.get("", summary="Tablets, optionally by state")
async def list_devices(
    staff: Operator,
    lending: LendingDep,
    state: DeviceState | None = None,
    limit: Limit = 200,
    skip: Skip = 0,
) -> list[Device]:
    return await lending.db.devices.page(state=state, limit=limit, skip=skip)


class DeviceDetail(BaseModel):
    device: Device
    history: list[dict[str, Any]]


@router.get("/{device_id}", summary="A tablet with its condition history")
async def get_device(device_id: str, staff: Operator, lending: LendingDep) -> DeviceDetail:
    device = await device_or_404(lending.db, device_id)
    return DeviceDetail(device=device, history=await lending.db.history.of(f"device:{device_id}"))


class StateChange(BaseModel):
    state: DeviceState
    condition: Condition | None = None
    note: str | None = Field(default=None, max_length=500)


@router.post(
    "/{device_id}/state",
    summary="Move a tablet to repair, back to stock, lost or retired (loans move it otherwise)",
    responses={422: {"description": "An illegal transition, with what to do instead"}},
)
async def change_state(
    device_id: str, change: StateChange, staff: Operator, lending: LendingDep
) -> Device:
    return await change_device_state(
        lending.db,
        device_id=device_id,
        to_state=change.state,
        condition=change.condition,
        note=change.note,
        actor=staff.sub,
        now=lending.clock.now(),
    )
