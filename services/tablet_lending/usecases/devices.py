"""Registering tablets and moving them between stock, repair, lost and retired."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from services.common.events.contracts.lending import DeviceState, DeviceStateChanged
from services.common.store import Tx
from services.common.usecases import transactional
from services.tablet_lending.domain.devices import (
    ASSET_NUMBER,
    Accessories,
    Condition,
    Device,
    check_manual_transition,
)
from services.tablet_lending.domain.errors import Conflict
from services.tablet_lending.store import LendingDb
from services.tablet_lending.usecases.found import found
from services.tablet_lending.usecases.outbox import publish


class DeviceIn(BaseModel):
    model_config = ConfigDict(frozen=True)

    device_id: str = Field(pattern=ASSET_NUMBER, description="asset number, e.g. OSL-T-0001")
    serial_number: str = Field(min_length=3, max_length=64)
    model: str = Field(min_length=1, max_length=64)
    accessories: Accessories = Accessories()
    condition: Condition = Condition.GOOD
    note: str | None = Field(default=None, max_length=500)


async def device_or_404(db: LendingDb, device_id: str, tx: Tx | None = None) -> Device:
    return await found(db.devices.get(device_id, tx), "device", "端末", device_id)


@transactional
async def register_device(
    db: LendingDb, tx: Tx, *, device_in: DeviceIn, actor: str, now: datetime
) -> Device:
    if await db.devices.get(device_in.device_id, tx) is not None:
        raise Conflict(
            "asset_number_taken",
            f"Asset number {device_in.device_id} is already registered.",
            f"資産番号 {device_in.device_id} はすでに登録されています。",
        )
    if await db.devices.by_serial(device_in.serial_number, tx) is not None:
        raise Conflict(
            "serial_number_taken",
            f"Serial number {device_in.serial_number} is already registered.",
            f"製造番号 {device_in.serial_number} はすでに登録されています。",
        )
    device = Device(
        device_id=device_in.device_id,
        serial_number=device_in.serial_number,
        model=device_in.model,
        accessories=device_in.accessories,
        state=DeviceState.IN_STOCK,
        condition=device_in.condition,
        registered_at=now,
        updated_at=now,
    )
    await db.devices.insert(tx, device)
    await move_device(
        tx,
        db=db,
        device=device,
        to_state=DeviceState.IN_STOCK,
        condition=device.condition,
        action="registered",
        actor=actor,
        now=now,
        note=device_in.note,
        registered=True,
    )
    return device


@transactional
async def change_device_state(
    db: LendingDb,
    tx: Tx,
    *,
    device_id: str,
    to_state: DeviceState,
    condition: Condition | None,
    note: str | None,
    actor: str,
    now: datetime,
) -> Device:
    """A manual move (repair, found, lost in stock, retired); loans move devices themselves."""
    device = await device_or_404(db, device_id, tx)
    check_manual_transition(device, to_state)
    new_condition = condition or device.condition
    await move_device(
        tx,
        db=db,
        device=device,
        to_state=to_state,
        condition=new_condition,
        action="state_changed",
        actor=actor,
        now=now,
        note=note,
    )
    return await device_or_404(db, device_id, tx)


async def move_device(
    tx: Tx,
    *,
    db: LendingDb,
    device: Device,
    to_state: DeviceState,
    condition: Condition,
    action: str,
    actor: str,
    now: datetime,
    note: str | None = None,
    loan_id: str | None = None,
    accessories: Accessories | None = None,
    registered: bool = False,
) -> None:
    """Any change of a tablet, whoever made it: its new state, a history entry and an event.

    `loan_id` names the loan it moves for (its current loan while it is lent); a tablet just
    `registered` (inserted in stock) comes from no state and has nothing to move."""
    from_state = None if registered else device.state
    if not registered:
        await db.devices.move(
            tx,
            device.device_id,
            state=to_state,
            condition=condition,
            at=now,
            loan_id=loan_id if to_state is DeviceState.ON_LOAN else None,
            accessories=accessories,
        )
    await db.history.append(
        tx,
        subject=f"device:{device.device_id}",
        action=action,
        actor=actor,
        at=now,
        details={
            "from_state": from_state.value if from_state else None,
            "to_state": to_state.value,
            "condition": condition.value,
            "loan_id": loan_id,
            "note": note,
        },
    )
    await publish(
        tx,
        key=device.device_id,
        data=DeviceStateChanged(
            device_id=device.device_id,
            model=device.model,
            from_state=from_state,
            state=to_state,
            condition=condition.value,
            at=now,
        ),
    )
